// An HTTP/1.1 server on Boost.Beast, over TLS (the webhook port) or plain TCP (metrics, health).
//
// Each connection runs a chain of asynchronous steps, on one EventLoops loop or, when the
// server runs on a plain io_context, on a strand of it:
//   [TLS handshake] -> wait for the first byte (idle timeout) -> read header (header timeout)
//   -> route check -> read body (body timeout, size limit) -> handler -> write -> loop
// Requests that break a limit get a status and a one-line reason (400, 404, 405, 408 where the
// connection can still carry a response, 413, 415, 431), and the server keeps serving other
// connections. Keep-alive follows HTTP/1.1 rules. Connections above the limit are closed at accept.
//
// Shutdown() stops accepting, closes idle connections, and lets requests in flight finish
// with "Connection: close"; the owner waits for open_connections() to reach 0 within its bound.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/base/status.h"
#include "common/http/event_loops.h"
#include "common/http/router.h"

namespace vtguard::http {

struct ServerLimits {
  // The Kubernetes API server sends admission bodies of at most 3 MiB (its etcd object limit
  // is 1.5 MiB, doubled for oldObject).
  std::size_t max_body_bytes = 3 * 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds handshake_timeout{5000};
  std::chrono::milliseconds header_timeout{5000};
  std::chrono::milliseconds body_timeout{10000};
  std::chrono::milliseconds write_timeout{10000};
  // How long a keep-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{60000};
  int max_connections = 1024;
};

struct ServerOptions {
  std::string name;  // For logs, e.g. "webhook" or "metrics".
  ServerLimits limits;
  // Called with a snake_case reason for each request or connection rejected by the transport
  // (e.g. "body_too_large", "timeout", "not_found", "handshake_failed").
  std::function<void(std::string_view reason)> on_request_error;
};

// Parses "host:port" (IPv4, "[v6]:port" or a name that resolves to a literal address).
Result<boost::asio::ip::tcp::endpoint> ParseEndpoint(std::string_view address);

class Server {
 public:
  // `tls` is null for plain HTTP. The router and TLS context must outlive the server.
  // Accepts and serves on `ioc`, each connection on a strand, so any number of threads may run
  // it.
  Server(boost::asio::io_context& ioc, ServerOptions options, const Router& router,
         std::shared_ptr<boost::asio::ssl::context> tls);
  // Accepts on loops.main() and serves each connection on loops.Next(). `loops` must outlive
  // the server.
  Server(EventLoops& loops, ServerOptions options, const Router& router,
         std::shared_ptr<boost::asio::ssl::context> tls);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens on `address` ("127.0.0.1:0" picks a free port).
  Status Listen(std::string_view address);
  // The bound port, after Listen.
  unsigned short port() const { return port_; }
  // Sets a callback that runs on a connection's thread after the connection closes, with the
  // number still open. Call before Start.
  void set_on_connection_closed(std::function<void(int open_connections)> callback);
  // Starts accepting on the io_context.
  void Start();
  // Stops accepting and drains; safe to call from any thread, more than once.
  void Shutdown();

  int open_connections() const;

  // Shared with sessions, which may outlive the Server object by a little during shutdown.
  struct State;

 private:
  void DoAccept();
  boost::asio::any_io_executor NextConnectionExecutor();

  boost::asio::io_context& ioc_;
  EventLoops* loops_ = nullptr;  // Null: connections run on strands of ioc_.
  std::shared_ptr<State> state_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
};

}  // namespace vtguard::http
