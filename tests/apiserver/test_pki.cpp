#include "tests/apiserver/test_pki.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <memory>

namespace vtguard::testing {
namespace {

struct Deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter>;
using CertPtr = std::unique_ptr<X509, Deleter>;
using BioPtr = std::unique_ptr<BIO, Deleter>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

Result<std::string> KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) {
    return Internal("writing a test key as PEM failed");
  }
  return BioText(bio.get());
}

Result<std::string> CertPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_X509(bio.get(), cert)) return Internal("writing a test certificate failed");
  return BioText(bio.get());
}

Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) return Internal("building extension \"" + value + "\" failed");
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
  return Status::Ok();
}

Result<CertPtr> NewCertificate(EVP_PKEY* key, const std::string& common_name,
                               const std::vector<std::string>& organizations) {
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof(serial));
  serial[0] &= 0x7f;
  BIGNUM* number = BN_bin2bn(serial, sizeof(serial), nullptr);
  BN_to_ASN1_INTEGER(number, X509_get_serialNumber(cert.get()));
  BN_free(number);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7L * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (const std::string& organization : organizations) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(organization.c_str()), -1, -1,
                               0);
  }
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  return cert;
}

Result<KeyPtr> ParseKey(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return InvalidArgument("test CA key is not a PEM private key");
  return key;
}

Result<CertPtr> ParseCert(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return InvalidArgument("test CA certificate is not PEM");
  return cert;
}

}  // namespace

Result<PemPair> CreateTestCa(const std::string& common_name) {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Internal("generating a P-256 key failed");
  VTG_ASSIGN_OR_RETURN(CertPtr cert, NewCertificate(key.get(), common_name, {}));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  VTG_RETURN_IF_ERROR(
      AddExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE"));
  VTG_RETURN_IF_ERROR(
      AddExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign"));
  VTG_RETURN_IF_ERROR(AddExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash"));
  if (!X509_sign(cert.get(), key.get(), EVP_sha256())) return Internal("signing the CA failed");
  PemPair pair;
  VTG_ASSIGN_OR_RETURN(pair.cert_pem, CertPem(cert.get()));
  VTG_ASSIGN_OR_RETURN(pair.key_pem, KeyPem(key.get()));
  return pair;
}

Result<PemPair> IssueTestLeaf(const PemPair& ca, const LeafRequest& request) {
  VTG_ASSIGN_OR_RETURN(KeyPtr ca_key, ParseKey(ca.key_pem));
  VTG_ASSIGN_OR_RETURN(CertPtr ca_cert, ParseCert(ca.cert_pem));
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Internal("generating a P-256 key failed");
  VTG_ASSIGN_OR_RETURN(CertPtr cert,
                       NewCertificate(key.get(), request.common_name, request.organizations));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()));
  VTG_RETURN_IF_ERROR(
      AddExtension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  VTG_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), NID_key_usage,
                                   "critical,digitalSignature,keyEncipherment"));
  VTG_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), NID_ext_key_usage,
                                   request.client ? "clientAuth" : "serverAuth"));
  VTG_RETURN_IF_ERROR(
      AddExtension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always"));
  std::string san;
  for (const std::string& dns : request.dns_names) san += (san.empty() ? "" : ",") + ("DNS:" + dns);
  for (const std::string& ip : request.ip_addresses) san += (san.empty() ? "" : ",") + ("IP:" + ip);
  if (!san.empty()) {
    VTG_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), NID_subject_alt_name, san));
  }
  if (!X509_sign(cert.get(), ca_key.get(), EVP_sha256())) {
    return Internal("signing a test leaf failed");
  }
  PemPair pair;
  VTG_ASSIGN_OR_RETURN(pair.cert_pem, CertPem(cert.get()));
  VTG_ASSIGN_OR_RETURN(pair.key_pem, KeyPem(key.get()));
  return pair;
}

}  // namespace vtguard::testing
