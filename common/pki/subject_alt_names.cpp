#include "common/pki/subject_alt_names.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <string>

#include "common/pki/openssl_error.h"

namespace vtguard::pki {
namespace {

// RFC 1123 host names, with an optional leading "*." wildcard label.
bool IsValidDnsName(std::string_view name) {
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (name.empty() || name.size() > 253) return false;
  size_t label_length = 0;
  char previous = '.';
  for (char c : name) {
    if (c == '.') {
      if (label_length == 0 || previous == '-') return false;
      label_length = 0;
    } else if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-') {
      if (label_length == 0 && c == '-') return false;
      if (++label_length > 63) return false;
    } else {
      return false;
    }
    previous = c;
  }
  return label_length > 0 && previous != '-';
}

// An absolute URI: a scheme ([a-z][a-z0-9+.-]*), a colon, then printable ASCII without spaces.
bool IsValidUri(std::string_view uri) {
  size_t colon = uri.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == uri.size()) return false;
  if (std::isalpha(static_cast<unsigned char>(uri[0])) == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = uri[i];
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '+' && c != '.' && c != '-') {
      return false;
    }
  }
  for (char c : uri) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

Status AppendText(GENERAL_NAMES* names, int type, std::string_view value) {
  GENERAL_NAME* name = GENERAL_NAME_new();
  ASN1_IA5STRING* text = ASN1_IA5STRING_new();
  if (name == nullptr || text == nullptr ||
      ASN1_STRING_set(text, value.data(), static_cast<int>(value.size())) != 1) {
    GENERAL_NAME_free(name);
    ASN1_IA5STRING_free(text);
    return OpenSslError("encoding a subject alternative name");
  }
  GENERAL_NAME_set0_value(name, type, text);
  sk_GENERAL_NAME_push(names, name);
  return Status::Ok();
}

Status AppendIp(GENERAL_NAMES* names, const std::string& value) {
  ASN1_OCTET_STRING* address = a2i_IPADDRESS(value.c_str());
  if (address == nullptr) {
    ERR_clear_error();
    return InvalidArgument("\"" + value +
                           "\" is not a valid IP address; use the dotted IPv4 or the IPv6 form");
  }
  GENERAL_NAME* name = GENERAL_NAME_new();
  if (name == nullptr) {
    ASN1_OCTET_STRING_free(address);
    return OpenSslError("encoding an IP address");
  }
  GENERAL_NAME_set0_value(name, GEN_IPADD, address);
  sk_GENERAL_NAME_push(names, name);
  return Status::Ok();
}

}  // namespace

Result<GeneralNamesPtr> BuildSubjectAltNames(const LeafRequest& request) {
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (names == nullptr) return OpenSslError("allocating subject alternative names");
  for (const std::string& dns : request.dns_names) {
    if (!IsValidDnsName(dns)) {
      return InvalidArgument("\"" + dns +
                             "\" is not a valid DNS name; use letters, digits, '-' and '.', "
                             "e.g. vttablet.vtguard.internal");
    }
    VTG_RETURN_IF_ERROR(AppendText(names.get(), GEN_DNS, dns));
  }
  for (const std::string& ip : request.ip_addresses) {
    VTG_RETURN_IF_ERROR(AppendIp(names.get(), ip));
  }
  for (const std::string& uri : request.uris) {
    if (!IsValidUri(uri)) {
      return InvalidArgument("\"" + uri +
                             "\" is not a valid absolute URI; use a scheme and a path, e.g. "
                             "spiffe://vtguard/vttablet");
    }
    VTG_RETURN_IF_ERROR(AppendText(names.get(), GEN_URI, uri));
  }
  return names;
}

}  // namespace vtguard::pki
