#include "tests/http/test_client.h"

#include <openssl/x509.h>

namespace vtguard::http::testing {
namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

TestClient::TestClient(unsigned short port, ClientOptions options)
    : port_(port), options_(std::move(options)), ctx_(ssl::context::tls_client) {
  SSL_CTX* ctx = ctx_.native_handle();
  if (options_.min_version < TLS1_2_VERSION) {
    // Old protocol versions need security level 0 on the client side in OpenSSL 3.
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
  }
  SSL_CTX_set_min_proto_version(ctx, options_.min_version);
  SSL_CTX_set_max_proto_version(ctx, options_.max_version);
  if (!options_.ca_pem.empty()) {
    ctx_.add_certificate_authority(net::buffer(options_.ca_pem));
    ctx_.set_verify_mode(ssl::verify_peer);
  } else {
    ctx_.set_verify_mode(ssl::verify_none);
  }
}

TestClient::~TestClient() { Close(); }

beast::tcp_stream& TestClient::Lowest() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }

template <class Start>
boost::system::error_code TestClient::Run(Start start) {
  boost::system::error_code result = net::error::would_block;
  Lowest().expires_after(options_.timeout);
  start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
  ioc_.restart();
  ioc_.run();
  return result;
}

Status TestClient::Connect() {
  Close();
  buffer_.clear();
  if (options_.tls) {
    tls_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc_, ctx_);
    if (!options_.ca_pem.empty()) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tls_->native_handle()), "127.0.0.1");
    }
  } else {
    plain_ = std::make_unique<beast::tcp_stream>(ioc_);
  }
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port_);
  boost::system::error_code ec =
      Run([&](auto handler) { Lowest().async_connect(endpoint, std::move(handler)); });
  if (ec) return Unavailable("connect failed: " + ec.message());
  if (tls_) {
    ec = Run(
        [&](auto handler) { tls_->async_handshake(ssl::stream_base::client, std::move(handler)); });
    if (ec) return Unavailable("TLS handshake failed: " + ec.message());
  }
  connected_ = true;
  return Status::Ok();
}

Result<Response> TestClient::Send(Request request) {
  if (!connected_) VTG_RETURN_IF_ERROR(Connect());
  request.version(11);
  request.set(beast::http::field::host, "127.0.0.1");
  request.prepare_payload();
  boost::system::error_code ec = Run([&](auto handler) {
    if (tls_) {
      beast::http::async_write(*tls_, request, std::move(handler));
    } else {
      beast::http::async_write(*plain_, request, std::move(handler));
    }
  });
  if (ec) {
    connected_ = false;
    return Unavailable("write failed: " + ec.message());
  }
  return ReadResponse();
}

Result<Response> TestClient::Post(std::string_view target, std::string body,
                                  std::string_view content_type) {
  Request request(beast::http::verb::post, target, 11);
  if (!content_type.empty()) request.set(beast::http::field::content_type, content_type);
  request.body() = std::move(body);
  return Send(std::move(request));
}

Result<Response> TestClient::Get(std::string_view target) {
  return Send(Request(beast::http::verb::get, target, 11));
}

Status TestClient::SendRaw(std::string_view bytes) {
  if (!connected_) VTG_RETURN_IF_ERROR(Connect());
  boost::system::error_code ec = Run([&](auto handler) {
    if (tls_) {
      net::async_write(*tls_, net::buffer(bytes.data(), bytes.size()), std::move(handler));
    } else {
      net::async_write(*plain_, net::buffer(bytes.data(), bytes.size()), std::move(handler));
    }
  });
  if (ec) {
    connected_ = false;
    return Unavailable("write failed: " + ec.message());
  }
  return Status::Ok();
}

Result<Response> TestClient::ReadResponse() {
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  boost::system::error_code ec = Run([&](auto handler) {
    if (tls_) {
      beast::http::async_read(*tls_, buffer_, parser, std::move(handler));
    } else {
      beast::http::async_read(*plain_, buffer_, parser, std::move(handler));
    }
  });
  if (ec) {
    connected_ = false;
    return Unavailable("read failed: " + ec.message());
  }
  Response response = parser.release();
  if (!response.keep_alive()) connected_ = false;
  return response;
}

bool TestClient::WaitForClose() {
  char byte = 0;
  boost::system::error_code ec = Run([&](auto handler) {
    if (tls_) {
      tls_->async_read_some(net::buffer(&byte, 1), std::move(handler));
    } else {
      plain_->async_read_some(net::buffer(&byte, 1), std::move(handler));
    }
  });
  connected_ = false;
  return ec && ec != beast::error::timeout;
}

std::string TestClient::PeerSerialHex() {
  if (!tls_) return "";
  X509* peer = SSL_get1_peer_certificate(tls_->native_handle());
  if (peer == nullptr) return "";
  BIGNUM* number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(peer), nullptr);
  char* hex = BN_bn2hex(number);
  std::string text = hex;
  OPENSSL_free(hex);
  BN_free(number);
  X509_free(peer);
  return text;
}

std::string TestClient::ProtocolVersion() {
  return tls_ ? SSL_get_version(tls_->native_handle()) : "";
}

void TestClient::Close() {
  boost::system::error_code ignored;
  if (tls_) beast::get_lowest_layer(*tls_).socket().close(ignored);
  if (plain_) plain_->socket().close(ignored);
  tls_.reset();
  plain_.reset();
  connected_ = false;
}

}  // namespace vtguard::http::testing
