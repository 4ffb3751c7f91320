// A small blocking HTTPS server for tests: one thread per connection, 127.0.0.1 port 0, with
// byte-level control over responses (chunked streams, raw bytes, abrupt closes) so tests can
// play a real API server, a webhook, or a scripted misbehaving peer.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/base/status.h"
#include "tests/apiserver/test_pki.h"

namespace vtguard::testing {

struct ServerRequest {
  std::string method;
  std::string target;                          // Raw path and query.
  std::string path;                            // Decoded path without the query.
  std::map<std::string, std::string> query;    // Decoded; the last value wins.
  std::map<std::string, std::string> headers;  // Lower-case names.
  std::string body;
  std::string client_cert_common_name;  // Verified client certificate, if any.
  std::vector<std::string> client_cert_organizations;

  std::string Header(const std::string& lower_name) const;
  std::string Query(const std::string& key) const;
};

class Connection;

// Writes one response. Each call returns false once the peer is gone.
class ResponseWriter {
 public:
  explicit ResponseWriter(Connection* connection) : connection_(connection) {}

  bool Send(int status, std::string_view content_type, std::string_view body,
            const std::map<std::string, std::string>& extra_headers = {});
  bool StartChunked(int status, std::string_view content_type);
  bool WriteChunk(std::string_view data);
  bool FinishChunked();
  // Bytes exactly as given, for byte-exact replays.
  bool WriteRaw(std::string_view bytes);
  // Closes the connection after the handler returns (no keep-alive).
  void CloseAfter() { close_after_ = true; }
  // Closes the TCP connection now, without a TLS close_notify or a final chunk.
  void Abort();
  bool close_after() const { return close_after_; }
  bool responded() const { return responded_; }
  // True once the server is stopping; long-running handlers must return.
  bool stopping() const;

 private:
  Connection* connection_;
  bool close_after_ = false;
  bool responded_ = false;
};

using RequestHandler = std::function<void(const ServerRequest&, ResponseWriter&)>;

struct HttpsServerOptions {
  PemPair server;             // Certificate and key presented to clients.
  std::string client_ca_pem;  // When set, client certificates signed by it are verified.
  size_t max_body_bytes = 8 << 20;
};

class HttpsServer {
 public:
  static Result<std::unique_ptr<HttpsServer>> Start(HttpsServerOptions options,
                                                    RequestHandler handler);
  ~HttpsServer();

  int port() const { return port_; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  // Stops accepting, closes every connection and joins every thread.
  void Stop();
  bool stopping() const { return stopping_; }
  // Closes every open connection (clients see a reset), keeping the listener.
  void DropConnections();

 private:
  struct Impl;
  HttpsServer() = default;
  void AcceptLoop();
  void Serve(std::shared_ptr<Connection> connection);

  std::unique_ptr<Impl> impl_;
  RequestHandler handler_;
  HttpsServerOptions options_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  std::mutex mu_;
  std::vector<std::thread> threads_;
  std::set<std::shared_ptr<Connection>> connections_;
};

}  // namespace vtguard::testing
