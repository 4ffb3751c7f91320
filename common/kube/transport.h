// HTTPS transport for the Kubernetes API: a small pool of keep-alive connections, a timeout on
// every socket operation, response size limits, and streaming responses for watches.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "common/kube/config.h"

namespace vtguard::kube {

struct HttpRequest {
  std::string method = "GET";
  std::string target;  // Path and query, e.g. "/api/v1/namespaces/ns1/secrets?limit=10".
  std::string content_type;
  std::string body;
  std::chrono::milliseconds timeout{30000};  // For the whole exchange.
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // Lower-case names.
  std::string Header(const std::string& lower_name) const;
};

struct TransportOptions {
  size_t max_idle_connections = 4;
  size_t max_response_bytes = 64 << 20;
  std::chrono::milliseconds connect_timeout{10000};
  std::string user_agent = "vtguard";
};

class Connection;

// A response whose body arrives over time (a watch). Not thread-safe except Cancel().
class ResponseStream {
 public:
  ~ResponseStream();
  ResponseStream(const ResponseStream&) = delete;
  ResponseStream& operator=(const ResponseStream&) = delete;

  int status() const { return status_; }

  // Reads the next piece of the body (de-chunked) into `data`. Returns kDeadlineExceeded when no
  // byte arrives within `read_timeout`, kNotFound at a clean end of the body, and kUnavailable
  // when the connection fails or the body ends without its terminating chunk.
  Status ReadSome(std::string* data, std::chrono::milliseconds read_timeout);

  // Reads the whole remaining body (for error responses), up to `max_bytes`.
  Result<std::string> ReadAll(std::chrono::milliseconds timeout, size_t max_bytes);

  // Stops a blocked ReadSome from another thread; it then returns kUnavailable.
  void Cancel();

 private:
  friend class Transport;
  ResponseStream() = default;
  struct State;
  std::unique_ptr<State> state_;
  int status_ = 0;
};

// Sends requests to one API server. Thread-safe; connections are not shared between
// concurrent requests.
class Transport {
 public:
  static Result<std::shared_ptr<Transport>> Create(const ClientConfig& config,
                                                   const TransportOptions& options = {});
  ~Transport();

  Result<HttpResponse> RoundTrip(const HttpRequest& request);

  // Sends `request` on a dedicated connection and returns once the response header arrived.
  Result<std::unique_ptr<ResponseStream>> OpenStream(const HttpRequest& request);

  const ClientConfig& config() const { return config_; }

 private:
  Transport(ClientConfig config, TransportOptions options);
  Status Init();
  Result<std::unique_ptr<Connection>> Connect(std::chrono::milliseconds timeout);
  Result<std::string> AuthorizationHeader();
  void Release(std::unique_ptr<Connection> connection);

  ClientConfig config_;
  TransportOptions options_;
  std::string host_;
  std::string port_;
  struct TlsContext;
  std::unique_ptr<TlsContext> tls_;

  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::string cached_token_;
  int64_t token_mtime_ns_ = -1;
};

}  // namespace vtguard::kube
