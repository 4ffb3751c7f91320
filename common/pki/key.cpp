#include "common/pki/key.h"

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cctype>

#include "common/pki/openssl_error.h"
#include "common/pki/openssl_handles.h"

namespace vtguard::pki {
namespace {

constexpr std::string_view kAllowedKeys =
    "allowed: ECDSA with size 256 or 384, RSA with size 2048, 3072 or 4096, Ed25519";

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

std::shared_ptr<EVP_PKEY> Share(EvpPkeyPtr key) {
  return std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free);
}

Result<KeySpec> SpecOf(const EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC: {
      int bits = EVP_PKEY_get_bits(key);
      if (bits == 256 || bits == 384) return KeySpec{KeyAlgorithm::kEcdsa, bits};
      return InvalidArgument("unsupported ECDSA key of " + std::to_string(bits) + " bits (" +
                             std::string(kAllowedKeys) + ")");
    }
    case EVP_PKEY_RSA: {
      int bits = EVP_PKEY_get_bits(key);
      if (bits == 2048 || bits == 3072 || bits == 4096) return KeySpec{KeyAlgorithm::kRsa, bits};
      return InvalidArgument("unsupported RSA key of " + std::to_string(bits) + " bits (" +
                             std::string(kAllowedKeys) + ")");
    }
    case EVP_PKEY_ED25519:
      return KeySpec{KeyAlgorithm::kEd25519, 0};
    default:
      return InvalidArgument("unsupported key algorithm (" + std::string(kAllowedKeys) + ")");
  }
}

EvpPkeyPtr GenerateRaw(const KeySpec& spec) {
  switch (spec.algorithm) {
    case KeyAlgorithm::kEcdsa:
      return EvpPkeyPtr(EVP_EC_gen(spec.size == 384 ? "P-384" : "P-256"));
    case KeyAlgorithm::kRsa:
      return EvpPkeyPtr(EVP_RSA_gen(static_cast<unsigned int>(spec.size)));
    case KeyAlgorithm::kEd25519:
      return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  }
  return nullptr;
}

constexpr std::string_view kExpectedKeyFormats =
    "expected PKCS#8 (BEGIN PRIVATE KEY), PKCS#1 (BEGIN RSA PRIVATE KEY) or SEC1 (BEGIN EC "
    "PRIVATE KEY)";

// A PEM private key label and the decoder settings for it. Naming the structure and key type
// makes OpenSSL 3.0 build a much smaller decoder chain than a fully open decoder.
struct PemKeyFormat {
  std::string_view header;
  const char* structure;
  const char* key_type;
};

constexpr PemKeyFormat kPemKeyFormats[] = {
    {"-----BEGIN PRIVATE KEY-----", "PrivateKeyInfo", nullptr},
    {"-----BEGIN RSA PRIVATE KEY-----", "type-specific", "RSA"},
    {"-----BEGIN EC PRIVATE KEY-----", "type-specific", "EC"},
};

// Decodes a private key with OpenSSL's decoder from "PEM" or "DER" input; `structure` and
// `key_type` may be null to accept PKCS#8, PKCS#1 and SEC1.
Result<EvpPkeyPtr> Decode(std::string_view data, const char* input_type, const char* structure,
                          const char* key_type) {
  EVP_PKEY* raw = nullptr;
  std::unique_ptr<OSSL_DECODER_CTX, OpenSslDeleter<OSSL_DECODER_CTX_free>> decoder(
      OSSL_DECODER_CTX_new_for_pkey(&raw, input_type, structure, key_type, EVP_PKEY_KEYPAIR,
                                    nullptr, nullptr));
  if (decoder == nullptr) return OpenSslError("creating the key decoder");
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  size_t length = data.size();
  if (OSSL_DECODER_from_data(decoder.get(), &bytes, &length) != 1 || raw == nullptr) {
    ClearOpenSslErrors();
    return InvalidArgument(std::string("no valid unencrypted private key found in the ") +
                           input_type + " data; " + std::string(kExpectedKeyFormats));
  }
  return EvpPkeyPtr(raw);
}

}  // namespace

Result<KeySpec> ParseKeySpec(std::string_view algorithm, int size) {
  std::string name = Lower(algorithm);
  // Appended piece by piece: gcc 12 at -O3 reports a false -Wrestrict for "\"" + string.
  std::string given(1, '"');
  given.append(algorithm).append("\" with size ").append(std::to_string(size));
  if (name == "ecdsa" || name == "ec") {
    if (size == 0) size = 256;
    if (size == 256 || size == 384) return KeySpec{KeyAlgorithm::kEcdsa, size};
    return InvalidArgument("unsupported key " + given + "; " + std::string(kAllowedKeys));
  }
  if (name == "rsa") {
    if (size == 0) size = 2048;
    if (size == 2048 || size == 3072 || size == 4096) return KeySpec{KeyAlgorithm::kRsa, size};
    return InvalidArgument("unsupported key " + given + "; " + std::string(kAllowedKeys));
  }
  if (name == "ed25519") {
    if (size == 0 || size == 256) return KeySpec{KeyAlgorithm::kEd25519, 0};
    return InvalidArgument("unsupported key " + given + "; " + std::string(kAllowedKeys));
  }
  return InvalidArgument("unknown key algorithm \"" + std::string(algorithm) + "\"; " +
                         std::string(kAllowedKeys));
}

std::string_view KeyAlgorithmName(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::kEcdsa:
      return "ECDSA";
    case KeyAlgorithm::kRsa:
      return "RSA";
    case KeyAlgorithm::kEd25519:
      return "Ed25519";
  }
  return "unknown";
}

std::string DescribeKeySpec(const KeySpec& spec) {
  switch (spec.algorithm) {
    case KeyAlgorithm::kEcdsa:
      return "ECDSA P-" + std::to_string(spec.size);
    case KeyAlgorithm::kRsa:
      return "RSA " + std::to_string(spec.size);
    case KeyAlgorithm::kEd25519:
      return "Ed25519";
  }
  return "unknown";
}

Result<PrivateKey> PrivateKey::Generate(const KeySpec& spec) {
  VTG_ASSIGN_OR_RETURN(KeySpec checked, ParseKeySpec(KeyAlgorithmName(spec.algorithm), spec.size));
  EvpPkeyPtr key = GenerateRaw(checked);
  if (key == nullptr) return OpenSslError("generating a " + DescribeKeySpec(checked) + " key");
  return PrivateKey(Share(std::move(key)), checked);
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  if (pem.find("ENCRYPTED PRIVATE KEY") != std::string_view::npos ||
      pem.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos) {
    return InvalidArgument("the private key is encrypted; write it without a passphrase");
  }
  for (const PemKeyFormat& format : kPemKeyFormats) {
    size_t start = pem.find(format.header);
    if (start == std::string_view::npos) continue;
    VTG_ASSIGN_OR_RETURN(EvpPkeyPtr key,
                         Decode(pem.substr(start), "PEM", format.structure, format.key_type));
    return Adopt(key.release());
  }
  return InvalidArgument("no PEM private key found; " + std::string(kExpectedKeyFormats));
}

Result<PrivateKey> PrivateKey::FromDer(std::string_view der) {
  // Every supported DER key is an ASN.1 SEQUENCE; anything else is rejected before the
  // comparatively expensive decoder is set up.
  if (der.empty() || static_cast<unsigned char>(der[0]) != 0x30) {
    return InvalidArgument("no DER private key found; " + std::string(kExpectedKeyFormats));
  }
  VTG_ASSIGN_OR_RETURN(EvpPkeyPtr key, Decode(der, "DER", nullptr, nullptr));
  return Adopt(key.release());
}

Result<PrivateKey> PrivateKey::Adopt(EVP_PKEY* key) {
  EvpPkeyPtr owned(key);
  VTG_ASSIGN_OR_RETURN(KeySpec spec, SpecOf(owned.get()));
  return PrivateKey(Share(std::move(owned)), spec);
}

Result<std::string> PrivateKey::ToPkcs8Pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("writing the private key as PKCS#8 PEM");
  }
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

}  // namespace vtguard::pki
