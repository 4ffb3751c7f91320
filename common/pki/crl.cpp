#include "common/pki/crl.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "common/pki/openssl_error.h"
#include "common/pki/openssl_handles.h"
#include "common/pki/time_convert.h"
#include "common/pki/x509_build.h"

namespace vtguard::pki {
namespace {

Result<Asn1IntegerPtr> ParseSerial(const std::string& hex) {
  BIGNUM* raw = nullptr;
  if (hex.empty() || BN_hex2bn(&raw, hex.c_str()) != static_cast<int>(hex.size())) {
    BN_free(raw);
    ClearOpenSslErrors();
    return InvalidArgument("\"" + hex +
                           "\" is not a hexadecimal serial number; copy it from "
                           "'vtguard certs inspect'");
  }
  BignumPtr number(raw);
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(number.get(), nullptr));
  if (serial == nullptr) return OpenSslError("converting the serial number " + hex);
  return serial;
}

Status AddRevoked(X509_CRL* crl, const RevokedSerial& revoked) {
  VTG_ASSIGN_OR_RETURN(Asn1IntegerPtr serial, ParseSerial(revoked.serial_hex));
  X509RevokedPtr entry(X509_REVOKED_new());
  Asn1TimePtr when(ASN1_TIME_new());
  if (entry == nullptr || when == nullptr) return OpenSslError("allocating a CRL entry");
  VTG_RETURN_IF_ERROR(SetAsn1Time(when.get(), revoked.revocation_time));
  if (X509_REVOKED_set_serialNumber(entry.get(), serial.get()) != 1 ||
      X509_REVOKED_set_revocationDate(entry.get(), when.get()) != 1 ||
      X509_CRL_add0_revoked(crl, entry.get()) != 1) {
    return OpenSslError("adding serial " + revoked.serial_hex + " to the CRL");
  }
  static_cast<void>(entry.release());  // Owned by the CRL now.
  return Status::Ok();
}

Status AddCrlExtensions(X509_CRL* crl, const CertifiedKey& ca, uint64_t crl_number) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, ca.certificate.get(), nullptr, nullptr, crl, 0);
  X509ExtensionPtr authority_key_id(
      X509V3_EXT_conf_nid(nullptr, &context, NID_authority_key_identifier, "keyid:always"));
  if (authority_key_id == nullptr || X509_CRL_add_ext(crl, authority_key_id.get(), -1) != 1) {
    return OpenSslError("adding the CRL authority key identifier");
  }
  Asn1IntegerPtr number(ASN1_INTEGER_new());
  if (number == nullptr || ASN1_INTEGER_set_uint64(number.get(), crl_number) != 1 ||
      X509_CRL_add1_ext_i2d(crl, NID_crl_number, number.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError("adding the CRL number");
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> CreateCrlPem(const CertifiedKey& ca, const CrlOptions& options,
                                 const Clock& clock) {
  if (options.validity <= Seconds::zero()) {
    return InvalidArgument("the CRL validity must be positive");
  }
  X509CrlPtr crl(X509_CRL_new());
  Asn1TimePtr last_update(ASN1_TIME_new());
  Asn1TimePtr next_update(ASN1_TIME_new());
  if (crl == nullptr || last_update == nullptr || next_update == nullptr) {
    return OpenSslError("allocating the CRL");
  }
  SystemTime now = clock.Now();
  VTG_RETURN_IF_ERROR(SetAsn1Time(last_update.get(), now));
  VTG_RETURN_IF_ERROR(SetAsn1Time(next_update.get(), now + options.validity));
  if (X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.certificate.get())) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), last_update.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next_update.get()) != 1) {
    return OpenSslError("filling in the CRL");
  }
  for (const RevokedSerial& revoked : options.revoked) {
    VTG_RETURN_IF_ERROR(AddRevoked(crl.get(), revoked));
  }
  VTG_RETURN_IF_ERROR(AddCrlExtensions(crl.get(), ca, options.crl_number));
  X509_CRL_sort(crl.get());
  if (X509_CRL_sign(crl.get(), ca.key.get(), SigningDigest(ca.key)) <= 0) {
    return OpenSslError("signing the CRL");
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_X509_CRL(bio.get(), crl.get()) != 1) {
    return OpenSslError("writing the CRL as PEM");
  }
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

Result<std::vector<Crl>> Crl::ParseAll(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return OpenSslError("reading the CRL text");
  std::vector<Crl> crls;
  while (X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) {
    crls.push_back(Crl(std::shared_ptr<X509_CRL>(crl, X509_CRL_free)));
  }
  // The loop ends with "no start line" at the end of the data; any other error means a
  // damaged block.
  unsigned long error = ERR_peek_last_error();
  bool clean_end = ERR_GET_REASON(error) == PEM_R_NO_START_LINE;
  ClearOpenSslErrors();
  if (!clean_end && error != 0) {
    return InvalidArgument("CRL number " + std::to_string(crls.size() + 1) +
                           " is not a valid PEM CRL");
  }
  if (crls.empty()) return InvalidArgument("no PEM CRL found (expected \"BEGIN X509 CRL\" blocks)");
  return crls;
}

std::string Crl::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_X509_CRL(bio.get(), crl_.get()) != 1) {
    ClearOpenSslErrors();
    return {};
  }
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

std::string Crl::Issuer() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_CRL_get_issuer(crl_.get()), 0,
                     XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

SystemTime Crl::LastUpdate() const {
  return Asn1TimeToSystemTime(X509_CRL_get0_lastUpdate(crl_.get()));
}

std::optional<SystemTime> Crl::NextUpdate() const {
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl_.get());
  if (next == nullptr) return std::nullopt;
  return Asn1TimeToSystemTime(next);
}

std::vector<RevokedSerial> Crl::Revoked() const {
  std::vector<RevokedSerial> revoked;
  STACK_OF(X509_REVOKED)* entries = X509_CRL_get_REVOKED(crl_.get());
  for (int i = 0; i < sk_X509_REVOKED_num(entries); ++i) {
    const X509_REVOKED* entry = sk_X509_REVOKED_value(entries, i);
    BignumPtr serial(ASN1_INTEGER_to_BN(X509_REVOKED_get0_serialNumber(entry), nullptr));
    if (serial == nullptr) continue;
    char* hex = BN_bn2hex(serial.get());
    if (hex == nullptr) continue;
    revoked.push_back({hex, Asn1TimeToSystemTime(X509_REVOKED_get0_revocationDate(entry))});
    OPENSSL_free(hex);
  }
  ClearOpenSslErrors();
  return revoked;
}

bool Crl::IsSignedBy(const Certificate& issuer) const {
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl_.get()), X509_get_subject_name(issuer.get())) != 0) {
    return false;
  }
  EVP_PKEY* key = X509_get0_pubkey(issuer.get());
  bool signed_by = key != nullptr && X509_CRL_verify(crl_.get(), key) == 1;
  ClearOpenSslErrors();
  return signed_by;
}

}  // namespace vtguard::pki
