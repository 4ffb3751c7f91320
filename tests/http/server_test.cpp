// Transport tests: real TLS and plain HTTP over loopback against http::Server.
#include "common/http/server.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <atomic>
#include <chrono>
#include <future>
#include <sstream>
#include <thread>

#include "common/base/log.h"
#include "common/http/certificate_store.h"
#include "common/http/tls_context.h"
#include "tests/http/test_client.h"
#include "tests/http/test_pki.h"
#include "tests/http/test_server.h"

namespace vtguard::http {
namespace {

namespace beast_http = boost::beast::http;
using testing::ClientOptions;
using testing::RunningServer;
using testing::TestClient;

ServerLimits ShortLimits() {
  ServerLimits limits;
  limits.max_body_bytes = 3 * 1024 * 1024;
  limits.handshake_timeout = std::chrono::milliseconds(1000);
  limits.header_timeout = std::chrono::milliseconds(400);
  limits.body_timeout = std::chrono::milliseconds(400);
  limits.idle_timeout = std::chrono::milliseconds(3000);
  return limits;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::PemPair pair = pki_.IssueServer(100);
    testing::WriteSecretVolume(dir_.path(), pair, 1);
    ASSERT_TRUE(store_.LoadFromDirectory(dir_.path()).ok());
    auto tls = MakeServerTlsContext(store_);
    ASSERT_TRUE(tls.ok());
    tls_ = *tls;
    router_.Add({beast_http::verb::post, "/echo", "application/json", [](const Request& request) {
                   Response response(beast_http::status::ok, 11);
                   response.set(beast_http::field::content_type, "application/json");
                   response.body() = request.body();
                   return response;
                 }});
    router_.Add({beast_http::verb::post, "/slow", "", [this](const Request&) {
                   in_slow_handler_ = true;
                   std::this_thread::sleep_for(std::chrono::milliseconds(400));
                   return MakeTextResponse(beast_http::status::ok, "slow done");
                 }});
    router_.Add({beast_http::verb::get, "/healthz", "",
                 [](const Request&) { return MakeTextResponse(beast_http::status::ok, "ok"); }});
  }

  ClientOptions TlsClient() {
    ClientOptions options;
    options.ca_pem = pki_.ca_pem();
    return options;
  }

  void ExpectHealthy(unsigned short port) {
    TestClient client(port, TlsClient());
    auto response = client.Get("/healthz");
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->result(), beast_http::status::ok);
  }

  testing::TestPki pki_;
  testing::TempDir dir_;
  CertificateStore store_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  Router router_;
  std::atomic<bool> in_slow_handler_ = false;
};

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  RunningServer server(router_, tls_, ShortLimits());
  TestClient client(server.port(), TlsClient());
  ASSERT_TRUE(client.Connect().ok());
  for (int i = 0; i < 5; ++i) {
    auto response = client.Post("/echo", "{\"n\":" + std::to_string(i) + "}");
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->result(), beast_http::status::ok);
    EXPECT_EQ(response->body(), "{\"n\":" + std::to_string(i) + "}");
    EXPECT_TRUE(client.connected());
  }
  EXPECT_EQ(client.ProtocolVersion(), "TLSv1.3");
  EXPECT_EQ(server.server().open_connections(), 1);
}

TEST_F(ServerTest, Tls12NegotiatesAnAeadCipher) {
  RunningServer server(router_, tls_, ShortLimits());
  ClientOptions options = TlsClient();
  options.max_version = TLS1_2_VERSION;
  TestClient client(server.port(), options);
  auto response = client.Get("/healthz");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(client.ProtocolVersion(), "TLSv1.2");
}

TEST_F(ServerTest, RejectsTls10And11Handshakes) {
  RunningServer server(router_, tls_, ShortLimits());
  for (int version : {TLS1_VERSION, TLS1_1_VERSION}) {
    ClientOptions options = TlsClient();
    options.min_version = version;
    options.max_version = version;
    TestClient client(server.port(), options);
    EXPECT_FALSE(client.Connect().ok()) << "version " << version;
  }
  // The server saw both ClientHellos and refused them. It counts each refusal on its own
  // thread, which can run after the client has already seen the alert, so wait briefly.
  for (int i = 0; i < 300 && server.ErrorCount("handshake_failed") < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(server.ErrorCount("handshake_failed"), 2);
  ExpectHealthy(server.port());
}

TEST_F(ServerTest, PlainHttpOnTlsPortIsClosed) {
  RunningServer server(router_, tls_, ShortLimits());
  ClientOptions options;
  options.tls = false;
  TestClient client(server.port(), options);
  ASSERT_TRUE(client.SendRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").ok());
  EXPECT_FALSE(client.ReadResponse().ok());
  EXPECT_EQ(server.ErrorCount("handshake_failed"), 1);
  ExpectHealthy(server.port());
}

struct StatusCase {
  const char* name;
  std::string raw;  // Bytes sent as the request.
  unsigned expected_status;
  const char* reason;  // Counted transport error.
};

TEST_F(ServerTest, BadRequestsGetTheirStatusAndServerKeepsServing) {
  // The server answers 413 from the Content-Length alone and closes, so only the start of the
  // body is sent: a client writing all of it would see the connection reset.
  const std::size_t big_length = 3 * 1024 * 1024 + 1;
  const std::string body_start(64 * 1024, 'x');
  const std::string flood = [] {
    std::string headers;
    for (int i = 0; i < 2000; ++i) headers += "X-Flood-" + std::to_string(i) + ": y\r\n";
    return headers;
  }();
  const std::vector<StatusCase> cases = {
      {"unknown path", "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", 404, "not_found"},
      {"wrong method", "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method_not_allowed"},
      {"wrong content type",
       "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}",
       415, "unsupported_media_type"},
      {"body over limit",
       "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(big_length) + "\r\n\r\n" + body_start,
       413, "body_too_large"},
      {"header flood", "GET /healthz HTTP/1.1\r\nHost: x\r\n" + flood + "\r\n", 431,
       "header_too_large"},
      {"garbage request line", "HELLO\r\n\r\n", 400, "bad_request"},
      {"bad content length",
       "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
       "abc\r\n\r\n",
       400, "bad_request"},
  };
  RunningServer server(router_, tls_, ShortLimits());
  for (const StatusCase& test : cases) {
    SCOPED_TRACE(test.name);
    const int errors_before = server.ErrorCount(test.reason);
    TestClient client(server.port(), TlsClient());
    ASSERT_TRUE(client.SendRaw(test.raw).ok());
    auto response = client.ReadResponse();
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->result_int(), test.expected_status);
    EXPECT_FALSE(response->body().empty());
    EXPECT_EQ(server.ErrorCount(test.reason), errors_before + 1);
    ExpectHealthy(server.port());
  }
}

TEST_F(ServerTest, SlowDripBodyIsCutOffByTheBodyTimeout) {
  RunningServer server(router_, tls_, ShortLimits());
  TestClient client(server.port(), TlsClient());
  ASSERT_TRUE(client
                  .SendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: "
                           "application/json\r\nContent-Length: 100\r\n\r\n{")
                  .ok());
  for (int i = 0; i < 8 && client.connected(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    client.SendRaw(" ").IgnoreError();  // Fails once the server has closed the connection.
  }
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_EQ(server.ErrorCount("timeout"), 1);
  ExpectHealthy(server.port());
}

TEST_F(ServerTest, SlowDripHeaderIsCutOffByTheHeaderTimeout) {
  RunningServer server(router_, tls_, ShortLimits());
  TestClient client(server.port(), TlsClient());
  ASSERT_TRUE(client.SendRaw("GET /healthz HTTP/1.1\r\n").ok());
  for (int i = 0; i < 8 && client.connected(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    client.SendRaw("X: y\r\n").IgnoreError();
  }
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_EQ(server.ErrorCount("timeout"), 1);
  ExpectHealthy(server.port());
}

TEST_F(ServerTest, ConnectionsAboveTheLimitAreClosed) {
  std::ostringstream log_lines;
  log::SetSink(std::make_shared<spdlog::sinks::ostream_sink_mt>(log_lines));
  ServerLimits limits = ShortLimits();
  limits.max_connections = 2;
  RunningServer server(router_, tls_, limits);
  TestClient first(server.port(), TlsClient());
  TestClient second(server.port(), TlsClient());
  ASSERT_TRUE(first.Connect().ok());
  ASSERT_TRUE(second.Connect().ok());
  TestClient third(server.port(), TlsClient());
  EXPECT_FALSE(third.Connect().ok());
  EXPECT_EQ(server.ErrorCount("too_many_connections"), 1);
  log::ResetSink();
  EXPECT_NE(log_lines.str().find("open-connection limit is reached"), std::string::npos)
      << log_lines.str();
  first.Close();
  // The slot frees once the server sees the close.
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    TestClient retry(server.port(), TlsClient());
    served = retry.Get("/healthz").ok();
  }
  EXPECT_TRUE(served);
}

TEST_F(ServerTest, ShutdownFinishesInFlightRequestsAndClosesIdleOnes) {
  RunningServer server(router_, tls_, ShortLimits());
  TestClient idle(server.port(), TlsClient());
  ASSERT_TRUE(idle.Get("/healthz").ok());
  TestClient busy(server.port(), TlsClient());
  ASSERT_TRUE(busy.Connect().ok());
  auto pending = std::async(std::launch::async, [&busy] { return busy.Post("/slow", "", ""); });
  while (!in_slow_handler_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server.server().Shutdown();

  auto response = pending.get();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body(), "slow done\n");
  EXPECT_FALSE(response->keep_alive());
  EXPECT_TRUE(idle.WaitForClose());
  for (int i = 0; i < 100 && server.server().open_connections() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(server.server().open_connections(), 0);
  TestClient late(server.port(), TlsClient());
  EXPECT_FALSE(late.Connect().ok());
}

TEST_F(ServerTest, PlainHttpModeServesRequests) {
  RunningServer server(router_, nullptr, ShortLimits());
  ClientOptions options;
  options.tls = false;
  TestClient client(server.port(), options);
  for (int i = 0; i < 3; ++i) {
    auto response = client.Get("/healthz");
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->body(), "ok\n");
  }
}

TEST_F(ServerTest, ExpectContinueGetsInterimResponseBeforeTheBody) {
  RunningServer server(router_, tls_, ShortLimits());
  TestClient client(server.port(), TlsClient());
  const std::string body = "{\"n\":1}";
  ASSERT_TRUE(client
                  .SendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           "Expect: 100-continue\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n")
                  .ok());
  auto interim = client.ReadResponse();
  ASSERT_TRUE(interim.ok()) << interim.status().ToString();
  EXPECT_EQ(interim->result(), beast_http::status::continue_);

  ASSERT_TRUE(client.SendRaw(body).ok());
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->result(), beast_http::status::ok);
  EXPECT_EQ(response->body(), body);
}

// A request rejected at its header gets the rejection instead of 100 Continue.
TEST_F(ServerTest, ExpectContinueOnWrongPathGetsTheRejection) {
  RunningServer server(router_, tls_, ShortLimits());
  TestClient client(server.port(), TlsClient());
  ASSERT_TRUE(client
                  .SendRaw("POST /missing HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n")
                  .ok());
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->result(), beast_http::status::not_found);
}

// The operator runs its servers on a plain io_context; there each connection runs on a strand.
TEST_F(ServerTest, SharedIoContextKeepAlive) {
  RunningServer server(router_, tls_, ShortLimits(), 2, nullptr,
                       RunningServer::Threading::kSharedIoContext);
  {
    TestClient client(server.port(), TlsClient());
    for (int i = 0; i < 5; ++i) {
      auto response = client.Post("/echo", "{\"n\":" + std::to_string(i) + "}");
      ASSERT_TRUE(response.ok()) << response.status().ToString();
      EXPECT_EQ(response->body(), "{\"n\":" + std::to_string(i) + "}");
    }
    EXPECT_EQ(server.server().open_connections(), 1);
  }
  for (int i = 0; i < 100 && server.server().open_connections() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(server.server().open_connections(), 0);
}

TEST(ParseEndpoint, AcceptsHostPortForms) {
  EXPECT_EQ(ParseEndpoint("127.0.0.1:8443")->port(), 8443);
  EXPECT_TRUE(ParseEndpoint("0.0.0.0:0").ok());
  EXPECT_TRUE(ParseEndpoint("[::1]:8080").ok());
  EXPECT_TRUE(ParseEndpoint(":8080").ok());
  EXPECT_FALSE(ParseEndpoint("127.0.0.1").ok());
  EXPECT_FALSE(ParseEndpoint("127.0.0.1:99999").ok());
  EXPECT_FALSE(ParseEndpoint("example.com:80").ok());
}

}  // namespace
}  // namespace vtguard::http
