#include "common/pki/verify.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "common/pki/openssl_error.h"
#include "common/pki/openssl_handles.h"
#include "common/pki/time_convert.h"

namespace vtguard::pki {
namespace {

VerifyFailure ClassifyError(int error) {
  switch (error) {
    case X509_V_OK:
      return VerifyFailure::kNone;
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return VerifyFailure::kExpired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return VerifyFailure::kNotYetValid;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
      return VerifyFailure::kUnknownIssuer;
    case X509_V_ERR_INVALID_PURPOSE:
      return VerifyFailure::kWrongUsage;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return VerifyFailure::kNameMismatch;
    case X509_V_ERR_CERT_REVOKED:
      return VerifyFailure::kRevoked;
    default:
      return VerifyFailure::kInvalid;
  }
}

// Says which certificate failed and why, with the dates or names that matter.
std::string DescribeFailure(VerifyFailure failure, int error, X509* failing,
                            const Certificate& leaf, const VerifyOptions& options, SystemTime now) {
  std::string subject = leaf.Subject();
  if (failing != nullptr) {
    X509_up_ref(failing);
    subject = Certificate::Adopt(failing).Subject();
  }
  std::string which = failing != nullptr && X509_cmp(failing, leaf.get()) != 0
                          ? "the CA certificate " + subject
                          : "the certificate " + subject;
  switch (failure) {
    case VerifyFailure::kExpired:
      return which + " expired at " +
             FormatRfc3339(Asn1TimeToSystemTime(X509_get0_notAfter(failing))) + " (now " +
             FormatRfc3339(now) + ")";
    case VerifyFailure::kNotYetValid:
      return which + " is not valid before " +
             FormatRfc3339(Asn1TimeToSystemTime(X509_get0_notBefore(failing))) + " (now " +
             FormatRfc3339(now) + ")";
    case VerifyFailure::kUnknownIssuer:
      return "no CA in the trust bundle issued the certificate " + leaf.Subject() + " (issuer " +
             leaf.Issuer() + ")";
    case VerifyFailure::kWrongUsage:
      return "the certificate " + leaf.Subject() + " does not allow " +
             std::string(UsageName(options.usage.value_or(Usage::kServer))) +
             " authentication (extended key usage)";
    case VerifyFailure::kNameMismatch:
      return "the certificate " + leaf.Subject() + " is not valid for the name \"" +
             options.server_name.value_or("") + "\"";
    case VerifyFailure::kRevoked:
      return "the certificate " + leaf.Subject() + " with serial " + leaf.SerialHex() +
             " is revoked";
    default:
      return which + " failed verification: " + X509_verify_cert_error_string(error);
  }
}

Status AddCrls(X509_STORE* store, const std::vector<std::string>& crl_pems) {
  for (const std::string& pem : crl_pems) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    X509CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
    if (crl == nullptr) return OpenSslError("reading a CRL", ErrorCode::kInvalidArgument);
    if (X509_STORE_add_crl(store, crl.get()) != 1) return OpenSslError("adding a CRL");
  }
  if (!crl_pems.empty()) X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  return Status::Ok();
}

Status ApplyOptions(X509_VERIFY_PARAM* param, const VerifyOptions& options, SystemTime now) {
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(ToUnixSeconds(now)));
  if (options.usage.has_value()) {
    int purpose =
        *options.usage == Usage::kServer ? X509_PURPOSE_SSL_SERVER : X509_PURPOSE_SSL_CLIENT;
    X509_VERIFY_PARAM_set_purpose(param, purpose);
  }
  if (!options.server_name.has_value()) return Status::Ok();
  const std::string& name = *options.server_name;
  // An IP address is matched against IP SANs; anything else against DNS SANs.
  if (X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) == 1) return Status::Ok();
  ERR_clear_error();
  if (X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size()) != 1) {
    return OpenSslError("setting the server name \"" + name + "\"", ErrorCode::kInvalidArgument);
  }
  return Status::Ok();
}

VerifyResult Invalid(const Status& status) {
  return {VerifyFailure::kInvalid, status.message(), 0};
}

}  // namespace

std::string_view VerifyFailureName(VerifyFailure failure) {
  switch (failure) {
    case VerifyFailure::kNone:
      return "";
    case VerifyFailure::kExpired:
      return "expired";
    case VerifyFailure::kNotYetValid:
      return "not_yet_valid";
    case VerifyFailure::kUnknownIssuer:
      return "unknown_issuer";
    case VerifyFailure::kWrongUsage:
      return "wrong_usage";
    case VerifyFailure::kNameMismatch:
      return "name_mismatch";
    case VerifyFailure::kRevoked:
      return "revoked";
    case VerifyFailure::kInvalid:
      return "invalid";
  }
  return "invalid";
}

VerifyResult VerifyCertificate(const Certificate& leaf, const TrustBundle& bundle,
                               const VerifyOptions& options, const Clock& clock) {
  SystemTime now = clock.Now();
  X509StorePtr store(X509_STORE_new());
  X509StoreCtxPtr context(X509_STORE_CTX_new());
  if (store == nullptr || context == nullptr) {
    return Invalid(OpenSslError("allocating the certificate store"));
  }
  for (const Certificate& ca : bundle.certificates()) {
    if (X509_STORE_add_cert(store.get(), ca.get()) != 1) {
      return Invalid(OpenSslError("adding a CA to the certificate store"));
    }
  }
  if (Status status = AddCrls(store.get(), options.crl_pems); !status.ok()) {
    return Invalid(status);
  }
  if (X509_STORE_CTX_init(context.get(), store.get(), leaf.get(), nullptr) != 1) {
    return Invalid(OpenSslError("starting verification"));
  }
  if (Status status = ApplyOptions(X509_STORE_CTX_get0_param(context.get()), options, now);
      !status.ok()) {
    return Invalid(status);
  }

  int verified = X509_verify_cert(context.get());
  int error = X509_STORE_CTX_get_error(context.get());
  ERR_clear_error();
  if (verified == 1) return {};
  if (error == X509_V_OK) error = X509_V_ERR_UNSPECIFIED;
  VerifyFailure failure = ClassifyError(error);
  X509* failing = X509_STORE_CTX_get_current_cert(context.get());
  return {failure, DescribeFailure(failure, error, failing, leaf, options, now), error};
}

}  // namespace vtguard::pki
