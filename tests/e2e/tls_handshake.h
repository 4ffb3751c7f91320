// Real TLS handshakes between two Vitess processes, using the files their Pods would see.
//
// A server plays the source vttablet's gRPC port with its --grpc-cert/--grpc-key (and --grpc-ca,
// which makes Vitess require client certificates); a client plays a tablet client (VReplication
// in the target vttablet, vtgate, vtctld) with --tablet-grpc-ca, --tablet-grpc-server-name and,
// when set, --tablet-grpc-cert/--tablet-grpc-key. Both sides use OpenSSL with TLS 1.2 as the
// minimum (Vitess hard-codes it), offer ALPN "h2" as gRPC does, and exchange the HTTP/2 client
// preface and a SETTINGS frame after the handshake so that success means a working channel.
// The client dials 127.0.0.1 as tablets dial pod IPs: without a server name it checks the
// certificate against that IP, as Go's crypto/tls does.
//
// Every socket binds or dials 127.0.0.1; every socket operation has a timeout.
#pragma once

#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/base/status.h"
#include "tests/e2e/mounts.h"

namespace vtguard::e2e {

// The server side of a vttablet gRPC port.
struct TlsServerFiles {
  std::filesystem::path cert;               // --grpc-cert (leaf first, then intermediates).
  std::filesystem::path key;                // --grpc-key
  std::optional<std::filesystem::path> ca;  // --grpc-ca: client certificates required.
  bool optional_tls = false;                // --grpc-enable-optional-tls: plaintext accepted too.
  // Time at which client certificates are checked; now when unset. Tests that move a clock
  // forward check at that clock's time.
  std::optional<std::time_t> verify_time;
};

// The client side of a tablet connection. Without ca and cert the client dials plaintext, as
// Vitess does when no TLS client flag is set.
struct TlsClientFiles {
  std::optional<std::filesystem::path> ca;    // Trust bundle; the system roots when absent.
  std::string server_name;                    // Name checked in the server certificate.
  std::optional<std::filesystem::path> cert;  // Client certificate for mutual TLS.
  std::optional<std::filesystem::path> key;
  std::optional<std::time_t> verify_time;  // Time at which the server chain is checked.
};

// What one connection attempt did.
struct HandshakeResult {
  bool ok = false;
  std::string protocol;      // "TLSv1.3", "TLSv1.2" or "plaintext" when ok.
  std::string alpn;          // Negotiated ALPN protocol.
  std::string peer_subject;  // Server certificate subject seen by the client.
  std::string reason;        // Why it failed: client and server OpenSSL errors.
};

// Reads the vttablet server flags of `pod` (--grpc-cert, --grpc-key, --grpc-ca,
// --grpc-enable-optional-tls, in either spelling) and resolves them to files.
Result<TlsServerFiles> TabletServerFiles(const MaterializedPod& pod);

// Reads the client flags <flag_prefix>-ca, -cert, -key and -server-name of `pod` (prefix
// "tablet-grpc" or "tablet-manager-grpc") and resolves them to files.
Result<TlsClientFiles> ClientFiles(const MaterializedPod& pod, std::string_view flag_prefix);

// Reads the tablet client flags (--tablet-grpc-*) of `pod` and resolves them to files.
Result<TlsClientFiles> TabletClientFiles(const MaterializedPod& pod);

// Reads the tablet-manager client flags (--tablet-manager-grpc-*) of `pod`.
Result<TlsClientFiles> TabletManagerClientFiles(const MaterializedPod& pod);

// Runs a TLS server with `server` on 127.0.0.1 port 0 and connects a client with `client`.
HandshakeResult RunHandshake(const TlsServerFiles& server, const TlsClientFiles& client);

// Connects `client`'s tablet client (VReplication, VDiff) to `server`'s vttablet gRPC port.
// A flag that names a file the Pod does not have is reported as a failure.
// `verify_time` sets when both sides check certificates (now when unset).
HandshakeResult TabletHandshake(const MaterializedPod& server, const MaterializedPod& client,
                                std::optional<std::time_t> verify_time = {});

// Sends the plaintext HTTP/2 preface to a server with `server`. The result is ok only when the
// server replied in plaintext, which only optional TLS allows.
HandshakeResult RunPlaintextAttempt(const TlsServerFiles& server);

}  // namespace vtguard::e2e
