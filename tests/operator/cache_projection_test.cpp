// The operator's cache projection: a projected Pod gives the rollout check the same answer as
// the full Pod, and ObjectMetadata keeps what selection reads.
#include "operator/cache_projection.h"

#include <gtest/gtest.h>

#include "operator/memory_store.h"
#include "operator/rollout.h"

namespace vtguard::op {
namespace {

// A vttablet Pod as vitess-operator writes it, with fields the operator never reads.
Json FullPod(const std::string& name, const std::string& revision, const std::string& ready,
             const std::string& start_time) {
  Json env = Json::array({{{"name", "VT_DB_FLAVOR"}, {"value", "mysql80"}},
                          {{"name", "VTGUARD_TLS_REVISION"}, {"value", revision}}});
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", name},
            {"namespace", "example"},
            {"resourceVersion", "42"},
            {"labels",
             {{"planetscale.com/cluster", "example"}, {"planetscale.com/component", "vttablet"}}},
            {"managedFields", {{{"manager", "vitess-operator"}, {"operation", "Update"}}}}}},
          {"spec",
           {{"containers",
             {{{"name", "vttablet"},
               {"image", "vitess/lite:v21.0.0"},
               {"args", {"--grpc_port=15999", "--port=15000"}},
               {"env", env}},
              {{"name", "mysqld"}, {"image", "mysql:8.0"}}}},
            {"volumes", {{{"name", "vtguard-tls"}, {"secret", {{"secretName", "x"}}}}}}}},
          {"status",
           {{"phase", "Running"},
            {"startTime", start_time},
            {"podIP", "10.0.0.7"},
            {"conditions",
             {{{"type", "Initialized"}, {"status", "True"}},
              {{"type", "Ready"}, {"status", ready}},
              {{"type", "ContainersReady"}, {"status", ready}}}}}}};
}

TEST(ProjectPodTest, RolloutAnswerIsUnchanged) {
  const std::vector<Json> pods = {
      FullPod("a", "3", "True", "2026-12-04T10:00:00Z"),
      FullPod("b", "2", "True", "2026-12-04T09:00:00Z"),
      FullPod("c", "3", "False", "2026-12-04T10:00:00Z"),
  };
  std::vector<Json> projected = pods;
  for (Json& pod : projected) ProjectPod(pod);

  const SystemTime started = ParseRfc3339("2026-12-04T09:30:00Z").value();
  for (const std::optional<SystemTime>& started_after :
       {std::optional<SystemTime>(), std::optional<SystemTime>(started)}) {
    for (const char* revision : {"2", "3", "4"}) {
      RolloutProgress full = MeasureRollout(pods, revision, started_after);
      RolloutProgress cut = MeasureRollout(projected, revision, started_after);
      EXPECT_EQ(cut.pods, full.pods) << revision;
      EXPECT_EQ(cut.updated, full.updated) << revision;
    }
  }
  for (size_t i = 0; i < pods.size(); ++i) {
    EXPECT_EQ(PodRevision(projected[i]), PodRevision(pods[i]));
  }
}

TEST(ProjectPodTest, KeepsMetadataAndDropsTheRest) {
  Json pod = FullPod("a", "3", "True", "2026-12-04T10:00:00Z");
  ProjectPod(pod);
  EXPECT_EQ(pod["metadata"]["name"], "a");
  EXPECT_EQ(pod["metadata"]["resourceVersion"], "42");
  EXPECT_EQ(pod["metadata"]["labels"]["planetscale.com/component"], "vttablet");
  EXPECT_FALSE(pod["metadata"].contains("managedFields"));
  EXPECT_FALSE(pod["spec"].contains("volumes"));
  ASSERT_EQ(pod["spec"]["containers"].size(), 2u);
  EXPECT_FALSE(pod["spec"]["containers"][0].contains("image"));
  EXPECT_EQ(pod["spec"]["containers"][0]["env"].size(), 1u);
  EXPECT_FALSE(pod["status"].contains("podIP"));
  EXPECT_EQ(pod["status"]["conditions"].size(), 1u);
}

TEST(ProjectPodTest, ToleratesMissingFields) {
  Json pod = {{"metadata", {{"name", "bare"}}}};
  ProjectPod(pod);
  EXPECT_EQ(pod["metadata"]["name"], "bare");
  EXPECT_TRUE(pod["spec"]["containers"].empty());
  EXPECT_EQ(PodRevision(pod), "");
}

TEST(ListMetadataTest, KeepsNamesAndLabelsOnly) {
  MemoryStore store;
  Json cluster = {{"apiVersion", "planetscale.com/v2"},
                  {"kind", "VitessCluster"},
                  {"metadata", {{"name", "a"}, {"namespace", "example"}, {"labels", {{"k", "v"}}}}},
                  {"spec", {{"images", {{"vttablet", "vitess/lite:v21.0.0"}}}}}};
  ASSERT_TRUE(store.Create(kVitessClusterKind, cluster).ok());
  Result<std::vector<Json>> listed = store.ListMetadata(kVitessClusterKind, "example", {});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  const Json& item = listed->front();
  EXPECT_EQ(item["kind"], "VitessCluster");
  EXPECT_EQ(item["metadata"]["name"], "a");
  EXPECT_EQ(item["metadata"]["labels"]["k"], "v");
  EXPECT_FALSE(item.contains("spec"));
}

}  // namespace
}  // namespace vtguard::op
