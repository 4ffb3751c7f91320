#include "common/pki/issue.h"

#include <openssl/x509v3.h>

#include <algorithm>

#include "common/pki/openssl_error.h"
#include "common/pki/openssl_handles.h"
#include "common/pki/subject_alt_names.h"
#include "common/pki/time_convert.h"
#include "common/pki/x509_build.h"

namespace vtguard::pki {
namespace {

struct Validity {
  SystemTime not_before;
  SystemTime not_after;
};

// Creates a v3 certificate with a random serial, the given names, validity and public key,
// and no extensions yet.
Result<X509Ptr> NewCertificate(const X509_NAME* subject, const X509_NAME* issuer,
                               const Validity& validity, EVP_PKEY* public_key) {
  X509Ptr cert(X509_new());
  if (cert == nullptr) return OpenSslError("allocating a certificate");
  VTG_ASSIGN_OR_RETURN(Asn1IntegerPtr serial, RandomSerial());
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      X509_set_serialNumber(cert.get(), serial.get()) != 1 ||
      X509_set_subject_name(cert.get(), subject) != 1 ||
      X509_set_issuer_name(cert.get(), issuer) != 1 ||
      X509_set_pubkey(cert.get(), public_key) != 1) {
    return OpenSslError("filling in the certificate");
  }
  VTG_RETURN_IF_ERROR(SetAsn1Time(X509_getm_notBefore(cert.get()), validity.not_before));
  VTG_RETURN_IF_ERROR(SetAsn1Time(X509_getm_notAfter(cert.get()), validity.not_after));
  return cert;
}

Result<Certificate> Sign(X509Ptr cert, const PrivateKey& signer) {
  if (X509_sign(cert.get(), signer.get(), SigningDigest(signer)) <= 0) {
    return OpenSslError("signing the certificate");
  }
  return Certificate::Adopt(cert.release());
}

// Builds and signs a CA certificate for `key` with `subject` (self-signed).
Result<Certificate> SignCa(const X509_NAME* subject, const PrivateKey& key,
                           const Validity& validity) {
  VTG_ASSIGN_OR_RETURN(X509Ptr cert, NewCertificate(subject, subject, validity, key.get()));
  X509V3_CTX context;
  X509V3_set_ctx(&context, cert.get(), cert.get(), nullptr, nullptr, 0);
  X509V3_set_issuer_pkey(&context, key.get());
  VTG_RETURN_IF_ERROR(
      AddExtension(cert.get(), context, NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  VTG_RETURN_IF_ERROR(
      AddExtension(cert.get(), context, NID_key_usage, "critical,keyCertSign,cRLSign"));
  VTG_RETURN_IF_ERROR(AddExtension(cert.get(), context, NID_subject_key_identifier, "hash"));
  VTG_RETURN_IF_ERROR(
      AddExtension(cert.get(), context, NID_authority_key_identifier, "keyid:always"));
  return Sign(std::move(cert), key);
}

std::string ExtendedKeyUsageValue(const std::vector<Usage>& usages) {
  bool server = std::find(usages.begin(), usages.end(), Usage::kServer) != usages.end();
  bool client = std::find(usages.begin(), usages.end(), Usage::kClient) != usages.end();
  if (server && client) return "serverAuth,clientAuth";
  return server ? "serverAuth" : "clientAuth";
}

}  // namespace

Result<CertifiedKey> CreateCa(const CaOptions& options, const Clock& clock) {
  if (options.common_name.empty()) {
    return InvalidArgument("the CA common name is empty; give a name such as \"vtguard-ca\"");
  }
  if (options.duration <= Seconds::zero()) {
    return InvalidArgument("the CA duration must be positive");
  }
  VTG_ASSIGN_OR_RETURN(X509NamePtr subject, BuildName(options.common_name, options.organization,
                                                      /*organizational_unit=*/""));
  VTG_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::Generate(options.key));
  SystemTime now = clock.Now();
  VTG_ASSIGN_OR_RETURN(
      Certificate cert,
      SignCa(subject.get(), key, {now - kClockSkewAllowance, now + options.duration}));
  return CertifiedKey{std::move(cert), std::move(key)};
}

Result<Certificate> RenewCa(const CertifiedKey& ca, Seconds duration, const Clock& clock) {
  if (duration <= Seconds::zero()) return InvalidArgument("the CA duration must be positive");
  if (!ca.certificate.MatchesKey(ca.key)) {
    return InvalidArgument("the CA key does not match the CA certificate");
  }
  SystemTime now = clock.Now();
  return SignCa(X509_get_subject_name(ca.certificate.get()), ca.key,
                {now - kClockSkewAllowance, now + duration});
}

Status ValidateLeafRequest(const LeafRequest& request) {
  if (request.common_name.empty() && request.dns_names.empty() && request.ip_addresses.empty() &&
      request.uris.empty()) {
    return InvalidArgument(
        "the certificate request has no common name and no subject alternative name; give at "
        "least one DNS name, IP address or URI");
  }
  if (request.usages.empty()) {
    return InvalidArgument("the certificate request has no usage; give server, client or both");
  }
  if (request.duration <= Seconds::zero()) {
    return InvalidArgument("the certificate duration must be positive");
  }
  return BuildSubjectAltNames(request).status();
}

Result<CertifiedKey> IssueLeaf(const CertifiedKey& ca, const LeafRequest& request,
                               const Clock& clock) {
  VTG_RETURN_IF_ERROR(ValidateLeafRequest(request));
  VTG_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::Generate(request.key));
  VTG_ASSIGN_OR_RETURN(Certificate cert, IssueLeafForKey(ca, request, key, clock));
  return CertifiedKey{std::move(cert), std::move(key)};
}

Result<Certificate> IssueLeafForKey(const CertifiedKey& ca, const LeafRequest& request,
                                    const PrivateKey& key, const Clock& clock) {
  VTG_RETURN_IF_ERROR(ValidateLeafRequest(request));
  if (!ca.certificate.IsCa()) {
    return InvalidArgument("the issuer certificate " + ca.certificate.Subject() +
                           " is not a CA (basicConstraints CA:TRUE is missing)");
  }
  SystemTime now = clock.Now();
  SystemTime ca_not_after = ca.certificate.NotAfter();
  if (ca_not_after <= now) {
    return FailedPrecondition("the CA " + ca.certificate.Subject() + " expired at " +
                              FormatRfc3339(ca_not_after) + "; renew the CA first");
  }
  Validity validity{std::max(now - kClockSkewAllowance, ca.certificate.NotBefore()),
                    std::min(now + request.duration, ca_not_after)};

  VTG_ASSIGN_OR_RETURN(X509NamePtr subject, BuildName(request.common_name, request.organization,
                                                      request.organizational_unit));
  VTG_ASSIGN_OR_RETURN(X509Ptr cert,
                       NewCertificate(subject.get(), X509_get_subject_name(ca.certificate.get()),
                                      validity, key.get()));
  X509V3_CTX context;
  X509V3_set_ctx(&context, ca.certificate.get(), cert.get(), nullptr, nullptr, 0);
  VTG_RETURN_IF_ERROR(
      AddExtension(cert.get(), context, NID_basic_constraints, "critical,CA:FALSE"));
  const char* key_usage = key.spec().algorithm == KeyAlgorithm::kRsa
                              ? "critical,digitalSignature,keyEncipherment"
                              : "critical,digitalSignature";
  VTG_RETURN_IF_ERROR(AddExtension(cert.get(), context, NID_key_usage, key_usage));
  VTG_RETURN_IF_ERROR(AddExtension(cert.get(), context, NID_ext_key_usage,
                                   ExtendedKeyUsageValue(request.usages).c_str()));
  VTG_RETURN_IF_ERROR(AddExtension(cert.get(), context, NID_subject_key_identifier, "hash"));
  VTG_RETURN_IF_ERROR(
      AddExtension(cert.get(), context, NID_authority_key_identifier, "keyid:always"));
  VTG_ASSIGN_OR_RETURN(GeneralNamesPtr sans, BuildSubjectAltNames(request));
  if (sk_GENERAL_NAME_num(sans.get()) > 0 &&
      X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, sans.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError("adding the subject alternative names");
  }
  return Sign(std::move(cert), ca.key);
}

}  // namespace vtguard::pki
