#include "tests/http/test_pki.h"

#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

namespace vtguard::http::testing {
namespace {

EVP_PKEY* NewKey() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) throw std::runtime_error("EVP_EC_gen failed");
  return key;
}

std::string CertPem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

std::string KeyPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) throw std::runtime_error("X509V3_EXT_conf_nid failed");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

X509* NewCert(long serial, const char* common_name, EVP_PKEY* key) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  return cert;
}

}  // namespace

TestPki::TestPki() {
  ca_key_ = NewKey();
  ca_cert_ = NewCert(1, "vtguard test CA", ca_key_);
  X509_set_issuer_name(ca_cert_, X509_get_subject_name(ca_cert_));
  AddExtension(ca_cert_, ca_cert_, NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(ca_cert_, ca_cert_, NID_key_usage, "critical,keyCertSign,cRLSign");
  X509_sign(ca_cert_, ca_key_, EVP_sha256());
  ca_pem_ = CertPem(ca_cert_);
}

TestPki::~TestPki() {
  X509_free(ca_cert_);
  EVP_PKEY_free(ca_key_);
}

PemPair TestPki::IssueServer(long serial) const {
  EVP_PKEY* key = NewKey();
  X509* cert = NewCert(serial, "vtguard-webhook.test", key);
  X509_set_issuer_name(cert, X509_get_subject_name(ca_cert_));
  AddExtension(cert, ca_cert_, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  AddExtension(cert, ca_cert_, NID_ext_key_usage, "serverAuth");
  X509_sign(cert, ca_key_, EVP_sha256());
  PemPair pair{CertPem(cert), KeyPem(key)};
  X509_free(cert);
  EVP_PKEY_free(key);
  return pair;
}

void WriteSecretVolume(const std::filesystem::path& dir, const PemPair& pair, int generation) {
  namespace fs = std::filesystem;
  const std::string folder = "..2026_12_04_" + std::to_string(generation);
  fs::create_directories(dir / folder);
  std::ofstream(dir / folder / "tls.crt") << pair.cert;
  std::ofstream(dir / folder / "tls.key") << pair.key;
  const fs::path staging = dir / "..data_tmp";
  fs::remove(staging);
  fs::create_directory_symlink(folder, staging);
  fs::rename(staging, dir / "..data");  // Atomic replacement, as the kubelet does it.
  for (const char* name : {"tls.crt", "tls.key"}) {
    if (!fs::is_symlink(dir / name)) fs::create_symlink(fs::path("..data") / name, dir / name);
  }
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "vtguard-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace vtguard::http::testing
