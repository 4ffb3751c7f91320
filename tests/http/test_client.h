// A Beast HTTP/1.1 client for tests: TLS or plain, keep-alive, every operation under a timeout.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/base/status.h"
#include "common/http/router.h"

namespace vtguard::http::testing {

struct ClientOptions {
  bool tls = true;
  std::string ca_pem;  // Trusted CA; empty skips verification.
  int min_version = TLS1_2_VERSION;
  int max_version = TLS1_3_VERSION;
  std::chrono::milliseconds timeout{5000};
};

class TestClient {
 public:
  TestClient(unsigned short port, ClientOptions options);
  ~TestClient();

  // Opens the TCP connection and, with TLS, completes the handshake.
  Status Connect();
  // Sends `request` and reads the response on the open connection (connecting first if needed).
  Result<Response> Send(Request request);
  Result<Response> Post(std::string_view target, std::string body,
                        std::string_view content_type = "application/json");
  Result<Response> Get(std::string_view target);

  // Writes raw bytes on the connection, for malformed requests.
  Status SendRaw(std::string_view bytes);
  Result<Response> ReadResponse();
  // True when the peer closes the connection (EOF or reset) within the timeout.
  bool WaitForClose();

  // Serial number (upper-case hex) of the certificate the server presented.
  std::string PeerSerialHex();
  // Negotiated protocol, e.g. "TLSv1.3".
  std::string ProtocolVersion();
  bool connected() const { return connected_; }
  void Close();

 private:
  boost::beast::tcp_stream& Lowest();
  template <class Start>
  boost::system::error_code Run(Start start);

  unsigned short port_;
  ClientOptions options_;
  boost::asio::io_context ioc_;
  boost::asio::ssl::context ctx_;
  std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
  std::unique_ptr<boost::beast::tcp_stream> plain_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
};

}  // namespace vtguard::http::testing
