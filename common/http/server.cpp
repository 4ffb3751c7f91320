#include "common/http/server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <csignal>
#include <optional>
#include <type_traits>
#include <vector>

#include "common/base/log.h"
#include "common/http/tls_stream.h"

namespace vtguard::http {
namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using http_status = beast::http::status;

struct Server::State {
  State(ServerOptions server_options, const Router& server_router,
        std::shared_ptr<ssl::context> server_tls)
      : options(std::move(server_options)), router(server_router), tls(std::move(server_tls)) {}

  void ReportError(std::string_view reason) const {
    if (options.on_request_error) options.on_request_error(reason);
  }

  // Registers a session's drain callback; returns its id for Unregister.
  std::uint64_t Register(std::function<void()> drain) {
    std::lock_guard<std::mutex> lock(mu);
    const std::uint64_t id = next_id++;
    drainers.emplace(id, std::move(drain));
    return id;
  }
  void Unregister(std::uint64_t id) {
    std::lock_guard<std::mutex> lock(mu);
    drainers.erase(id);
  }

  ServerOptions options;
  std::function<void(int open_connections)> on_connection_closed;
  const Router& router;
  std::shared_ptr<ssl::context> tls;
  std::atomic<int> open{0};
  std::atomic<bool> draining{false};
  // At most one warning per second for connections closed at the limit. The metric counts each.
  log::LogLimiter limit_log{std::chrono::seconds(1)};
  std::mutex mu;
  std::uint64_t next_id = 0;
  std::unordered_map<std::uint64_t, std::function<void()>> drainers;
};

namespace {

constexpr std::size_t kReadChunkBytes = 4096;
constexpr std::chrono::seconds kTlsShutdownTimeout{1};
// After an error response to a request whose body was not read, the server keeps reading and
// discarding for a while before it closes (as nginx's lingering close does). Closing a socket
// with unread input sends a TCP reset, which can destroy the response before the client reads it.
constexpr std::chrono::seconds kLingerTimeout{2};
constexpr std::size_t kMaxLingerBytes = 16 * 1024 * 1024;
constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";

// OpenSSL writes a TLS connection's socket with write(2), which raises SIGPIPE when the peer
// has closed it; the default action would end the process. A failed write is reported as
// EPIPE instead.
void IgnoreSigpipe(const std::shared_ptr<ssl::context>& tls) {
  if (tls) std::signal(SIGPIPE, SIG_IGN);
}

// One connection. kTls selects the stream type; the steps are the same for both.
template <bool kTls>
class Session : public std::enable_shared_from_this<Session<kTls>> {
  using Stream = std::conditional_t<kTls, TlsStream, tcp::socket>;
  using Clock = std::chrono::steady_clock;

 public:
  Session(tcp::socket socket, std::shared_ptr<Server::State> state)
      : stream_(MakeStream(std::move(socket), *state)),
        timer_(stream_.get_executor()),
        state_(std::move(state)) {
    ++state_->open;
  }
  ~Session() {
    state_->Unregister(id_);
    const int open = --state_->open;
    if (state_->on_connection_closed) state_->on_connection_closed(open);
  }

  void Run() {
    std::weak_ptr<Session> weak = this->shared_from_this();
    id_ = state_->Register([weak] {
      if (auto self = weak.lock()) {
        net::post(self->stream_.get_executor(), [self] { self->OnDrain(); });
      }
    });
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->Begin(); });
  }

 private:
  static Stream MakeStream(tcp::socket socket, Server::State& state) {
    if constexpr (kTls) {
      return Stream(std::move(socket), state.tls->native_handle());
    } else {
      return Stream(std::move(socket));
    }
  }

  tcp::socket& Socket() {
    if constexpr (kTls) {
      return stream_.socket();
    } else {
      return stream_;
    }
  }
  const ServerLimits& limits() const { return state_->options.limits; }

  // Gives the step that starts now `timeout` to finish. One timer serves the connection: a
  // later deadline only moves deadline_, and the timer, when it fires early, waits again.
  void SetDeadline(std::chrono::milliseconds timeout) {
    deadline_ = Clock::now() + timeout;
    if (timer_waiting_ && timer_.expiry() <= deadline_) return;
    StartTimer();
  }

  void StartTimer() {
    timer_waiting_ = true;
    timer_.expires_at(deadline_);
    timer_.async_wait(
        [self = this->shared_from_this()](beast::error_code ec) { self->OnTimer(ec); });
  }

  void OnTimer(beast::error_code ec) {
    if (ec == net::error::operation_aborted) return;  // Re-armed or closed.
    timer_waiting_ = false;
    if (closed_) return;
    if (Clock::now() < deadline_) return StartTimer();
    // The pending step completes with operation_aborted and reports the timeout. The socket
    // stays open until the session ends, so that its descriptor cannot be reused meanwhile.
    timed_out_ = true;
    beast::error_code ignored;
    Socket().shutdown(tcp::socket::shutdown_both, ignored);
    Socket().cancel(ignored);
  }

  void Begin() {
    if constexpr (kTls) {
      SetDeadline(limits().handshake_timeout);
      stream_.async_handshake(
          [self = this->shared_from_this()](beast::error_code ec) { self->OnHandshake(ec); });
    } else {
      WaitForRequest();
    }
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {
      state_->ReportError("handshake_failed");
      log::Debug("TLS handshake failed.", {{log::Key::kError, ec.message()}});
      return Abandon();
    }
    WaitForRequest();
  }

  // Waits for the first byte of the next request under the idle timeout, so that the header
  // timeout covers only the header itself.
  void WaitForRequest() {
    if (state_->draining) return Close();
    if (buffer_.size() > 0) return ReadHeader();
    idle_ = true;
    SetDeadline(limits().idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(kReadChunkBytes),
        [self = this->shared_from_this()](beast::error_code ec, std::size_t bytes) {
          self->OnFirstBytes(ec, bytes);
        });
  }

  void OnFirstBytes(beast::error_code ec, std::size_t bytes) {
    idle_ = false;
    if (ec) return Close();  // Peer closed, idle timeout or drain: nothing was in flight.
    buffer_.commit(bytes);
    ReadHeader();
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(limits().max_header_bytes));
    parser_->body_limit(limits().max_body_bytes);
    SetDeadline(limits().header_timeout);
    beast::http::async_read_header(stream_, buffer_, *parser_,
                                   [self = this->shared_from_this()](
                                       beast::error_code ec, std::size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    auto match = state_->router.Match(parser_->get().base());
    if (auto* rejection = std::get_if<Rejection>(&match)) {
      state_->ReportError(rejection->reason);
      // An unread body would be taken for the next request, so only a bodiless request keeps
      // the connection.
      const bool keep_alive = parser_->is_done() && parser_->get().keep_alive();
      return Send(MakeTextResponse(rejection->status, rejection->message), keep_alive,
                  /*linger=*/true);
    }
    route_ = std::get<const Route*>(match);
    if (parser_->is_done()) return Handle();
    SetDeadline(limits().body_timeout);
    if (beast::iequals(parser_->get()[beast::http::field::expect], "100-continue")) {
      // The client waits for this interim response before it sends the body.
      return net::async_write(
          stream_, net::buffer(kContinueResponse),
          [self = this->shared_from_this()](beast::error_code write_ec, std::size_t) {
            if (write_ec) return self->Abandon();
            self->ReadBody();
          });
    }
    ReadBody();
  }

  void ReadBody() {
    beast::http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code read_ec, std::size_t) {
          if (read_ec) return self->OnReadError(read_ec);
          self->Handle();
        });
  }

  // Maps a failed header or body read to a response where the connection can still carry
  // one; a timeout has already shut the socket down.
  void OnReadError(beast::error_code ec) {
    if (timed_out_) {
      state_->ReportError("timeout");
      return Abandon();
    }
    if (ec == beast::http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      return Close();
    }
    if (ec == beast::http::error::body_limit) {
      state_->ReportError("body_too_large");
      return Send(MakeTextResponse(
                      http_status::payload_too_large,
                      "request body exceeds " + std::to_string(limits().max_body_bytes) + " bytes"),
                  false, /*linger=*/true);
    }
    if (ec == beast::http::error::header_limit) {
      state_->ReportError("header_too_large");
      return Send(MakeTextResponse(http_status::request_header_fields_too_large,
                                   "request header exceeds " +
                                       std::to_string(limits().max_header_bytes) + " bytes"),
                  false, /*linger=*/true);
    }
    state_->ReportError("bad_request");
    Send(MakeTextResponse(http_status::bad_request, "malformed HTTP request: " + ec.message()),
         false, /*linger=*/true);
  }

  void Handle() {
    Request request = parser_->release();
    const bool keep_alive = request.keep_alive();
    Response response;
    try {
      response = route_->handler(request);
    } catch (const std::exception& e) {
      log::Error("Request handler failed.",
                 {{log::Key::kPath, std::string(TargetPath(request.target()))},
                  {log::Key::kError, e.what()}});
      response = MakeTextResponse(http_status::internal_server_error, "internal error");
    }
    Send(std::move(response), keep_alive);
  }

  // Writes `response`. `linger` requests a lingering close when the connection is not kept,
  // because request bytes may still be unread.
  void Send(Response response, bool keep_alive, bool linger = false) {
    keep_alive = keep_alive && !state_->draining;
    linger_ = linger && !keep_alive;
    response_.emplace(std::move(response));
    response_->version(11);
    response_->keep_alive(keep_alive);
    response_->prepare_payload();
    SetDeadline(limits().write_timeout);
    beast::http::async_write(
        stream_, *response_,
        [self = this->shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
          self->OnWrite(ec, keep_alive);
        });
  }

  void OnWrite(beast::error_code ec, bool keep_alive) {
    response_.reset();
    if (ec) return Abandon();
    if (linger_) return Linger();
    if (!keep_alive || state_->draining) return Close();
    WaitForRequest();
  }

  // Reads and discards input until the peer closes, a size bound or the linger timeout.
  void Linger() {
    if (lingered_bytes_ == 0) {
      SetDeadline(kLingerTimeout);
      beast::error_code ignored;
      if constexpr (!kTls) Socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    if (lingered_bytes_ > kMaxLingerBytes) return Close();
    buffer_.consume(buffer_.size());
    stream_.async_read_some(
        buffer_.prepare(kReadChunkBytes * 4),
        [self = this->shared_from_this()](beast::error_code ec, std::size_t bytes) {
          if (ec) {
            log::Debug("Lingering close ended.", {{log::Key::kError, ec.message()},
                                                  {log::Key::kCount, self->lingered_bytes_}});
            return self->timed_out_ ? self->Abandon() : self->Close();
          }
          self->lingered_bytes_ += bytes + 1;
          self->Linger();
        });
  }

  // Runs on the connection's loop or strand when the server drains: an idle connection
  // closes now, one with a request in flight closes after its response.
  void OnDrain() {
    beast::error_code ignored;
    if (idle_) Socket().cancel(ignored);
  }

  // Ends the connection cleanly: TLS close_notify, then the socket closes when the session
  // ends.
  void Close() {
    if constexpr (kTls) {
      if (!timed_out_) {
        SetDeadline(kTlsShutdownTimeout);
        stream_.async_shutdown(
            [self = this->shared_from_this()](beast::error_code) { self->Abandon(); });
        return;
      }
    } else {
      beast::error_code ignored;
      Socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    Abandon();
  }

  // Ends the connection without more I/O: the timer stops, and the socket closes once the
  // last pending handler of the session has run.
  void Abandon() {
    closed_ = true;
    timer_.cancel();
  }

  Stream stream_;
  net::steady_timer timer_;
  std::shared_ptr<Server::State> state_;
  std::uint64_t id_ = 0;
  beast::flat_buffer buffer_;
  std::optional<beast::http::request_parser<beast::http::string_body>> parser_;
  std::optional<Response> response_;
  const Route* route_ = nullptr;
  Clock::time_point deadline_{};
  bool timer_waiting_ = false;
  bool timed_out_ = false;
  bool closed_ = false;
  bool idle_ = false;
  bool linger_ = false;
  std::size_t lingered_bytes_ = 0;
};

}  // namespace

Result<tcp::endpoint> ParseEndpoint(std::string_view address) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument("address \"" + std::string(address) + "\" has no port; use host:port");
  }
  std::string host(address.substr(0, colon));
  const std::string port_text(address.substr(colon + 1));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty() || host == "localhost") host = host.empty() ? "0.0.0.0" : "127.0.0.1";
  int port = -1;
  try {
    std::size_t used = 0;
    port = std::stoi(port_text, &used);
    if (used != port_text.size()) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    return InvalidArgument("address \"" + std::string(address) +
                           "\" has an invalid port; use a number from 0 to 65535");
  }
  boost::system::error_code ec;
  const net::ip::address ip = net::ip::make_address(host, ec);
  if (ec) {
    return InvalidArgument("address \"" + std::string(address) +
                           "\" has an invalid IP address; use an IPv4 or [IPv6] literal");
  }
  return tcp::endpoint(ip, static_cast<unsigned short>(port));
}

Server::Server(net::io_context& ioc, ServerOptions options, const Router& router,
               std::shared_ptr<ssl::context> tls)
    : ioc_(ioc),
      state_(std::make_shared<State>(std::move(options), router, std::move(tls))),
      acceptor_(net::make_strand(ioc)) {
  IgnoreSigpipe(state_->tls);
}

Server::Server(EventLoops& loops, ServerOptions options, const Router& router,
               std::shared_ptr<ssl::context> tls)
    : ioc_(loops.main()),
      loops_(&loops),
      state_(std::make_shared<State>(std::move(options), router, std::move(tls))),
      acceptor_(loops.main()) {
  IgnoreSigpipe(state_->tls);
}

Server::~Server() = default;

Status Server::Listen(std::string_view address) {
  VTG_ASSIGN_OR_RETURN(const tcp::endpoint endpoint, ParseEndpoint(address));
  beast::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("listening on " + std::string(address) + " failed: " + ec.message());
  }
  port_ = acceptor_.local_endpoint(ec).port();
  log::Info("Server is listening.",
            {{log::Key::kComponent, state_->options.name},
             {log::Key::kAddress, endpoint.address().to_string() + ":" + std::to_string(port_)}});
  return Status::Ok();
}

void Server::set_on_connection_closed(std::function<void(int open_connections)> callback) {
  state_->on_connection_closed = std::move(callback);
}

void Server::Start() {
  net::dispatch(acceptor_.get_executor(), [this] { DoAccept(); });
}

net::any_io_executor Server::NextConnectionExecutor() {
  // A loop has one thread, so its connections need no strand.
  if (loops_ != nullptr) return loops_->Next().get_executor();
  return net::make_strand(ioc_);
}

void Server::DoAccept() {
  acceptor_.async_accept(NextConnectionExecutor(), [this](beast::error_code ec,
                                                          tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      log::Warn("Accepting a connection failed.",
                {{log::Key::kComponent, state_->options.name}, {log::Key::kError, ec.message()}});
    } else if (state_->open >= state_->options.limits.max_connections) {
      state_->ReportError("too_many_connections");
      std::int64_t suppressed = 0;
      if (state_->limit_log.Allow("too_many_connections", &suppressed)) {
        log::Warn(
            "Closed a new connection because the open-connection limit is reached.",
            {{log::Key::kComponent, state_->options.name},
             {log::Key::kCount, static_cast<std::int64_t>(state_->options.limits.max_connections)},
             {log::Key::kSuppressed, suppressed}});
      }
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      // Nagle's algorithm off, as nginx's tcp_nodelay: a response larger than one TLS record
      // (16 KiB) goes out in several writes, and the last would wait for the peer's ACK.
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      if (state_->tls) {
        std::make_shared<Session<true>>(std::move(socket), state_)->Run();
      } else {
        std::make_shared<Session<false>>(std::move(socket), state_)->Run();
      }
    }
    DoAccept();
  });
}

void Server::Shutdown() {
  state_->draining = true;
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
  std::vector<std::function<void()>> drainers;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    for (const auto& [id, drain] : state_->drainers) drainers.push_back(drain);
  }
  for (const auto& drain : drainers) drain();
}

int Server::open_connections() const { return state_->open; }

}  // namespace vtguard::http
