#include "common/pki/x509_build.h"

#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <string>

#include "common/pki/openssl_error.h"

namespace vtguard::pki {

Result<Asn1IntegerPtr> RandomSerial() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return OpenSslError("generating a serial number");
  bytes[0] &= 0x7F;
  // A zero serial is not allowed; force a non-zero top byte instead of looping.
  bytes[0] |= 0x01;
  BignumPtr number(BN_bin2bn(bytes, sizeof(bytes), nullptr));
  if (number == nullptr) return OpenSslError("converting a serial number");
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(number.get(), nullptr));
  if (serial == nullptr) return OpenSslError("converting a serial number");
  return serial;
}

const EVP_MD* SigningDigest(const PrivateKey& key) {
  switch (key.spec().algorithm) {
    case KeyAlgorithm::kEd25519:
      return nullptr;
    case KeyAlgorithm::kEcdsa:
      return key.spec().size == 384 ? EVP_sha384() : EVP_sha256();
    case KeyAlgorithm::kRsa:
      return EVP_sha256();
  }
  return EVP_sha256();
}

Result<X509NamePtr> BuildName(std::string_view common_name, std::string_view organization,
                              std::string_view organizational_unit) {
  X509NamePtr name(X509_NAME_new());
  if (name == nullptr) return OpenSslError("allocating a name");
  // Order as printed by RFC 2253 in reverse: O first, then OU, then CN last.
  const std::pair<int, std::string_view> kEntries[] = {
      {NID_organizationName, organization},
      {NID_organizationalUnitName, organizational_unit},
      {NID_commonName, common_name}};
  for (const auto& [nid, value] : kEntries) {
    if (value.empty()) continue;
    if (value.size() > 64) {
      return InvalidArgument("the subject value \"" + std::string(value) +
                             "\" is longer than 64 characters, the X.509 limit");
    }
    if (X509_NAME_add_entry_by_NID(name.get(), nid, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1) {
      return OpenSslError("setting the subject value \"" + std::string(value) + "\"",
                          ErrorCode::kInvalidArgument);
    }
  }
  return name;
}

Status AddExtension(X509* cert, X509V3_CTX& context, int nid, const char* value) {
  X509ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
  if (extension == nullptr || X509_add_ext(cert, extension.get(), -1) != 1) {
    return OpenSslError(std::string("adding the ") + OBJ_nid2ln(nid) + " extension");
  }
  return Status::Ok();
}

}  // namespace vtguard::pki
