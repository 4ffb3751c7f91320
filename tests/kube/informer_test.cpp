// The informer against the test API server: sync, events, relist after expiry, filtering.
#include "common/kube/informer.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "tests/apiserver/api_server.h"

namespace vtguard::kube {
namespace {

using testing::TestApiServer;

nlohmann::json Secret(const std::string& name, const std::string& managed_by) {
  return {
      {"metadata", {{"name", name}, {"labels", {{"app.kubernetes.io/managed-by", managed_by}}}}}};
}

struct Events {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> seen;

  ResourceEventHandlers Handlers() {
    auto note = [this](const std::string& text) {
      std::lock_guard<std::mutex> lock(mu);
      seen.push_back(text);
      cv.notify_all();
    };
    return {
        [note](const nlohmann::json& o) { note("add " + ObjectKey(o)); },
        [note](const nlohmann::json&, const nlohmann::json& o) { note("update " + ObjectKey(o)); },
        [note](const nlohmann::json& o) { note("delete " + ObjectKey(o)); }};
  }
  bool WaitFor(const std::string& text) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10),
                       [&] { return std::find(seen.begin(), seen.end(), text) != seen.end(); });
  }
};

class InformerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::TestApiServerOptions options;
    options.bookmark_interval = std::chrono::milliseconds(50);
    auto server = TestApiServer::Start(options);
    ASSERT_TRUE(server.ok());
    server_ = std::move(*server);
    client_ = *Client::Create(server_->ClientConfig());
  }
  InformerOptions Options() {
    InformerOptions options;
    options.resource = SecretsResource();
    options.initial_backoff = std::chrono::milliseconds(10);
    return options;
  }
  std::unique_ptr<TestApiServer> server_;
  std::shared_ptr<Client> client_;
};

TEST_F(InformerTest, SyncsThenFollowsUpdatesAndDeletes) {
  ASSERT_TRUE(client_->Create(SecretsResource(), "default", Secret("a", "vtguard")).ok());
  Informer informer(client_, Options());
  Events events;
  informer.AddHandlers(events.Handlers());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(10)));
  EXPECT_TRUE(events.WaitFor("add default/a"));

  nlohmann::json patch = {{"data", {{"k", "dg=="}}}};
  ASSERT_TRUE(client_->Patch(SecretsResource(), "default", "a", PatchType::kMerge, patch).ok());
  EXPECT_TRUE(events.WaitFor("update default/a"));
  ASSERT_TRUE(client_->Delete(SecretsResource(), "default", "a").ok());
  EXPECT_TRUE(events.WaitFor("delete default/a"));
  EXPECT_EQ(informer.cache().size(), 0u);
  informer.Stop();
}

TEST_F(InformerTest, IndexesByNamespaceAndLabel) {
  ASSERT_TRUE(client_->Create(NamespacesResource(), "", {{"metadata", {{"name", "ns2"}}}}).ok());
  ASSERT_TRUE(client_->Create(SecretsResource(), "default", Secret("a", "vtguard")).ok());
  ASSERT_TRUE(client_->Create(SecretsResource(), "ns2", Secret("b", "vtguard")).ok());
  ASSERT_TRUE(client_->Create(SecretsResource(), "ns2", Secret("c", "helm")).ok());
  Informer informer(client_, Options());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(10)));
  EXPECT_EQ(informer.cache().ListByNamespace("ns2").size(), 2u);
  EXPECT_EQ(informer.cache().ListByLabel("app.kubernetes.io/managed-by", "vtguard").size(), 2u);
  informer.Stop();
}

TEST_F(InformerTest, LabelSelectorKeepsUnrelatedObjectsOut) {
  ASSERT_TRUE(client_->Create(SecretsResource(), "default", Secret("mine", "vtguard")).ok());
  ASSERT_TRUE(client_->Create(SecretsResource(), "default", Secret("theirs", "helm")).ok());
  InformerOptions options = Options();
  options.label_selector = "app.kubernetes.io/managed-by=vtguard";
  Informer informer(client_, options);
  Events events;
  informer.AddHandlers(events.Handlers());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(10)));
  ASSERT_TRUE(client_->Create(SecretsResource(), "default", Secret("later", "helm")).ok());
  ASSERT_TRUE(client_->Create(SecretsResource(), "default", Secret("mine2", "vtguard")).ok());
  EXPECT_TRUE(events.WaitFor("add default/mine2"));
  EXPECT_EQ(informer.cache().Keys(), (std::vector<std::string>{"default/mine", "default/mine2"}));
  informer.Stop();
}

TEST_F(InformerTest, RelistsAfterExpiryAndNoticesDeletionsMissedMeanwhile) {
  ASSERT_TRUE(client_->Create(SecretsResource(), "default", Secret("a", "vtguard")).ok());
  ASSERT_TRUE(client_->Create(SecretsResource(), "default", Secret("b", "vtguard")).ok());
  Informer informer(client_, Options());
  Events events;
  informer.AddHandlers(events.Handlers());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(10)));
  ASSERT_TRUE(events.WaitFor("add default/b"));

  // Fail every watch so the deletion happens while disconnected, then expire the history.
  testing::FaultRule no_watch;
  no_watch.verb = "watch";
  no_watch.status = 500;
  server_->AddFault(no_watch);
  server_->DropWatches();
  ASSERT_TRUE(client_->Delete(SecretsResource(), "default", "b").ok());
  server_->ExpireResourceVersions();
  server_->ClearFaults();

  EXPECT_TRUE(events.WaitFor("delete default/b"));
  EXPECT_EQ(informer.cache().Keys(), std::vector<std::string>{"default/a"});
  EXPECT_GE(informer.list_count(), 2);
  informer.Stop();
}

TEST_F(InformerTest, PagedListDropsMissingObjects) {
  for (const char* name : {"a", "b", "c", "d", "e"}) {
    ASSERT_TRUE(client_->Create(SecretsResource(), "default", Secret(name, "vtguard")).ok());
  }
  InformerOptions options = Options();
  options.list_page_size = 2;
  Informer informer(client_, options);
  Events events;
  informer.AddHandlers(events.Handlers());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(10)));
  EXPECT_EQ(informer.cache().size(), 5u);
  int list_requests = 0;
  for (const auto& record : server_->RequestLog()) {
    if (record.verb == "list" && record.resource == "secrets") ++list_requests;
  }
  EXPECT_EQ(list_requests, 3);

  // A relist after expiry that no longer contains "c" reports it deleted.
  testing::FaultRule no_watch;
  no_watch.verb = "watch";
  no_watch.status = 500;
  server_->AddFault(no_watch);
  server_->DropWatches();
  ASSERT_TRUE(client_->Delete(SecretsResource(), "default", "c").ok());
  server_->ExpireResourceVersions();
  server_->ClearFaults();
  EXPECT_TRUE(events.WaitFor("delete default/c"));
  EXPECT_EQ(informer.cache().Keys(),
            (std::vector<std::string>{"default/a", "default/b", "default/d", "default/e"}));
  informer.Stop();
}

TEST_F(InformerTest, TransformAppliesToListedAndWatchedObjects) {
  ASSERT_TRUE(client_->Create(SecretsResource(), "default", Secret("listed", "vtguard")).ok());
  InformerOptions options = Options();
  options.transform = [](nlohmann::json& object) {
    object.erase("data");
    object["metadata"]["annotations"]["transformed"] = "yes";
  };
  Informer informer(client_, options);
  std::mutex mu;
  std::vector<nlohmann::json> handled;
  informer.AddHandlers({[&](const nlohmann::json& o) {
                          std::lock_guard<std::mutex> lock(mu);
                          handled.push_back(o);
                        },
                        nullptr, nullptr});
  Events events;
  informer.AddHandlers(events.Handlers());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(10)));
  nlohmann::json watched = Secret("watched", "vtguard");
  watched["data"] = {{"tls.key", "c2VjcmV0"}};
  ASSERT_TRUE(client_->Create(SecretsResource(), "default", watched).ok());
  ASSERT_TRUE(events.WaitFor("add default/watched"));

  for (const char* key : {"default/listed", "default/watched"}) {
    std::optional<nlohmann::json> cached = informer.cache().Get(key);
    ASSERT_TRUE(cached.has_value()) << key;
    EXPECT_FALSE(cached->contains("data")) << key;
    EXPECT_EQ((*cached)["metadata"]["annotations"]["transformed"], "yes") << key;
  }
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(handled.size(), 2u);
  for (const nlohmann::json& object : handled) EXPECT_FALSE(object.contains("data"));
  informer.Stop();
}

TEST_F(InformerTest, StripManagedFieldsKeepsOtherMetadata) {
  nlohmann::json object = {
      {"metadata",
       {{"name", "a"}, {"labels", {{"k", "v"}}}, {"managedFields", {{{"manager", "kubectl"}}}}}}};
  StripManagedFields(object);
  EXPECT_FALSE(object["metadata"].contains("managedFields"));
  EXPECT_EQ(object["metadata"]["name"], "a");
  EXPECT_EQ(object["metadata"]["labels"]["k"], "v");
  nlohmann::json no_metadata = {{"kind", "Secret"}};
  StripManagedFields(no_metadata);
  EXPECT_EQ(no_metadata, (nlohmann::json{{"kind", "Secret"}}));
}

TEST_F(InformerTest, ResumesFromBookmarkAfterDroppedWatch) {
  Informer informer(client_, Options());
  Events events;
  informer.AddHandlers(events.Handlers());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(10)));
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // a few bookmarks pass
  server_->DropWatches();
  ASSERT_TRUE(client_->Create(SecretsResource(), "default", Secret("a", "vtguard")).ok());
  EXPECT_TRUE(events.WaitFor("add default/a"));
  EXPECT_EQ(informer.list_count(), 1);  // resumed without a relist
  EXPECT_GE(informer.watch_count(), 2);
  informer.Stop();
}

}  // namespace
}  // namespace vtguard::kube
