#include "tests/apiserver/https_server.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cstdio>

#include "common/base/log.h"

namespace vtguard::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

struct HttpsServer::Impl {
  asio::io_context ioc;
  ssl::context tls{ssl::context::tls_server};
  tcp::acceptor acceptor{ioc};
};

class Connection {
 public:
  Connection(tcp::socket socket, ssl::context& tls, const std::atomic<bool>* stopping)
      : stream(std::move(socket), tls), server_stopping(stopping) {}
  ssl::stream<tcp::socket> stream;
  const std::atomic<bool>* server_stopping;
  std::mutex write_mu;
  std::atomic<bool> broken{false};

  bool Write(std::string_view bytes) {
    std::lock_guard<std::mutex> lock(write_mu);
    if (broken) return false;
    boost::system::error_code ec;
    asio::write(stream, asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec) broken = true;
    return !ec;
  }
  void Shutdown() {
    broken = true;
    ::shutdown(stream.next_layer().native_handle(), SHUT_RDWR);
  }
};

namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      unsigned int value = 0;
      if (std::sscanf(std::string(text.substr(i + 1, 2)).c_str(), "%2x", &value) == 1) {
        out += static_cast<char>(value);
        i += 2;
        continue;
      }
    }
    out += plus_is_space && text[i] == '+' ? ' ' : text[i];
  }
  return out;
}

std::string StatusLine(int status) {
  return "HTTP/1.1 " + std::to_string(status) + " " +
         std::string(http::obsolete_reason(static_cast<http::status>(status))) + "\r\n";
}

std::string NameEntries(X509_NAME* name, int nid) {
  std::string values;
  int index = -1;
  while ((index = X509_NAME_get_index_by_NID(name, nid, index)) >= 0) {
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
    if (!values.empty()) values += '\n';
    values.append(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                  static_cast<size_t>(ASN1_STRING_length(data)));
  }
  return values;
}

}  // namespace

std::string ServerRequest::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

std::string ServerRequest::Query(const std::string& key) const {
  auto it = query.find(key);
  return it == query.end() ? "" : it->second;
}

bool ResponseWriter::Send(int status, std::string_view content_type, std::string_view body,
                          const std::map<std::string, std::string>& extra_headers) {
  responded_ = true;
  std::string head = StatusLine(status);
  head += "Content-Type: " + std::string(content_type) + "\r\n";
  head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  for (const auto& [name, value] : extra_headers) head += name + ": " + value + "\r\n";
  if (close_after_) head += "Connection: close\r\n";
  head += "\r\n";
  head.append(body);
  return connection_->Write(head);
}

bool ResponseWriter::StartChunked(int status, std::string_view content_type) {
  responded_ = true;
  close_after_ = true;
  std::string head = StatusLine(status);
  head += "Content-Type: " + std::string(content_type) + "\r\n";
  head += "Cache-Control: no-cache, private\r\nTransfer-Encoding: chunked\r\n\r\n";
  return connection_->Write(head);
}

bool ResponseWriter::WriteChunk(std::string_view data) {
  if (data.empty()) return true;
  char size[32];
  std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  std::string chunk = size;
  chunk.append(data);
  chunk += "\r\n";
  return connection_->Write(chunk);
}

bool ResponseWriter::FinishChunked() { return connection_->Write("0\r\n\r\n"); }

bool ResponseWriter::WriteRaw(std::string_view bytes) {
  responded_ = true;
  return connection_->Write(bytes);
}

void ResponseWriter::Abort() {
  responded_ = true;
  close_after_ = true;
  connection_->Shutdown();
}

bool ResponseWriter::stopping() const {
  return connection_->server_stopping->load() || connection_->broken;
}

Result<std::unique_ptr<HttpsServer>> HttpsServer::Start(HttpsServerOptions options,
                                                        RequestHandler handler) {
  std::unique_ptr<HttpsServer> server(new HttpsServer());
  server->impl_ = std::make_unique<Impl>();
  server->handler_ = std::move(handler);
  server->options_ = std::move(options);
  Impl& impl = *server->impl_;
  boost::system::error_code ec;
  impl.tls.set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                       ssl::context::no_tlsv1_1);
  impl.tls.use_certificate_chain(asio::buffer(server->options_.server.cert_pem), ec);
  if (ec) return InvalidArgument("test server certificate: " + ec.message());
  impl.tls.use_private_key(asio::buffer(server->options_.server.key_pem), ssl::context::pem, ec);
  if (ec) return InvalidArgument("test server key: " + ec.message());
  if (!server->options_.client_ca_pem.empty()) {
    impl.tls.add_certificate_authority(asio::buffer(server->options_.client_ca_pem), ec);
    if (ec) return InvalidArgument("test client CA: " + ec.message());
    impl.tls.set_verify_mode(ssl::verify_peer);
  }
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl.acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl.acceptor.bind(endpoint, ec);
  if (!ec) impl.acceptor.listen(64, ec);
  if (ec) return Unavailable("test server: listening on 127.0.0.1 failed: " + ec.message());
  server->port_ = impl.acceptor.local_endpoint().port();
  HttpsServer* raw = server.get();
  server->accept_thread_ = std::thread([raw] { raw->AcceptLoop(); });
  return server;
}

HttpsServer::~HttpsServer() { Stop(); }

void HttpsServer::AcceptLoop() {
  while (!stopping_) {
    pollfd descriptor{impl_->acceptor.native_handle(), POLLIN, 0};
    if (::poll(&descriptor, 1, 50) <= 0) continue;
    boost::system::error_code ec;
    tcp::socket socket(impl_->ioc);
    impl_->acceptor.accept(socket, ec);
    if (ec) continue;
    socket.set_option(tcp::no_delay(true), ec);
    auto connection = std::make_shared<Connection>(std::move(socket), impl_->tls, &stopping_);
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) break;
    connections_.insert(connection);
    threads_.emplace_back([this, connection] { Serve(connection); });
  }
}

void HttpsServer::Serve(std::shared_ptr<Connection> connection) {
  boost::system::error_code ec;
  connection->stream.handshake(ssl::stream_base::server, ec);
  std::string common_name;
  std::vector<std::string> organizations;
  if (!ec) {
    X509* peer = SSL_get_peer_certificate(connection->stream.native_handle());
    if (peer != nullptr && SSL_get_verify_result(connection->stream.native_handle()) == X509_V_OK) {
      common_name = NameEntries(X509_get_subject_name(peer), NID_commonName);
      std::string orgs = NameEntries(X509_get_subject_name(peer), NID_organizationName);
      size_t start = 0;
      while (!orgs.empty() && start <= orgs.size()) {
        size_t end = orgs.find('\n', start);
        organizations.push_back(orgs.substr(start, end - start));
        if (end == std::string::npos) break;
        start = end + 1;
      }
    }
    if (peer != nullptr) X509_free(peer);
  }
  beast::flat_buffer buffer;
  while (!ec && !stopping_) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options_.max_body_bytes);
    http::read(connection->stream, buffer, parser, ec);
    if (ec) break;
    const auto& message = parser.get();
    ServerRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    size_t question = request.target.find('?');
    request.path = PercentDecode(request.target.substr(0, question), false);
    if (question != std::string::npos) {
      std::string query = request.target.substr(question + 1);
      size_t start = 0;
      while (start <= query.size()) {
        size_t end = query.find('&', start);
        std::string pair = query.substr(start, end - start);
        size_t equals = pair.find('=');
        if (!pair.empty()) {
          request.query[PercentDecode(pair.substr(0, equals), true)] =
              equals == std::string::npos ? "" : PercentDecode(pair.substr(equals + 1), true);
        }
        if (end == std::string::npos) break;
        start = end + 1;
      }
    }
    for (const auto& field : message) {
      request.headers[Lower(field.name_string())] = std::string(field.value());
    }
    request.body = message.body();
    request.client_cert_common_name = common_name;
    request.client_cert_organizations = organizations;
    ResponseWriter writer(connection.get());
    if (!message.keep_alive()) writer.CloseAfter();
    handler_(request, writer);
    if (!writer.responded()) writer.Send(500, "text/plain", "handler sent no response");
    if (writer.close_after() || connection->broken) break;
  }
  connection->Shutdown();
  std::lock_guard<std::mutex> lock(mu_);
  connections_.erase(connection);
}

void HttpsServer::DropConnections() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& connection : connections_) connection->Shutdown();
}

void HttpsServer::Stop() {
  if (stopping_.exchange(true)) return;
  if (accept_thread_.joinable()) accept_thread_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& connection : connections_) connection->Shutdown();
    threads.swap(threads_);
  }
  for (std::thread& thread : threads) thread.join();
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
}

}  // namespace vtguard::testing
