// Two electors against the test API server with short durations.
#include "common/kube/leader_election.h"

#include <gtest/gtest.h>

#include <atomic>

#include "tests/apiserver/api_server.h"

namespace vtguard::kube {
namespace {

using std::chrono::milliseconds;
using testing::TestApiServer;

struct Replica {
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  std::unique_ptr<LeaderElector> elector;
};

LeaderElectionConfig ShortConfig(const std::string& identity, Replica* replica) {
  LeaderElectionConfig config;
  config.lease_namespace = "default";
  config.lease_name = "vtguard-operator";
  config.identity = identity;
  config.lease_duration = milliseconds(1000);
  config.renew_deadline = milliseconds(600);
  config.retry_period = milliseconds(100);
  config.on_started_leading = [replica] { ++replica->started; };
  config.on_stopped_leading = [replica] { ++replica->stopped; };
  return config;
}

bool WaitUntil(const std::function<bool()>& condition, milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

class LeaderElectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = TestApiServer::Start();
    ASSERT_TRUE(server.ok());
    server_ = std::move(*server);
  }
  void StartReplica(const std::string& identity, Replica* replica, bool release_on_stop) {
    LeaderElectionConfig config = ShortConfig(identity, replica);
    config.release_on_stop = release_on_stop;
    auto elector = LeaderElector::Create(*Client::Create(server_->ClientConfig()), config);
    ASSERT_TRUE(elector.ok());
    replica->elector = std::move(*elector);
    replica->elector->Start();
  }
  std::unique_ptr<TestApiServer> server_;
};

TEST(LeaderElectorCreate, RejectsInconsistentDurations) {
  LeaderElectionConfig config = ShortConfig("a", nullptr);
  config.renew_deadline = config.lease_duration;
  EXPECT_EQ(LeaderElector::Create(nullptr, config).status().code(), ErrorCode::kInvalidArgument);
  config = ShortConfig("a", nullptr);
  config.retry_period = config.renew_deadline;
  EXPECT_EQ(LeaderElector::Create(nullptr, config).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(LeaderElectionTest, OnlyOneLeadsAndReleaseHandsOverAtOnce) {
  Replica a;
  Replica b;
  StartReplica("a", &a, true);
  ASSERT_TRUE(WaitUntil([&] { return a.elector->IsLeader(); }, milliseconds(5000)));
  StartReplica("b", &b, true);
  std::this_thread::sleep_for(milliseconds(1500));  // longer than the lease duration
  EXPECT_TRUE(a.elector->IsLeader());
  EXPECT_FALSE(b.elector->IsLeader());
  EXPECT_EQ(b.elector->observed_leader(), "a");

  auto stop_time = std::chrono::steady_clock::now();
  a.elector->Stop();
  EXPECT_EQ(a.stopped, 1);
  ASSERT_TRUE(WaitUntil([&] { return b.elector->IsLeader(); }, milliseconds(5000)));
  // A released lease is taken on the next retry, well within one lease duration.
  EXPECT_LT(std::chrono::steady_clock::now() - stop_time, milliseconds(1000));
  b.elector->Stop();
}

TEST_F(LeaderElectionTest, CrashedLeaderIsReplacedAfterLeaseDuration) {
  Replica a;
  Replica b;
  StartReplica("a", &a, /*release_on_stop=*/false);
  ASSERT_TRUE(WaitUntil([&] { return a.elector->IsLeader(); }, milliseconds(5000)));
  StartReplica("b", &b, true);
  std::this_thread::sleep_for(milliseconds(200));
  auto crash_time = std::chrono::steady_clock::now();
  a.elector->Stop();  // stops renewing without giving the lease up, as a crash would
  ASSERT_TRUE(WaitUntil([&] { return b.elector->IsLeader(); }, milliseconds(5000)));
  auto handover = std::chrono::steady_clock::now() - crash_time;
  EXPECT_GE(handover, milliseconds(700));   // not before the lease could expire
  EXPECT_LT(handover, milliseconds(2500));  // lease duration plus a few retries
  Result<nlohmann::json> lease = (*Client::Create(server_->ClientConfig()))
                                     ->Get(LeasesResource(), "default", "vtguard-operator");
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ((*lease)["spec"]["holderIdentity"], "b");
  EXPECT_EQ((*lease)["spec"]["leaseTransitions"], 1);
  b.elector->Stop();
}

TEST_F(LeaderElectionTest, LeaderStopsWorkWhenRenewalsFail) {
  Replica a;
  StartReplica("a", &a, true);
  ASSERT_TRUE(WaitUntil([&] { return a.elector->IsLeader(); }, milliseconds(5000)));
  testing::FaultRule broken;
  broken.verb = "update";
  broken.resource = "leases";
  broken.status = 500;
  server_->AddFault(broken);
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitUntil([&] { return a.stopped.load() == 1; }, milliseconds(5000)));
  // Work stops within the renew deadline (plus one retry), before the lease could expire.
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000));
  EXPECT_FALSE(a.elector->IsLeader());
  server_->ClearFaults();
  ASSERT_TRUE(WaitUntil([&] { return a.started.load() == 2; }, milliseconds(5000)));
  a.elector->Stop();
}

}  // namespace
}  // namespace vtguard::kube
