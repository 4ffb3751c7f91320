// The policy watch against the in-process test API server: list, add, invalid objects, delete.
#include "webhook/policy_watcher.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "common/kube/resource.h"
#include "tests/apiserver/api_server.h"

namespace vtguard::webhook {
namespace {

using nlohmann::json;

json PolicyCrd() {
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", "vitesstlspolicies.vtguard.io"}}},
          {"spec",
           {{"group", "vtguard.io"},
            {"scope", "Namespaced"},
            {"names",
             {{"plural", "vitesstlspolicies"},
              {"singular", "vitesstlspolicy"},
              {"kind", "VitessTLSPolicy"},
              {"shortNames", {"vtp"}}}},
            {"versions",
             {{{"name", "v1alpha1"},
               {"served", true},
               {"storage", true},
               {"schema",
                {{"openAPIV3Schema",
                  {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}}}}}}}}}};
}

json Policy(const std::string& name, const std::string& enforcement,
            const std::string& ns = "example") {
  return {{"apiVersion", "vtguard.io/v1alpha1"},
          {"kind", "VitessTLSPolicy"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", {{"enforcement", enforcement}}}};
}

json Namespace(const std::string& name) {
  return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
}

// Polls `condition` every 10 ms for up to 10 s.
template <class Condition>
bool Eventually(Condition condition) {
  for (int i = 0; i < 1000; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(PolicyWatcher, FollowsPoliciesInTheCluster) {
  auto server = testing::TestApiServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_TRUE((*server)->CreateObject(PolicyCrd()).ok());
  ASSERT_TRUE(
      (*server)
          ->CreateObject(
              {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "example"}}}})
          .ok());
  ASSERT_TRUE((*server)->CreateObject(Policy("first", "Enforce")).ok());

  auto client = kube::Client::Create((*server)->ClientConfig());
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  PolicyStore store;
  PolicyWatcher watcher(*client, store);
  EXPECT_FALSE(store.known());
  watcher.Start();
  ASSERT_TRUE(Eventually([&] { return store.known(); }));
  EXPECT_EQ(store.size(), 1u);

  // An invalid policy is skipped; the valid one created after it shows it was processed.
  ASSERT_TRUE((*server)->CreateObject(Policy("broken", "Sometimes")).ok());
  ASSERT_TRUE((*server)->CreateObject(Policy("second", "Warn")).ok());
  ASSERT_TRUE(Eventually([&] { return store.size() == 2; }));

  ASSERT_TRUE((*client)->Delete(kube::VitessTlsPoliciesResource(), "example", "first", {}).ok());
  ASSERT_TRUE(Eventually([&] { return store.size() == 1; }));
  const json cluster = {{"apiVersion", "planetscale.com/v2"},
                        {"kind", "VitessCluster"},
                        {"metadata", {{"name", "example"}, {"namespace", "example"}}}};
  std::optional<vitess::TlsPolicy> selected =
      store.Select(vitess::ObjectKind::kVitessCluster, cluster, "example");
  ASSERT_TRUE(selected.has_value());
  EXPECT_EQ(selected->name, "second");
  EXPECT_EQ(selected->enforcement, vitess::Enforcement::kWarn);
  watcher.Stop();
}

TEST(PolicyWatcher, WatchNamespaceSeesOnlyItsPolicies) {
  auto server = testing::TestApiServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_TRUE((*server)->CreateObject(PolicyCrd()).ok());
  for (const char* ns : {"example", "other"}) {
    ASSERT_TRUE((*server)->CreateObject(Namespace(ns)).ok()) << ns;
  }
  ASSERT_TRUE((*server)->CreateObject(Policy("first", "Enforce")).ok());
  ASSERT_TRUE((*server)->CreateObject(Policy("elsewhere", "Enforce", "other")).ok());

  auto client = kube::Client::Create((*server)->ClientConfig());
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  (*server)->ClearRequestLog();
  PolicyStore store;
  PolicyWatcher watcher(*client, store, "example");
  watcher.Start();
  ASSERT_TRUE(Eventually([&] { return store.known(); }));
  EXPECT_EQ(store.size(), 1u);

  // A policy added in the other namespace never arrives; the one added after it in the watched
  // namespace shows that the watch had already passed it.
  ASSERT_TRUE((*server)->CreateObject(Policy("later-elsewhere", "Warn", "other")).ok());
  ASSERT_TRUE((*server)->CreateObject(Policy("second", "Warn")).ok());
  ASSERT_TRUE(Eventually([&] { return store.size() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(store.size(), 2u);
  watcher.Stop();

  int policy_requests = 0;
  for (const testing::RequestRecord& record : (*server)->RequestLog()) {
    if (record.resource != "vitesstlspolicies") continue;
    ++policy_requests;
    EXPECT_EQ(record.ns, "example") << record.method << " " << record.path;
    EXPECT_NE(record.path.find("/namespaces/example/vitesstlspolicies"), std::string::npos)
        << record.path;
  }
  EXPECT_GE(policy_requests, 2) << "one list and one watch";
}

}  // namespace
}  // namespace vtguard::webhook
