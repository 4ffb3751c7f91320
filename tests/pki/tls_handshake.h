// A real TLS handshake over 127.0.0.1 between an OpenSSL server thread and a client, both
// configured from vtguard certificates, for tests.
#pragma once

#include <openssl/ssl.h>

#include <optional>
#include <string>

#include "common/pki/pki.h"

namespace vtguard::pki::testing {

struct TlsPeer {
  // The certificate and key presented; a client may present none.
  std::optional<CertifiedKey> identity;
  // The CAs that verify the other side.
  TrustBundle trust;
  // PEM CRLs; when set, the peer's certificate is checked against them (X509_V_FLAG_CRL_CHECK),
  // so a CRL from its issuer must be among them.
  std::string crl_pem{};
};

struct HandshakeOptions {
  int tls_version = TLS1_3_VERSION;  // TLS1_2_VERSION or TLS1_3_VERSION.
  // The name the client checks in the server certificate.
  std::string server_name = "vttablet.vtguard.internal";
  bool require_client_certificate = false;
};

struct HandshakeResult {
  // The server accepted and the client received the server's first application byte.
  bool ok = false;
  // OpenSSL's errors, followed by the certificate verification failure in brackets when there
  // was one, e.g. "... certificate verify failed (certificate revoked)".
  std::string server_error;
  std::string client_error;
};

// Runs one handshake with 5-second socket timeouts and returns what each side saw.
HandshakeResult RunHandshake(const TlsPeer& server, const TlsPeer& client,
                             const HandshakeOptions& options);

}  // namespace vtguard::pki::testing
