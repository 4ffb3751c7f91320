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

json Policy(const std::string& name, const std::string& enforcement) {
  return {{"apiVersion", "vtguard.io/v1alpha1"},
          {"kind", "VitessTLSPolicy"},
          {"metadata", {{"name", name}, {"namespace", "example"}}},
          {"spec", {{"enforcement", enforcement}}}};
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

}  // namespace
}  // namespace vtguard::webhook
