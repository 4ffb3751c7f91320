// vtguard's API client against the test API server.
#include "common/kube/client.h"

#include <gtest/gtest.h>

#include "tests/apiserver/api_server.h"

namespace vtguard::kube {
namespace {

using testing::FaultRule;
using testing::TestApiServer;

nlohmann::json Secret(const std::string& name, nlohmann::json labels = nlohmann::json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", name}, {"labels", labels}}},
          {"data", {{"k", "dg=="}}}};
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = TestApiServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    auto client = Client::Create(server_->ClientConfig());
    ASSERT_TRUE(client.ok());
    client_ = *client;
  }
  std::unique_ptr<TestApiServer> server_;
  std::shared_ptr<Client> client_;
};

TEST_F(ClientTest, CreatesGetsUpdatesAndDeletes) {
  Result<nlohmann::json> created = client_->Create(SecretsResource(), "default", Secret("a"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_FALSE((*created)["metadata"]["uid"].get<std::string>().empty());

  Result<nlohmann::json> got = client_->Get(SecretsResource(), "default", "a");
  ASSERT_TRUE(got.ok());
  nlohmann::json changed = *got;
  changed["data"]["k"] = "dzI=";
  Result<nlohmann::json> updated = client_->Update(SecretsResource(), "default", changed);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_NE((*updated)["metadata"]["resourceVersion"], (*got)["metadata"]["resourceVersion"]);

  // The first read is now stale: optimistic concurrency rejects it.
  Result<nlohmann::json> stale = client_->Update(SecretsResource(), "default", *got);
  EXPECT_EQ(stale.status().code(), ErrorCode::kConflict);

  Result<nlohmann::json> again = client_->Create(SecretsResource(), "default", Secret("a"));
  EXPECT_EQ(again.status().code(), ErrorCode::kAlreadyExists);

  ASSERT_TRUE(client_->Delete(SecretsResource(), "default", "a").ok());
  EXPECT_EQ(client_->Get(SecretsResource(), "default", "a").status().code(), ErrorCode::kNotFound);
}

TEST_F(ClientTest, DeletePreconditionsRejectMismatch) {
  Result<nlohmann::json> created = client_->Create(SecretsResource(), "default", Secret("a"));
  ASSERT_TRUE(created.ok());
  DeleteOptions wrong_uid;
  wrong_uid.precondition_uid = "00000000-0000-4000-8000-000000000000";
  EXPECT_EQ(client_->Delete(SecretsResource(), "default", "a", wrong_uid).code(),
            ErrorCode::kConflict);
  DeleteOptions right;
  right.precondition_uid = (*created)["metadata"]["uid"];
  right.precondition_resource_version = (*created)["metadata"]["resourceVersion"];
  EXPECT_TRUE(client_->Delete(SecretsResource(), "default", "a", right).ok());
}

TEST_F(ClientTest, ListsWithSelectorsAndPages) {
  for (int i = 0; i < 5; ++i) {
    nlohmann::json labels = {{"app.kubernetes.io/managed-by", i % 2 == 0 ? "vtguard" : "other"}};
    ASSERT_TRUE(
        client_->Create(SecretsResource(), "default", Secret("s" + std::to_string(i), labels))
            .ok());
  }
  ListOptions managed;
  managed.label_selector = "app.kubernetes.io/managed-by=vtguard";
  managed.limit = 2;
  Result<nlohmann::json> page = client_->List(SecretsResource(), "default", managed);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ((*page)["items"].size(), 2u);
  EXPECT_FALSE((*page)["metadata"].value("continue", "").empty());
  Result<nlohmann::json> all = client_->ListAll(SecretsResource(), "default", managed);
  ASSERT_TRUE(all.ok());
  std::vector<std::string> names;
  for (const auto& item : (*all)["items"]) names.push_back(item["metadata"]["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"s0", "s2", "s4"}));

  ListOptions by_name;
  by_name.field_selector = "metadata.name=s3";
  EXPECT_EQ((*client_->List(SecretsResource(), "", by_name))["items"].size(), 1u);
}

TEST_F(ClientTest, PatchesWithAllThreeFormats) {
  ASSERT_TRUE(client_->Create(SecretsResource(), "default", Secret("a")).ok());
  nlohmann::json merge = {{"metadata", {{"labels", {{"x", "1"}}}}}};
  ASSERT_TRUE(client_->Patch(SecretsResource(), "default", "a", PatchType::kMerge, merge).ok());
  nlohmann::json test_and_set =
      nlohmann::json::array({{{"op", "test"}, {"path", "/metadata/labels/x"}, {"value", "1"}},
                             {{"op", "replace"}, {"path", "/metadata/labels/x"}, {"value", "2"}}});
  ASSERT_TRUE(
      client_->Patch(SecretsResource(), "default", "a", PatchType::kJson, test_and_set).ok());
  // The same precondition now fails: the label moved on.
  Result<nlohmann::json> raced =
      client_->Patch(SecretsResource(), "default", "a", PatchType::kJson, test_and_set);
  EXPECT_EQ(raced.status().code(), ErrorCode::kInvalidArgument);
  nlohmann::json strategic = {{"metadata", {{"labels", {{"y", "3"}}}}}};
  Result<nlohmann::json> patched =
      client_->Patch(SecretsResource(), "default", "a", PatchType::kStrategicMerge, strategic);
  ASSERT_TRUE(patched.ok());
  EXPECT_EQ((*patched)["metadata"]["labels"], (nlohmann::json{{"x", "2"}, {"y", "3"}}));
}

TEST_F(ClientTest, DryRunStoresNothing) {
  WriteOptions dry_run;
  dry_run.dry_run = true;
  ASSERT_TRUE(client_->Create(SecretsResource(), "default", Secret("a"), dry_run).ok());
  EXPECT_EQ(client_->Get(SecretsResource(), "default", "a").status().code(), ErrorCode::kNotFound);
}

TEST_F(ClientTest, StatusSubresourceAndGenerationOfCustomResource) {
  ASSERT_TRUE(server_
                  ->ApplyYamlFile(std::string(VTGUARD_SHARED_DATA_DIR) +
                                  "/data/vitess-operator/crds/planetscale.com_vitessclusters.yaml")
                  .ok());
  nlohmann::json cluster = {{"apiVersion", "planetscale.com/v2"},
                            {"kind", "VitessCluster"},
                            {"metadata", {{"name", "c1"}}},
                            {"spec", {{"cells", {{{"name", "zone1"}}}}}},
                            {"status", {{"observedGeneration", 7}}}};
  Result<nlohmann::json> created = client_->Create(VitessClustersResource(), "default", cluster);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_FALSE(created->contains("status"));  // status is reset on create
  EXPECT_EQ((*created)["metadata"]["generation"], 1);

  nlohmann::json with_status = *created;
  with_status["status"] = {{"observedGeneration", 1}};
  with_status["spec"]["cells"][0]["name"] = "ignored";
  Result<nlohmann::json> status =
      client_->UpdateStatus(VitessClustersResource(), "default", with_status);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ((*status)["status"]["observedGeneration"], 1);
  EXPECT_EQ((*status)["spec"]["cells"][0]["name"], "zone1");  // spec untouched via status
  EXPECT_EQ((*status)["metadata"]["generation"], 1);

  nlohmann::json spec_change = {{"spec", {{"cells", {{{"name", "zone2"}}}}}}};
  Result<nlohmann::json> patched =
      client_->Patch(VitessClustersResource(), "default", "c1", PatchType::kMerge, spec_change);
  ASSERT_TRUE(patched.ok());
  EXPECT_EQ((*patched)["metadata"]["generation"], 2);
  EXPECT_EQ((*patched)["status"]["observedGeneration"], 1);  // main endpoint keeps status
}

TEST_F(ClientTest, DeletingOwnerCollectsDependents) {
  Result<nlohmann::json> owner =
      client_->Create(ConfigMapsResource(), "default", {{"metadata", {{"name", "owner"}}}});
  ASSERT_TRUE(owner.ok());
  nlohmann::json dependent = Secret("dependent");
  dependent["metadata"]["ownerReferences"] = {{{"apiVersion", "v1"},
                                               {"kind", "ConfigMap"},
                                               {"name", "owner"},
                                               {"uid", (*owner)["metadata"]["uid"]}}};
  ASSERT_TRUE(client_->Create(SecretsResource(), "default", dependent).ok());
  ASSERT_TRUE(client_->Delete(ConfigMapsResource(), "default", "owner").ok());
  EXPECT_EQ(client_->Get(SecretsResource(), "default", "dependent").status().code(),
            ErrorCode::kNotFound);
}

TEST_F(ClientTest, InjectedFaultsDecodeToErrorCodes) {
  FaultRule throttled;
  throttled.verb = "get";
  throttled.resource = "secrets";
  throttled.status = 429;
  throttled.retry_after_seconds = 3;
  throttled.max_hits = 1;
  server_->AddFault(throttled);
  Result<nlohmann::json> first = client_->Get(SecretsResource(), "default", "x");
  EXPECT_EQ(first.status().code(), ErrorCode::kTooManyRequests);
  ASSERT_TRUE(first.status().retry_after().has_value());
  EXPECT_EQ(*first.status().retry_after(), std::chrono::seconds(3));
  EXPECT_EQ(client_->Get(SecretsResource(), "default", "x").status().code(), ErrorCode::kNotFound);

  FaultRule broken;
  broken.verb = "create";
  broken.status = 500;
  server_->AddFault(broken);
  EXPECT_EQ(client_->Create(SecretsResource(), "default", Secret("a")).status().code(),
            ErrorCode::kUnavailable);
}

TEST_F(ClientTest, RequestLogRecordsVerbsAndUser) {
  server_->ClearRequestLog();
  ASSERT_TRUE(client_->Create(SecretsResource(), "default", Secret("a")).ok());
  ASSERT_TRUE(client_->List(LeasesResource(), "default").ok());
  std::vector<testing::RequestRecord> log = server_->RequestLog();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].verb, "create");
  EXPECT_EQ(log[0].resource, "secrets");
  EXPECT_EQ(log[0].ns, "default");
  EXPECT_EQ(log[0].user, "test-admin");
  EXPECT_EQ(log[0].status, 201);
  EXPECT_EQ(log[1].verb, "list");
  EXPECT_EQ(log[1].api_group, "coordination.k8s.io");
}

TEST_F(ClientTest, ReusesKeepAliveConnections) {
  // Many sequential requests must not exhaust anything; the pool keeps one connection.
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(client_->Get(NamespacesResource(), "", "default").ok()) << i;
  }
}

}  // namespace
}  // namespace vtguard::kube
