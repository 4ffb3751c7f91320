#include "common/http/certificate_store.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>
#include <fstream>

#include "common/base/time.h"

namespace vtguard::http {
namespace {

// A certificate or key file larger than this is not a PEM file a Secret would hold.
constexpr std::uintmax_t kMaxPemFileBytes = 1024 * 1024;

Result<std::string> ReadPemFile(const std::filesystem::path& path) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return NotFound(path.string() + ": cannot read: " + ec.message());
  if (size > kMaxPemFileBytes) {
    return InvalidArgument(path.string() + ": file is " + std::to_string(size) +
                           " bytes, larger than the 1 MiB a PEM file may have");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path.string() + ": cannot open for reading");
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

BioPtr MemoryBio(const std::string& bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

}  // namespace

std::string DrainOpenSslErrors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "no OpenSSL error recorded" : text;
}

KeyPair::~KeyPair() {
  X509_free(leaf_);
  sk_X509_pop_free(chain_, X509_free);
  EVP_PKEY_free(key_);
}

std::string KeyPair::SerialHex() const {
  BIGNUM* number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(leaf_), nullptr);
  if (number == nullptr) return "";
  char* hex = BN_bn2hex(number);
  std::string text = hex == nullptr ? "" : hex;
  OPENSSL_free(hex);
  BN_free(number);
  return text;
}

std::string KeyPair::NotAfter() const {
  std::tm parts{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(leaf_), &parts) != 1) return "";
  return FormatRfc3339(std::chrono::system_clock::from_time_t(timegm(&parts)));
}

Result<std::shared_ptr<const KeyPair>> LoadKeyPair(const std::filesystem::path& cert_file,
                                                   const std::filesystem::path& key_file) {
  VTG_ASSIGN_OR_RETURN(const std::string cert_pem, ReadPemFile(cert_file));
  VTG_ASSIGN_OR_RETURN(const std::string key_pem, ReadPemFile(key_file));
  ERR_clear_error();

  BioPtr cert_bio = MemoryBio(cert_pem);
  X509* leaf = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr);
  if (leaf == nullptr) {
    return InvalidArgument(cert_file.string() + ": no PEM certificate found (" +
                           DrainOpenSslErrors() + "); write the leaf certificate first");
  }
  STACK_OF(X509)* chain = sk_X509_new_null();
  while (X509* extra = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr)) {
    sk_X509_push(chain, extra);
  }
  ERR_clear_error();  // The loop ends on a "no start line" error at the end of the file.

  BioPtr key_bio = MemoryBio(key_pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr);
  auto pair = std::make_shared<const KeyPair>(leaf, chain, key);
  if (key == nullptr) {
    return InvalidArgument(key_file.string() + ": no unencrypted PEM private key found (" +
                           DrainOpenSslErrors() + ")");
  }
  if (X509_check_private_key(leaf, key) != 1) {
    return InvalidArgument(key_file.string() + ": private key does not match the certificate in " +
                           cert_file.string() + " (" + DrainOpenSslErrors() + ")");
  }
  return std::shared_ptr<const KeyPair>(pair);
}

Status CertificateStore::LoadFromDirectory(const std::filesystem::path& dir) {
  auto pair = LoadKeyPair(dir / kCertFile, dir / kKeyFile);
  if (!pair.ok()) return pair.status();
  Set(std::move(pair).value());
  return Status::Ok();
}

void CertificateStore::Set(std::shared_ptr<const KeyPair> pair) {
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(pair);
}

std::shared_ptr<const KeyPair> CertificateStore::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

void CertificateStore::AttachTo(SSL_CTX* ctx) {
  SSL_CTX_set_cert_cb(ctx, &SelectCertificate, this);
}

int CertificateStore::SelectCertificate(SSL* ssl, void* arg) {
  const auto* store = static_cast<const CertificateStore*>(arg);
  std::shared_ptr<const KeyPair> pair = store->Current();
  // Returning 0 fails the handshake: without a certificate there is nothing to serve.
  if (pair == nullptr) return 0;
  // SSL_use_cert_and_key takes its own references, so the pair may be replaced afterwards.
  return SSL_use_cert_and_key(ssl, pair->leaf(), pair->key(), pair->chain(), 1) == 1 ? 1 : 0;
}

}  // namespace vtguard::http
