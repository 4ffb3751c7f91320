#include "common/pki/certificate.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstdio>

#include "common/pki/openssl_error.h"
#include "common/pki/openssl_handles.h"
#include "common/pki/time_convert.h"

namespace vtguard::pki {
namespace {

std::shared_ptr<X509> Share(X509* cert) { return std::shared_ptr<X509>(cert, X509_free); }

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(length));
}

std::string FormatName(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return BioContents(bio.get());
}

std::string HexBytes(const unsigned char* bytes, size_t length, const char* separator) {
  std::string hex;
  for (size_t i = 0; i < length; ++i) {
    char pair[3];
    std::snprintf(pair, sizeof(pair), "%02X", bytes[i]);
    if (i > 0) hex += separator;
    hex += pair;
  }
  return hex;
}

void AppendIpAddress(const ASN1_OCTET_STRING* address, std::vector<std::string>& out) {
  const unsigned char* bytes = ASN1_STRING_get0_data(address);
  int length = ASN1_STRING_length(address);
  char text[INET6_ADDRSTRLEN] = {};
  int family = length == 4 ? AF_INET : (length == 16 ? AF_INET6 : 0);
  if (family == 0 || inet_ntop(family, bytes, text, sizeof(text)) == nullptr) return;
  out.emplace_back(text);
}

// Collects the SANs of one GENERAL_NAME type as text.
std::vector<std::string> SubjectAltNames(X509* cert, int type) {
  std::vector<std::string> names;
  GeneralNamesPtr sans(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (sans == nullptr) return names;
  for (int i = 0; i < sk_GENERAL_NAME_num(sans.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans.get(), i);
    if (name->type != type) continue;
    if (type == GEN_IPADD) {
      AppendIpAddress(name->d.iPAddress, names);
      continue;
    }
    const ASN1_IA5STRING* text = name->d.ia5;
    names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                       static_cast<size_t>(ASN1_STRING_length(text)));
  }
  return names;
}

}  // namespace

std::string_view UsageName(Usage usage) { return usage == Usage::kServer ? "server" : "client"; }

Result<Usage> ParseUsage(std::string_view text) {
  if (text == "server" || text == "serverAuth") return Usage::kServer;
  if (text == "client" || text == "clientAuth") return Usage::kClient;
  return InvalidArgument("unknown usage \"" + std::string(text) + "\"; allowed: server, client");
}

Result<Certificate> Certificate::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return OpenSslError("reading PEM data");
  X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (cert == nullptr) {
    ClearOpenSslErrors();
    return InvalidArgument(
        "no valid PEM certificate found (expected a \"BEGIN CERTIFICATE\" block)");
  }
  return Certificate(Share(cert));
}

Result<Certificate> Certificate::FromDer(std::string_view der) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  X509* cert = d2i_X509(nullptr, &bytes, static_cast<long>(der.size()));
  if (cert == nullptr) {
    ClearOpenSslErrors();
    return InvalidArgument("not a valid DER certificate");
  }
  Certificate result(Share(cert));
  if (bytes != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return InvalidArgument("unexpected bytes after the DER certificate");
  }
  return result;
}

Result<Certificate> Certificate::Parse(std::string_view data) {
  if (data.find("-----BEGIN") != std::string_view::npos) return FromPem(data);
  return FromDer(data);
}

Certificate Certificate::Adopt(X509* certificate) { return Certificate(Share(certificate)); }

std::string Certificate::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert_.get());
  return BioContents(bio.get());
}

std::string Certificate::ToDer() const {
  unsigned char* der = nullptr;
  int length = i2d_X509(cert_.get(), &der);
  if (length <= 0) return {};
  std::string result(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return result;
}

std::string Certificate::Subject() const { return FormatName(X509_get_subject_name(get())); }
std::string Certificate::Issuer() const { return FormatName(X509_get_issuer_name(get())); }

std::string Certificate::CommonName() const {
  const X509_NAME* name = X509_get_subject_name(get());
  int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) return {};
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, value);
  if (length < 0) {
    ERR_clear_error();
    return {};
  }
  std::string result(reinterpret_cast<char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return result;
}

std::vector<std::string> Certificate::DnsNames() const { return SubjectAltNames(get(), GEN_DNS); }
std::vector<std::string> Certificate::IpAddresses() const {
  return SubjectAltNames(get(), GEN_IPADD);
}
std::vector<std::string> Certificate::Uris() const { return SubjectAltNames(get(), GEN_URI); }

std::vector<Usage> Certificate::Usages() const {
  std::vector<Usage> usages;
  uint32_t flags = X509_get_extended_key_usage(get());
  // Without the extension OpenSSL returns UINT32_MAX (any usage); report nothing then.
  if (flags == UINT32_MAX) return usages;
  if ((flags & XKU_SSL_SERVER) != 0) usages.push_back(Usage::kServer);
  if ((flags & XKU_SSL_CLIENT) != 0) usages.push_back(Usage::kClient);
  return usages;
}

std::vector<std::string> Certificate::KeyUsages() const {
  static constexpr std::pair<uint32_t, const char*> kBits[] = {
      {KU_DIGITAL_SIGNATURE, "digitalSignature"},
      {KU_NON_REPUDIATION, "contentCommitment"},
      {KU_KEY_ENCIPHERMENT, "keyEncipherment"},
      {KU_DATA_ENCIPHERMENT, "dataEncipherment"},
      {KU_KEY_AGREEMENT, "keyAgreement"},
      {KU_KEY_CERT_SIGN, "keyCertSign"},
      {KU_CRL_SIGN, "cRLSign"},
      {KU_ENCIPHER_ONLY, "encipherOnly"},
      {KU_DECIPHER_ONLY, "decipherOnly"}};
  std::vector<std::string> names;
  uint32_t flags = X509_get_key_usage(get());
  if (flags == UINT32_MAX) return names;
  for (const auto& [bit, name] : kBits) {
    if ((flags & bit) != 0) names.emplace_back(name);
  }
  return names;
}

std::string Certificate::SerialHex() const {
  BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(get()), nullptr));
  if (serial == nullptr) return {};
  char* hex = BN_bn2hex(serial.get());
  std::string result(hex);
  OPENSSL_free(hex);
  return result;
}

SystemTime Certificate::NotBefore() const {
  return Asn1TimeToSystemTime(X509_get0_notBefore(get()));
}
SystemTime Certificate::NotAfter() const { return Asn1TimeToSystemTime(X509_get0_notAfter(get())); }

std::string Certificate::Sha256Fingerprint() const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  X509_digest(get(), EVP_sha256(), digest, &length);
  return HexBytes(digest, length, ":");
}

bool Certificate::IsCa() const { return (X509_get_extension_flags(get()) & EXFLAG_CA) != 0; }

Result<KeySpec> Certificate::PublicKeySpec() const {
  EVP_PKEY* key = X509_get0_pubkey(get());
  if (key == nullptr) return OpenSslError("reading the certificate's public key");
  EVP_PKEY_up_ref(key);
  VTG_ASSIGN_OR_RETURN(PrivateKey wrapped, PrivateKey::Adopt(key));
  return wrapped.spec();
}

bool Certificate::MatchesKey(const PrivateKey& key) const {
  bool matches = X509_check_private_key(get(), key.get()) == 1;
  ERR_clear_error();
  return matches;
}

bool Certificate::IsSignedBy(const Certificate& issuer) const {
  if (X509_NAME_cmp(X509_get_issuer_name(get()), X509_get_subject_name(issuer.get())) != 0) {
    return false;
  }
  EVP_PKEY* key = X509_get0_pubkey(issuer.get());
  bool signed_by = key != nullptr && X509_verify(get(), key) == 1;
  ERR_clear_error();
  return signed_by;
}

bool operator==(const Certificate& a, const Certificate& b) {
  return X509_cmp(a.get(), b.get()) == 0;
}

Result<std::vector<Certificate>> ParseCertificates(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::vector<Certificate> certificates;
  while (true) {
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (cert == nullptr) break;
    certificates.push_back(Certificate::Adopt(cert));
  }
  // The loop ends with "no start line" at the end of the data; any other error means a
  // damaged block.
  unsigned long error = ERR_peek_last_error();
  bool clean_end = ERR_GET_REASON(error) == PEM_R_NO_START_LINE;
  ERR_clear_error();
  if (!clean_end && error != 0) {
    return InvalidArgument("certificate number " + std::to_string(certificates.size() + 1) +
                           " is not a valid PEM certificate");
  }
  if (certificates.empty()) {
    return InvalidArgument("no PEM certificate found (expected \"BEGIN CERTIFICATE\" blocks)");
  }
  return certificates;
}

Result<CertifiedKey> ParseCertifiedKey(std::string_view certificate, std::string_view key_pem) {
  VTG_ASSIGN_OR_RETURN(Certificate cert, Certificate::Parse(certificate));
  VTG_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::FromPem(key_pem));
  if (!cert.MatchesKey(key)) {
    return InvalidArgument("the private key does not match the certificate (subject " +
                           cert.Subject() + ")");
  }
  return CertifiedKey{std::move(cert), std::move(key)};
}

}  // namespace vtguard::pki
