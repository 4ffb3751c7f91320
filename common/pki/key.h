// Private keys: the algorithms vtguard issues, generation, and PEM/DER reading and writing.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/base/status.h"

namespace vtguard::pki {

enum class KeyAlgorithm { kEcdsa, kRsa, kEd25519 };

// An algorithm and its size: the curve size in bits for ECDSA (256 = P-256, 384 = P-384), the
// modulus size for RSA (2048, 3072, 4096) and 0 for Ed25519 (its size is fixed).
struct KeySpec {
  KeyAlgorithm algorithm = KeyAlgorithm::kEcdsa;
  int size = 256;

  friend bool operator==(const KeySpec&, const KeySpec&) = default;
};

// Parses the policy spelling of a key: `algorithm` is "ECDSA", "RSA" or "Ed25519" (case
// insensitive) and `size` is in bits, 0 for the algorithm's default (ECDSA 256, RSA 2048).
// Unknown algorithms and unsupported sizes (RSA 1024, ECDSA 521, any Ed25519 size but 0 or 256)
// are kInvalidArgument errors that name the value and the allowed ones.
Result<KeySpec> ParseKeySpec(std::string_view algorithm, int size = 0);

// "ECDSA", "RSA" or "Ed25519".
std::string_view KeyAlgorithmName(KeyAlgorithm algorithm);
// A readable description: "ECDSA P-256", "RSA 3072", "Ed25519".
std::string DescribeKeySpec(const KeySpec& spec);

// An immutable private key. Copies share the same OpenSSL key.
class PrivateKey {
 public:
  // Generates a fresh key.
  static Result<PrivateKey> Generate(const KeySpec& spec);
  // Reads the first private key of a PEM text in PKCS#8 ("PRIVATE KEY"), PKCS#1
  // ("RSA PRIVATE KEY") or SEC1 ("EC PRIVATE KEY") form. Encrypted keys are rejected.
  static Result<PrivateKey> FromPem(std::string_view pem);
  // Reads a DER-encoded PKCS#8, PKCS#1 or SEC1 key.
  static Result<PrivateKey> FromDer(std::string_view der);
  // Takes ownership of an OpenSSL key; fails when its algorithm or size is not one of KeySpec's.
  static Result<PrivateKey> Adopt(EVP_PKEY* key);

  // The key as unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----").
  Result<std::string> ToPkcs8Pem() const;

  const KeySpec& spec() const { return spec_; }
  // The OpenSSL key, owned by this object.
  EVP_PKEY* get() const { return key_.get(); }

 private:
  PrivateKey(std::shared_ptr<EVP_PKEY> key, KeySpec spec) : key_(std::move(key)), spec_(spec) {}
  std::shared_ptr<EVP_PKEY> key_;
  KeySpec spec_;
};

}  // namespace vtguard::pki
