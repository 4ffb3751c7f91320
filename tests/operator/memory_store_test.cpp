#include "operator/memory_store.h"

#include <gtest/gtest.h>

namespace vtguard::op {
namespace {

Json Cluster(const std::string& name) {
  return {{"metadata", {{"name", name}, {"namespace", "ns1"}, {"labels", {{"tier", "a"}}}}},
          {"spec", {{"x", 1}}}};
}

TEST(MemoryStore, RejectsStaleResourceVersion) {
  MemoryStore store;
  Result<Json> created = store.Create(kVitessClusterKind, Cluster("c1"));
  ASSERT_TRUE(created.ok());
  Json first = *created;
  first["spec"]["x"] = 2;
  ASSERT_TRUE(store.Update(kVitessClusterKind, first).ok());
  Json stale = *created;
  stale["spec"]["x"] = 3;
  EXPECT_EQ(store.Update(kVitessClusterKind, stale).status().code(), ErrorCode::kConflict);
}

TEST(MemoryStore, BumpsGenerationOnlyOnSpecChange) {
  MemoryStore store;
  Json current = *store.Create(kVitessClusterKind, Cluster("c1"));
  current["metadata"]["annotations"] = {{"a", "b"}};
  current = *store.Update(kVitessClusterKind, current);
  EXPECT_EQ(current["metadata"]["generation"], 1);
  current["spec"]["x"] = 5;
  current = *store.Update(kVitessClusterKind, current);
  EXPECT_EQ(current["metadata"]["generation"], 2);
}

TEST(MemoryStore, FailedPatchTestIsConflict) {
  MemoryStore store;
  Json current = *store.Create(kVitessClusterKind, Cluster("c1"));
  Json patch = Json::array({{{"op", "test"}, {"path", "/metadata/resourceVersion"}, {"value", "0"}},
                            {{"op", "replace"}, {"path", "/spec/x"}, {"value", 9}}});
  EXPECT_EQ(store.Patch(kVitessClusterKind, "ns1", "c1", patch).status().code(),
            ErrorCode::kConflict);
  patch[0]["value"] = current["metadata"]["resourceVersion"];
  Result<Json> patched = store.Patch(kVitessClusterKind, "ns1", "c1", patch);
  ASSERT_TRUE(patched.ok()) << patched.status().ToString();
  EXPECT_EQ((*patched)["spec"]["x"], 9);
}

TEST(MemoryStore, StatusUpdateKeepsSpec) {
  MemoryStore store;
  Json current = *store.Create(kPolicyKind, Cluster("p1"));
  current["spec"]["x"] = 42;
  current["status"] = {{"ok", true}};
  Result<Json> updated = store.UpdateStatus(kPolicyKind, current);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ((*updated)["spec"]["x"], 1);
  EXPECT_EQ((*updated)["status"]["ok"], true);
}

TEST(MemoryStore, InjectedFaultsFailThenClear) {
  MemoryStore store;
  store.FailWrites(kSecretKind, 2, Unavailable("injected"));
  Json secret = {{"metadata", {{"name", "s"}, {"namespace", "ns1"}}}};
  EXPECT_EQ(store.Create(kSecretKind, secret).status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(store.Create(kSecretKind, secret).status().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(store.Create(kSecretKind, secret).ok());
  EXPECT_EQ(store.WriteCounts()["secrets"], 1);
}

TEST(MemoryStore, ListFiltersByLabels) {
  MemoryStore store;
  ASSERT_TRUE(store.Create(kVitessClusterKind, Cluster("c1")).ok());
  Json other = Cluster("c2");
  other["metadata"]["labels"]["tier"] = "b";
  ASSERT_TRUE(store.Create(kVitessClusterKind, other).ok());
  Result<std::vector<Json>> items = store.List(kVitessClusterKind, "ns1", {{"tier", "b"}});
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0]["metadata"]["name"], "c2");
}

}  // namespace
}  // namespace vtguard::op
