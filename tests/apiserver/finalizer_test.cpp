// Graceful deletion in the test API server: metadata.finalizers hold a deleted object, marked
// with deletionTimestamp, until the last finalizer is removed, as kube-apiserver does.
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "common/kube/client.h"
#include "common/kube/informer.h"
#include "tests/apiserver/api_server.h"
#include "tests/apiserver/server_client_fixture.h"

namespace vtguard::testing {
namespace {

using nlohmann::json;

class FinalizerTest : public ServerClientTest {
 protected:
  Result<json> CreateConfigMap(const json& finalizers) {
    json object = {{"apiVersion", "v1"},
                   {"kind", "ConfigMap"},
                   {"metadata", {{"name", "held"}, {"namespace", "example"}}},
                   {"data", {{"key", "value"}}}};
    if (!finalizers.empty()) object["metadata"]["finalizers"] = finalizers;
    return client_->Create(kConfigMaps, "example", object);
  }
  Result<json> Get() { return client_->Get(kConfigMaps, "example", "held"); }
};

TEST_F(FinalizerTest, DeleteMarksObjectUntilLastFinalizerGoes) {
  ASSERT_TRUE(CreateConfigMap({"example.com/first", "example.com/second"}).ok());
  ASSERT_TRUE(client_->Delete(kConfigMaps, "example", "held").ok());

  Result<json> marked = Get();
  ASSERT_TRUE(marked.ok()) << marked.status().ToString();
  EXPECT_TRUE((*marked)["metadata"].contains("deletionTimestamp")) << marked->dump();
  EXPECT_EQ((*marked)["metadata"].value("deletionGracePeriodSeconds", -1), 0);
  const std::string timestamp = (*marked)["metadata"].value("deletionTimestamp", "");

  // A second DELETE changes nothing.
  ASSERT_TRUE(client_->Delete(kConfigMaps, "example", "held").ok());
  EXPECT_EQ((*Get())["metadata"].value("resourceVersion", ""),
            (*marked)["metadata"].value("resourceVersion", ""));

  // An update keeps the mark, whatever it sends.
  json first_gone = *marked;
  first_gone["metadata"]["finalizers"] = {"example.com/second"};
  first_gone["metadata"].erase("deletionTimestamp");
  Result<json> updated = client_->Update(kConfigMaps, "example", first_gone);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ((*updated)["metadata"].value("deletionTimestamp", ""), timestamp);
  ASSERT_TRUE(Get().ok());

  json last_gone = *updated;
  last_gone["metadata"]["finalizers"] = json::array();
  ASSERT_TRUE(client_->Update(kConfigMaps, "example", last_gone).ok());
  Result<json> gone = Get();
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), ErrorCode::kNotFound);
}

TEST_F(FinalizerTest, NoNewFinalizerWhileDeleting) {
  ASSERT_TRUE(CreateConfigMap({"example.com/first"}).ok());
  ASSERT_TRUE(client_->Delete(kConfigMaps, "example", "held").ok());
  json object = *Get();
  object["metadata"]["finalizers"].push_back("example.com/late");
  Result<json> rejected = client_->Update(kConfigMaps, "example", object);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(rejected.status().message().find("no new finalizers"), std::string::npos)
      << rejected.status().message();
}

TEST_F(FinalizerTest, PatchRemovingFinalizerDeletes) {
  ASSERT_TRUE(CreateConfigMap({"example.com/first"}).ok());
  ASSERT_TRUE(client_->Delete(kConfigMaps, "example", "held").ok());
  Result<json> patched =
      client_->Patch(kConfigMaps, "example", "held", kube::PatchType::kJson,
                     json::array({{{"op", "remove"}, {"path", "/metadata/finalizers/0"}}}));
  ASSERT_TRUE(patched.ok()) << patched.status().ToString();
  EXPECT_EQ(Get().status().code(), ErrorCode::kNotFound);
}

TEST_F(FinalizerTest, ObjectWithoutFinalizersGoesAtOnce) {
  ASSERT_TRUE(CreateConfigMap(json::array()).ok());
  ASSERT_TRUE(client_->Delete(kConfigMaps, "example", "held").ok());
  EXPECT_EQ(Get().status().code(), ErrorCode::kNotFound);
}

TEST_F(FinalizerTest, CreateIgnoresDeletionTimestamp) {
  json object = {{"apiVersion", "v1"},
                 {"kind", "ConfigMap"},
                 {"metadata",
                  {{"name", "held"},
                   {"namespace", "example"},
                   {"deletionTimestamp", "2026-01-01T00:00:00Z"}}}};
  Result<json> created = client_->Create(kConfigMaps, "example", object);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_FALSE((*created)["metadata"].contains("deletionTimestamp"));
}

TEST_F(FinalizerTest, WatchSeesMarkThenDeletion) {
  std::mutex mu;
  std::vector<std::string> seen;
  kube::InformerOptions options;
  options.resource = kConfigMaps;
  options.ns = "example";
  kube::Informer informer(client_, options);
  informer.AddHandlers(
      {[&](const json&) {
         std::lock_guard<std::mutex> lock(mu);
         seen.push_back("added");
       },
       [&](const json&, const json& object) {
         std::lock_guard<std::mutex> lock(mu);
         seen.push_back(object["metadata"].contains("deletionTimestamp") ? "marked" : "modified");
       },
       [&](const json&) {
         std::lock_guard<std::mutex> lock(mu);
         seen.push_back("deleted");
       }});
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(10)));

  ASSERT_TRUE(CreateConfigMap({"example.com/first"}).ok());
  ASSERT_TRUE(client_->Delete(kConfigMaps, "example", "held").ok());
  json object = *Get();
  object["metadata"].erase("finalizers");
  ASSERT_TRUE(client_->Update(kConfigMaps, "example", object).ok());

  const std::vector<std::string> expected = {"added", "marked", "deleted"};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (seen.size() >= expected.size()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  informer.Stop();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(seen, expected);
}

}  // namespace
}  // namespace vtguard::testing
