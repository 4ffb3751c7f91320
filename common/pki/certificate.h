// X.509 certificates: parsing, serialization and the fields vtguard reports.
#pragma once

#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "common/base/time.h"
#include "common/pki/key.h"

namespace vtguard::pki {

// Extended key usages vtguard issues: TLS server (serverAuth) and TLS client (clientAuth).
enum class Usage { kServer, kClient };

// "server" or "client", the spelling of the CLI and the policy.
std::string_view UsageName(Usage usage);
// Parses "server" or "client" (also "serverAuth", "clientAuth"); others are kInvalidArgument.
Result<Usage> ParseUsage(std::string_view text);

// An immutable certificate. Copies share the same OpenSSL object.
class Certificate {
 public:
  // Reads the first certificate of a PEM text.
  static Result<Certificate> FromPem(std::string_view pem);
  // Reads one DER-encoded certificate; trailing bytes are an error.
  static Result<Certificate> FromDer(std::string_view der);
  // Reads PEM when the text contains a PEM header, else DER.
  static Result<Certificate> Parse(std::string_view data);
  // Takes ownership of an OpenSSL certificate.
  static Certificate Adopt(X509* certificate);

  std::string ToPem() const;
  std::string ToDer() const;

  // The subject and issuer in RFC 2253 form, e.g. "CN=vttablet,O=vtguard".
  std::string Subject() const;
  std::string Issuer() const;
  // The subject's first commonName, or "" when it has none.
  std::string CommonName() const;
  std::vector<std::string> DnsNames() const;
  // IP address SANs in text form ("127.0.0.1", "::1").
  std::vector<std::string> IpAddresses() const;
  std::vector<std::string> Uris() const;
  // Extended key usages that vtguard issues, in the order server, client.
  std::vector<Usage> Usages() const;
  // keyUsage bits by their RFC 5280 names ("digitalSignature", "keyCertSign", ...).
  std::vector<std::string> KeyUsages() const;
  // The serial number in upper-case hex without separators.
  std::string SerialHex() const;
  SystemTime NotBefore() const;
  SystemTime NotAfter() const;
  // The SHA-256 digest of the DER encoding, upper-case hex bytes joined by ':'.
  std::string Sha256Fingerprint() const;
  // Whether basicConstraints has CA:TRUE.
  bool IsCa() const;
  // The public key's algorithm and size; kInvalidArgument for algorithms vtguard does not use.
  Result<KeySpec> PublicKeySpec() const;
  // Whether `key` is the private half of this certificate's public key.
  bool MatchesKey(const PrivateKey& key) const;
  // Whether `issuer`'s key signed this certificate and the names chain (no time checks).
  bool IsSignedBy(const Certificate& issuer) const;

  // The OpenSSL certificate, owned by this object.
  X509* get() const { return cert_.get(); }

  friend bool operator==(const Certificate& a, const Certificate& b);

 private:
  explicit Certificate(std::shared_ptr<X509> cert) : cert_(std::move(cert)) {}
  std::shared_ptr<X509> cert_;
};

// Reads every certificate of a PEM text, in order. Text outside PEM blocks is ignored; a text
// without any certificate is kInvalidArgument.
Result<std::vector<Certificate>> ParseCertificates(std::string_view pem);

// A certificate with its private key, e.g. a CA or an issued leaf.
struct CertifiedKey {
  Certificate certificate;
  PrivateKey key;
};

// Pairs a certificate PEM (or DER) with a key PEM; kInvalidArgument when the key is not the
// certificate's key.
Result<CertifiedKey> ParseCertifiedKey(std::string_view certificate, std::string_view key_pem);

}  // namespace vtguard::pki
