// Certificate reload under continuous load: the Secret volume's ..data link is swapped while
// client threads keep sending requests.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "common/http/certificate_reloader.h"
#include "common/http/certificate_store.h"
#include "common/http/tls_context.h"
#include "tests/http/test_client.h"
#include "tests/http/test_pki.h"
#include "tests/http/test_server.h"

namespace vtguard::http {
namespace {

namespace beast_http = boost::beast::http;
using namespace std::chrono_literals;

// Serial numbers as KeyPair::SerialHex and the test client print them.
std::string Hex(long serial) {
  char text[32];
  std::snprintf(text, sizeof(text), "%02lX", serial);
  return text;
}

class ReloadUnderLoad {
 public:
  ReloadUnderLoad(unsigned short port, std::string ca_pem) : port_(port), ca_pem_(ca_pem) {}

  // Each worker opens a new connection every few requests, so handshakes keep happening.
  void Start(int workers) {
    for (int i = 0; i < workers; ++i) {
      threads_.emplace_back([this] { Work(); });
    }
  }
  void Stop() {
    stop_ = true;
    for (std::thread& thread : threads_) thread.join();
  }
  int failures() const { return failures_; }
  int successes() const { return successes_; }

 private:
  void Work() {
    testing::ClientOptions options;
    options.ca_pem = ca_pem_;
    while (!stop_) {
      testing::TestClient client(port_, options);
      for (int i = 0; i < 3 && !stop_; ++i) {
        auto response = client.Post("/echo", "{}");
        if (response.ok() && response->result() == beast_http::status::ok) {
          ++successes_;
        } else {
          ++failures_;
          ADD_FAILURE() << (response.ok() ? "bad status" : response.status().ToString());
        }
      }
    }
  }

  unsigned short port_;
  std::string ca_pem_;
  std::atomic<bool> stop_ = false;
  std::atomic<int> failures_ = 0;
  std::atomic<int> successes_ = 0;
  std::vector<std::thread> threads_;
};

TEST(CertificateReload, SwapsUnderLoadWithoutFailedRequests) {
  testing::TestPki pki;
  testing::TempDir dir;
  testing::WriteSecretVolume(dir.path(), pki.IssueServer(0x10), 1);

  CertificateStore store;
  boost::asio::io_context reload_ioc;
  std::atomic<int> reload_successes = 0;
  std::atomic<int> reload_failures = 0;
  CertificateReloader reloader(reload_ioc, store, dir.path(), 20ms, [&](const Status& result) {
    ++(result.ok() ? reload_successes : reload_failures);
  });
  ASSERT_TRUE(reloader.CheckNow().ok());
  reloader.Start();
  std::thread reload_thread([&reload_ioc] {
    auto guard = boost::asio::make_work_guard(reload_ioc);
    reload_ioc.run();
  });

  auto tls = MakeServerTlsContext(store);
  ASSERT_TRUE(tls.ok());
  Router router;
  router.Add({beast_http::verb::post, "/echo", "", [](const Request& request) {
                Response response(beast_http::status::ok, 11);
                response.body() = request.body();
                return response;
              }});
  testing::RunningServer server(router, *tls);
  testing::ClientOptions options;
  options.ca_pem = pki.ca_pem();

  // A connection opened before the swaps must keep working after them.
  testing::TestClient long_lived(server.port(), options);
  ASSERT_TRUE(long_lived.Connect().ok());
  EXPECT_EQ(long_lived.PeerSerialHex(), Hex(0x10));

  ReloadUnderLoad load(server.port(), pki.ca_pem());
  load.Start(4);

  auto wait_for_serial = [&](const std::string& serial) {
    for (int i = 0; i < 200; ++i) {
      testing::TestClient probe(server.port(), options);
      if (probe.Connect().ok() && probe.PeerSerialHex() == serial) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  };
  auto wait_for = [](const std::atomic<int>& counter, int value) {
    for (int i = 0; i < 200 && counter < value; ++i) std::this_thread::sleep_for(10ms);
    return counter >= value;
  };

  // Lets at least `count` more requests complete, so every phase runs under load.
  auto wait_for_more_requests = [&load](int count) {
    const int target = load.successes() + count;
    for (int i = 0; i < 1000 && load.successes() < target; ++i) std::this_thread::sleep_for(10ms);
    return load.successes() >= target;
  };

  EXPECT_TRUE(wait_for_more_requests(10));
  testing::WriteSecretVolume(dir.path(), pki.IssueServer(0x20), 2);
  EXPECT_TRUE(wait_for_serial(Hex(0x20)));

  // A broken certificate keeps the previous one in use and counts a failure.
  testing::WriteSecretVolume(dir.path(), {"not a certificate", "not a key"}, 3);
  EXPECT_TRUE(wait_for(reload_failures, 1));
  EXPECT_TRUE(wait_for_more_requests(10));
  {
    testing::TestClient probe(server.port(), options);
    ASSERT_TRUE(probe.Connect().ok());
    EXPECT_EQ(probe.PeerSerialHex(), Hex(0x20));
  }

  testing::WriteSecretVolume(dir.path(), pki.IssueServer(0x30), 4);
  EXPECT_TRUE(wait_for_serial(Hex(0x30)));
  EXPECT_TRUE(wait_for_more_requests(10));
  load.Stop();

  auto still_open = long_lived.Post("/echo", "{\"after\":true}");
  ASSERT_TRUE(still_open.ok()) << still_open.status().ToString();
  EXPECT_EQ(still_open->body(), "{\"after\":true}");
  EXPECT_EQ(long_lived.PeerSerialHex(), Hex(0x10));

  EXPECT_EQ(load.failures(), 0);
  EXPECT_EQ(reload_successes, 3);  // Initial load and two good swaps.
  EXPECT_EQ(reload_failures, 1);

  reloader.Stop();
  reload_ioc.stop();
  reload_thread.join();
}

}  // namespace
}  // namespace vtguard::http
