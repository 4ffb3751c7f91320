// The serving certificate of an HTTPS server, replaceable while the server runs.
//
// A CertificateStore holds the current certificate chain and private key. It installs an
// OpenSSL certificate callback on the server's SSL_CTX, so every new handshake picks the key
// pair that is current at that moment; connections already established keep the one they
// started with. A failed load leaves the current key pair in place.
#pragma once

#include <openssl/ssl.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "common/base/status.h"

namespace vtguard::http {

// A leaf certificate, its chain and the matching private key, as OpenSSL objects.
class KeyPair {
 public:
  KeyPair(X509* leaf, STACK_OF(X509) * chain, EVP_PKEY* key)
      : leaf_(leaf), chain_(chain), key_(key) {}
  ~KeyPair();
  KeyPair(const KeyPair&) = delete;
  KeyPair& operator=(const KeyPair&) = delete;

  X509* leaf() const { return leaf_; }
  STACK_OF(X509) * chain() const { return chain_; }
  EVP_PKEY* key() const { return key_; }

  // The leaf's serial number in upper-case hex, e.g. "1A2B".
  std::string SerialHex() const;
  // The leaf's notAfter in RFC 3339.
  std::string NotAfter() const;

 private:
  X509* leaf_;
  STACK_OF(X509) * chain_;
  EVP_PKEY* key_;
};

// Loads `cert_pem` (leaf first, then any intermediates) and `key_pem` and checks that the key
// matches the leaf. Errors name the file and carry OpenSSL's reason.
Result<std::shared_ptr<const KeyPair>> LoadKeyPair(const std::filesystem::path& cert_file,
                                                   const std::filesystem::path& key_file);

class CertificateStore {
 public:
  // File names inside a certificate directory, as a kubernetes.io/tls Secret mounts them.
  static constexpr const char* kCertFile = "tls.crt";
  static constexpr const char* kKeyFile = "tls.key";

  // Loads tls.crt and tls.key from `dir` and makes them current. On error the current key
  // pair, if any, stays in use.
  Status LoadFromDirectory(const std::filesystem::path& dir);
  void Set(std::shared_ptr<const KeyPair> pair);

  // The current key pair, or null before the first successful load.
  std::shared_ptr<const KeyPair> Current() const;
  bool HasCertificate() const { return Current() != nullptr; }

  // Makes `ctx` serve the current key pair on every new handshake. The store must outlive ctx.
  void AttachTo(SSL_CTX* ctx);

 private:
  static int SelectCertificate(SSL* ssl, void* arg);

  mutable std::mutex mu_;
  std::shared_ptr<const KeyPair> current_;
};

// Drains the thread's OpenSSL error queue into one line, for error messages.
std::string DrainOpenSslErrors();

}  // namespace vtguard::http
