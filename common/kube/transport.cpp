#include "common/kube/transport.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <limits>

namespace vtguard::kube {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using ErrorCodeT = boost::system::error_code;

struct Transport::TlsContext {
  ssl::context context{ssl::context::tls_client};
};

class Connection {
 public:
  explicit Connection(ssl::context& context) : stream(ioc, context) {}
  asio::io_context ioc;
  ssl::stream<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  bool reused = false;
};

namespace {

// Runs one asynchronous operation on the connection's own event loop with a deadline, so that a
// blocking-style caller still gets a timeout on every socket operation.
template <typename Start>
ErrorCodeT RunWithTimeout(Connection& connection, std::chrono::milliseconds timeout, Start start) {
  beast::get_lowest_layer(connection.stream).expires_after(timeout);
  ErrorCodeT result = asio::error::would_block;
  start([&result](ErrorCodeT ec, auto&&...) { result = ec; });
  connection.ioc.restart();
  connection.ioc.run();
  return result;
}

Status SocketError(const ErrorCodeT& ec, std::string_view what) {
  if (ec == beast::error::timeout) {
    return DeadlineExceeded(std::string(what) + ": timed out");
  }
  return Unavailable(std::string(what) + ": " + ec.message());
}

bool IsStaleConnectionError(const ErrorCodeT& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

template <typename Body>
void CopyHeaders(const http::response<Body>& message, HttpResponse* response) {
  for (const auto& field : message) {
    response->headers[Lower(field.name_string())] = std::string(field.value());
  }
}

template <typename Body>
http::request<Body> BuildRequest(const HttpRequest& request, const std::string& host,
                                 const std::string& user_agent, const std::string& auth) {
  http::request<Body> message;
  message.method_string(request.method);
  message.target(request.target);
  message.version(11);
  message.set(http::field::host, host);
  message.set(http::field::user_agent, user_agent);
  message.set(http::field::accept, "application/json");
  if (!auth.empty()) message.set(http::field::authorization, auth);
  if (!request.content_type.empty()) message.set(http::field::content_type, request.content_type);
  message.keep_alive(true);
  message.body() = request.body;
  message.prepare_payload();
  return message;
}

}  // namespace

std::string HttpResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

// ---- ResponseStream ----

struct ResponseStream::State {
  std::unique_ptr<Connection> connection;
  http::response_parser<http::string_body> parser;
  std::string pending;
  std::function<size_t(std::uint64_t, std::string_view, ErrorCodeT&)> on_chunk;
  std::atomic<bool> cancelled{false};
};

ResponseStream::~ResponseStream() {
  if (state_ && state_->connection) {
    ErrorCodeT ignored;
    beast::get_lowest_layer(state_->connection->stream).socket().close(ignored);
  }
}

Status ResponseStream::ReadSome(std::string* data, std::chrono::milliseconds read_timeout) {
  State& state = *state_;
  data->clear();
  while (state.pending.empty()) {
    if (state.parser.is_done()) return NotFound("end of response body");
    if (state.cancelled) return Unavailable("stream cancelled");
    Connection& connection = *state.connection;
    ErrorCodeT ec = RunWithTimeout(connection, read_timeout, [&](auto handler) {
      http::async_read_some(connection.stream, connection.buffer, state.parser, handler);
    });
    if (state.cancelled) return Unavailable("stream cancelled");
    // A body without chunked encoding lands in the string body instead of the chunk callback.
    std::string& body = state.parser.get().body();
    if (!body.empty()) {
      state.pending += body;
      body.clear();
    }
    if (ec && state.pending.empty()) {
      if (IsStaleConnectionError(ec) || ec == http::error::partial_message) {
        return Unavailable("connection closed before the end of the response body");
      }
      return SocketError(ec, "reading the response body");
    }
    if (ec) break;
  }
  data->swap(state.pending);
  return Status::Ok();
}

Result<std::string> ResponseStream::ReadAll(std::chrono::milliseconds timeout, size_t max_bytes) {
  std::string all;
  std::string piece;
  for (;;) {
    Status status = ReadSome(&piece, timeout);
    if (status.code() == ErrorCode::kNotFound) return all;
    if (!status.ok()) return status;
    all += piece;
    if (all.size() > max_bytes) {
      return ResourceExhausted("response body exceeds " + std::to_string(max_bytes) + " bytes");
    }
  }
}

void ResponseStream::Cancel() {
  state_->cancelled = true;
  Connection* connection = state_->connection.get();
  asio::post(connection->ioc,
             [connection] { beast::get_lowest_layer(connection->stream).cancel(); });
}

// ---- Transport ----

Transport::Transport(ClientConfig config, TransportOptions options)
    : config_(std::move(config)), options_(std::move(options)), tls_(new TlsContext) {}

Transport::~Transport() = default;

Result<std::shared_ptr<Transport>> Transport::Create(const ClientConfig& config,
                                                     const TransportOptions& options) {
  std::shared_ptr<Transport> transport(new Transport(config, options));
  VTG_RETURN_IF_ERROR(transport->Init());
  return transport;
}

Status Transport::Init() {
  const std::string prefix = "https://";
  if (config_.server.rfind(prefix, 0) != 0) {
    return InvalidArgument("server \"" + config_.server + "\" must be an https:// URL");
  }
  std::string authority = config_.server.substr(prefix.size());
  authority = authority.substr(0, authority.find('/'));
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string::npos) return InvalidArgument("server: unterminated IPv6 address");
    host_ = authority.substr(1, close - 1);
    port_ = close + 1 < authority.size() ? authority.substr(close + 2) : "443";
  } else {
    size_t colon = authority.rfind(':');
    host_ = authority.substr(0, colon);
    port_ = colon == std::string::npos ? "443" : authority.substr(colon + 1);
  }
  if (host_.empty()) return InvalidArgument("server \"" + config_.server + "\" has no host");

  ErrorCodeT ec;
  ssl::context& context = tls_->context;
  context.set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                      ssl::context::no_tlsv1_1);
  if (config_.insecure_skip_tls_verify) {
    context.set_verify_mode(ssl::verify_none);
  } else {
    context.set_verify_mode(ssl::verify_peer);
    if (config_.ca_pem.empty()) {
      context.set_default_verify_paths(ec);
    } else {
      context.add_certificate_authority(asio::buffer(config_.ca_pem), ec);
    }
    if (ec) return InvalidArgument("certificate authority: " + ec.message());
  }
  if (!config_.client_cert_pem.empty()) {
    context.use_certificate_chain(asio::buffer(config_.client_cert_pem), ec);
    if (ec) return InvalidArgument("client certificate: " + ec.message());
    context.use_private_key(asio::buffer(config_.client_key_pem), ssl::context::pem, ec);
    if (ec) return InvalidArgument("client key: " + ec.message());
  }
  return Status::Ok();
}

Result<std::unique_ptr<Connection>> Transport::Connect(std::chrono::milliseconds timeout) {
  auto connection = std::make_unique<Connection>(tls_->context);
  tcp::resolver resolver(connection->ioc);
  ErrorCodeT ec;
  tcp::resolver::results_type endpoints = resolver.resolve(host_, port_, ec);
  if (ec) return Unavailable("resolving " + host_ + ": " + ec.message());
  ec = RunWithTimeout(*connection, timeout, [&](auto handler) {
    beast::get_lowest_layer(connection->stream).async_connect(endpoints, handler);
  });
  if (ec) return SocketError(ec, "connecting to " + config_.server);
  beast::get_lowest_layer(connection->stream).socket().set_option(tcp::no_delay(true), ec);

  SSL* ssl_handle = connection->stream.native_handle();
  const std::string& name = config_.tls_server_name.empty() ? host_ : config_.tls_server_name;
  ErrorCodeT not_ip;
  asio::ip::make_address(name, not_ip);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl_handle);
  if (!not_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
  } else {
    SSL_ctrl(ssl_handle, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(name.c_str()));
    X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
  }
  ec = RunWithTimeout(*connection, timeout, [&](auto handler) {
    connection->stream.async_handshake(ssl::stream_base::client, handler);
  });
  if (ec) return SocketError(ec, "TLS handshake with " + config_.server);
  return connection;
}

Result<std::string> Transport::AuthorizationHeader() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!config_.token_file.empty()) {
    struct stat info {};
    if (stat(config_.token_file.c_str(), &info) != 0) {
      return Unavailable(config_.token_file + ": cannot read the bearer token file");
    }
    int64_t mtime = static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
    if (mtime != token_mtime_ns_) {
      // Projected service-account tokens are replaced in place before they expire.
      VTG_ASSIGN_OR_RETURN(std::string token, ReadSmallFile(config_.token_file, 64 << 10));
      while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
        token.pop_back();
      }
      cached_token_ = token;
      token_mtime_ns_ = mtime;
    }
    return "Bearer " + cached_token_;
  }
  if (!config_.token.empty()) return "Bearer " + config_.token;
  return std::string();
}

void Transport::Release(std::unique_ptr<Connection> connection) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() >= options_.max_idle_connections) return;
  connection->reused = true;
  idle_.push_back(std::move(connection));
}

Result<HttpResponse> Transport::RoundTrip(const HttpRequest& request) {
  VTG_ASSIGN_OR_RETURN(std::string auth, AuthorizationHeader());
  auto message = BuildRequest<http::string_body>(request, host_, options_.user_agent, auth);
  const std::string what = request.method + " " + request.target;

  // A pooled connection may have been closed by the server while idle; such a failure is
  // retried once on a new connection.
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Connection> connection;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        connection = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    if (!connection) {
      VTG_ASSIGN_OR_RETURN(connection,
                           Connect(std::min(request.timeout, options_.connect_timeout)));
    }
    const bool reused = connection->reused;
    ErrorCodeT ec = RunWithTimeout(*connection, request.timeout, [&](auto handler) {
      http::async_write(connection->stream, message, handler);
    });
    if (ec && reused && attempt == 0 && IsStaleConnectionError(ec)) continue;
    if (ec) return SocketError(ec, what);

    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.max_response_bytes);
    ec = RunWithTimeout(*connection, request.timeout, [&](auto handler) {
      http::async_read(connection->stream, connection->buffer, parser, handler);
    });
    if (ec && reused && attempt == 0 && IsStaleConnectionError(ec)) continue;
    if (ec == http::error::body_limit) {
      return ResourceExhausted(what + ": response body exceeds " +
                               std::to_string(options_.max_response_bytes) + " bytes");
    }
    if (ec) return SocketError(ec, what);

    HttpResponse response;
    response.status = parser.get().result_int();
    CopyHeaders(parser.get(), &response);
    response.body = std::move(parser.get().body());
    if (parser.get().keep_alive()) Release(std::move(connection));
    return response;
  }
}

Result<std::unique_ptr<ResponseStream>> Transport::OpenStream(const HttpRequest& request) {
  VTG_ASSIGN_OR_RETURN(std::string auth, AuthorizationHeader());
  auto message = BuildRequest<http::string_body>(request, host_, options_.user_agent, auth);
  const std::string what = request.method + " " + request.target;
  VTG_ASSIGN_OR_RETURN(auto connection,
                       Connect(std::min(request.timeout, options_.connect_timeout)));
  ErrorCodeT ec = RunWithTimeout(*connection, request.timeout, [&](auto handler) {
    http::async_write(connection->stream, message, handler);
  });
  if (ec) return SocketError(ec, what);

  std::unique_ptr<ResponseStream> stream(new ResponseStream());
  stream->state_ = std::make_unique<ResponseStream::State>();
  ResponseStream::State& state = *stream->state_;
  state.connection = std::move(connection);
  // A watch body has no natural end; lines are bounded by the caller instead. (boost::none
  // would be the documented way, but Beast 1.74 compares a Content-Length against an empty
  // optional and rejects every such body.)
  state.parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  state.on_chunk = [&state](std::uint64_t, std::string_view body, ErrorCodeT&) {
    state.pending.append(body.data(), body.size());
    return body.size();
  };
  state.parser.on_chunk_body(state.on_chunk);
  ec = RunWithTimeout(*state.connection, request.timeout, [&](auto handler) {
    http::async_read_header(state.connection->stream, state.connection->buffer, state.parser,
                            handler);
  });
  if (ec) return SocketError(ec, what);
  stream->status_ = state.parser.get().result_int();
  return stream;
}

}  // namespace vtguard::kube
