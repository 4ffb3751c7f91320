// Watch faults of the test API server seen through vtguard's client: a stream cut in the middle
// of an event, and an informer that recovers from it without losing the event.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "common/kube/client.h"
#include "common/kube/informer.h"
#include "common/kube/watch.h"
#include "tests/apiserver/api_server.h"
#include "tests/apiserver/server_client_fixture.h"

namespace vtguard::testing {
namespace {

using nlohmann::json;

class WatchFaultTest : public ServerClientTest {
 protected:
  Status CreateConfigMap(const std::string& name) {
    json object = {{"apiVersion", "v1"},
                   {"kind", "ConfigMap"},
                   {"metadata", {{"name", name}, {"namespace", "example"}}}};
    return client_->Create(kConfigMaps, "example", object).status();
  }
};

TEST_F(WatchFaultTest, TruncatedWatchEndsInsideEventLine) {
  Result<json> list = client_->List(kConfigMaps, "example");
  ASSERT_TRUE(list.ok());
  kube::WatchOptions options;
  options.resource_version = (*list)["metadata"].value("resourceVersion", "");
  options.allow_bookmarks = false;
  auto stream = client_->OpenWatch(kConfigMaps, "example", options);
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();

  server_->TruncateWatches();
  ASSERT_TRUE(CreateConfigMap("first").ok());
  std::string body;
  Status status;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string piece;
    status = (*stream)->ReadSome(&piece, std::chrono::seconds(5));
    if (!status.ok()) break;
    body += piece;
  }
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable) << status.ToString();
  EXPECT_FALSE(body.empty());
  EXPECT_EQ(body.find('\n'), std::string::npos) << "only part of the event line: " << body;
  EXPECT_EQ(body.rfind("{\"object\":", 0), 0u) << body;
}

TEST_F(WatchFaultTest, InformerLosesNoEventToTruncation) {
  kube::InformerOptions options;
  options.resource = kConfigMaps;
  options.ns = "example";
  options.initial_backoff = std::chrono::milliseconds(20);
  options.max_backoff = std::chrono::milliseconds(100);
  kube::Informer informer(client_, options);
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(10)));

  const std::vector<std::string> names = {"a", "b", "c", "d"};
  for (const std::string& name : names) {
    server_->TruncateWatches();
    ASSERT_TRUE(CreateConfigMap(name).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (informer.cache().List().size() < names.size() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::vector<std::string> cached;
  for (const json& object : informer.cache().List()) {
    cached.push_back(object["metadata"].value("name", ""));
  }
  std::sort(cached.begin(), cached.end());
  EXPECT_EQ(cached, names);
  EXPECT_GE(informer.watch_count(), 2);
  informer.Stop();
}

}  // namespace
}  // namespace vtguard::testing
