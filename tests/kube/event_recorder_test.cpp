#include "common/kube/event_recorder.h"

#include <gtest/gtest.h>

#include "tests/apiserver/api_server.h"

namespace vtguard::kube {
namespace {

class EventRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::TestApiServer::Start();
    ASSERT_TRUE(server.ok());
    server_ = std::move(*server);
    client_ = *Client::Create(server_->ClientConfig());
    regarding_.api_version = "planetscale.com/v2";
    regarding_.kind = "VitessCluster";
    regarding_.ns = "default";
    regarding_.name = "example";
    regarding_.uid = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  }
  std::vector<nlohmann::json> Events() {
    return (*client_->List(EventsResource(), "default"))["items"]
        .get<std::vector<nlohmann::json>>();
  }
  std::unique_ptr<testing::TestApiServer> server_;
  std::shared_ptr<Client> client_;
  ObjectReference regarding_;
  FakeClock clock_{SystemTime(std::chrono::hours(490000))};
};

TEST_F(EventRecorderTest, AggregatesRepeatsIntoSeries) {
  EventRecorder recorder(client_, {"vtguard.io/operator", "pod-1", std::chrono::seconds(360)},
                         clock_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(recorder
                    .Record(regarding_, EventType::kNormal, "CertificateIssued", "Issue",
                            "Issued the vttablet certificate.")
                    .ok());
    clock_.Advance(std::chrono::seconds(10));
  }
  std::vector<nlohmann::json> events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["series"]["count"], 3);
  EXPECT_EQ(events[0]["reason"], "CertificateIssued");
  EXPECT_EQ(events[0]["regarding"]["name"], "example");
  EXPECT_EQ(events[0]["reportingController"], "vtguard.io/operator");
  EXPECT_EQ(events[0]["type"], "Normal");
}

TEST_F(EventRecorderTest, KeepsDifferentNotesAndExpiredSeriesApart) {
  EventRecorder recorder(client_, {"vtguard.io/operator", "pod-1", std::chrono::seconds(360)},
                         clock_);
  ASSERT_TRUE(recorder.Record(regarding_, EventType::kWarning, "RenewalFailed", "Renew", "a").ok());
  ASSERT_TRUE(recorder.Record(regarding_, EventType::kWarning, "RenewalFailed", "Renew", "b").ok());
  clock_.Advance(std::chrono::seconds(400));  // past the aggregation window
  ASSERT_TRUE(recorder.Record(regarding_, EventType::kWarning, "RenewalFailed", "Renew", "a").ok());
  EXPECT_EQ(Events().size(), 3u);
}

TEST_F(EventRecorderTest, RedactsPrivateKeysInNotes) {
  EventRecorder recorder(client_, {}, clock_);
  ASSERT_TRUE(recorder
                  .Record(regarding_, EventType::kWarning, "BadKey", "Load",
                          "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----")
                  .ok());
  EXPECT_EQ(Events()[0]["note"], "[redacted]");
}

}  // namespace
}  // namespace vtguard::kube
