// EventLoops: one thread per loop, connections spread round robin, Stop ends Run.
#include "common/http/event_loops.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "common/http/server.h"
#include "tests/http/test_client.h"

namespace vtguard::http {
namespace {

namespace beast_http = boost::beast::http;

TEST(EventLoops, ZeroMeansTheDefaultCount) {
  EventLoops loops(0);
  EXPECT_EQ(loops.size(), DefaultLoopCount());
  EXPECT_GE(loops.size(), 1u);
  EXPECT_LE(loops.size(), std::max(1u, std::thread::hardware_concurrency()));
}

TEST(LoopCountFor, FollowsAffinityAndCgroupQuota) {
  struct Case {
    unsigned affinity;
    long long quota_us;
    long long period_us;
    unsigned expected;
  };
  const Case cases[] = {
      {64, -1, 0, 64},          // No quota: every CPU the process may run on.
      {64, 150000, 100000, 2},  // A limit of 1.5 CPUs rounds up.
      {64, 100000, 100000, 1}, {64, 50000, 100000, 1},  // Below one CPU: still one loop.
      {2, 800000, 100000, 2},  // The quota never raises the count above the affinity mask.
      {0, -1, 0, 1},           // No CPU known: one loop.
      {8, 100000, 0, 8},       // A zero period is ignored.
  };
  for (const Case& c : cases) {
    EXPECT_EQ(LoopCountFor(c.affinity, c.quota_us, c.period_us), c.expected)
        << c.affinity << " CPUs, quota " << c.quota_us << "/" << c.period_us;
  }
}

TEST(EventLoops, NextTakesTheLoopsInTurn) {
  EventLoops loops(3);
  std::vector<boost::asio::io_context*> picked;
  for (int i = 0; i < 6; ++i) picked.push_back(&loops.Next());
  EXPECT_NE(picked[0], picked[1]);
  EXPECT_NE(picked[1], picked[2]);
  EXPECT_NE(picked[0], picked[2]);
  EXPECT_EQ(picked[0], picked[3]);
  EXPECT_EQ(picked[1], picked[4]);
  EXPECT_EQ(&loops.main(), picked[0]);
}

TEST(EventLoops, RunsLoopsOnSeparateThreads) {
  EventLoops loops(2);
  std::mutex mu;
  std::set<std::thread::id> threads;
  std::thread runner([&loops] { loops.Run(); });
  for (int i = 0; i < 4; ++i) {
    boost::asio::post(loops.Next(), [&] {
      std::lock_guard<std::mutex> lock(mu);
      threads.insert(std::this_thread::get_id());
    });
  }
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (threads.size() == 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::thread::id runner_id = runner.get_id();
  loops.Stop();
  runner.join();  // The loops have no work left; only Stop ends Run.
  EXPECT_EQ(threads.size(), 2u);
  // The first loop runs on the thread that called Run.
  EXPECT_EQ(threads.count(runner_id), 1u);
}

TEST(EventLoops, ServerHandsConnectionsToTheLoopsInTurn) {
  EventLoops loops(2);
  std::mutex mu;
  std::vector<std::thread::id> handler_threads;
  Router router;
  router.Add({beast_http::verb::get, "/thread", "", [&](const Request&) {
                std::lock_guard<std::mutex> lock(mu);
                handler_threads.push_back(std::this_thread::get_id());
                return MakeTextResponse(beast_http::status::ok, "ok");
              }});

  Server server(loops, {"test", {}, nullptr}, router, nullptr);
  ASSERT_TRUE(server.Listen("127.0.0.1:0").ok());
  server.Start();
  std::thread runner([&loops] { loops.Run(); });
  testing::ClientOptions options;
  options.tls = false;
  for (int i = 0; i < 4; ++i) {
    testing::TestClient client(server.port(), options);  // A new connection each time.
    for (int request = 0; request < 2; ++request) {
      auto response = client.Get("/thread");
      ASSERT_TRUE(response.ok()) << response.status().ToString();
    }
  }
  server.Shutdown();
  loops.Stop();
  runner.join();

  ASSERT_EQ(handler_threads.size(), 8u);
  // Both requests of a connection ran on one loop, and consecutive connections on different
  // loops.
  for (std::size_t i = 0; i < 8; i += 2) EXPECT_EQ(handler_threads[i], handler_threads[i + 1]);
  for (std::size_t i = 0; i + 2 < 8; i += 2) {
    EXPECT_NE(handler_threads[i], handler_threads[i + 2]);
  }
}

}  // namespace
}  // namespace vtguard::http
