#include "tests/e2e/pod_render.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/e2e/cert_fixtures.h"
#include "tests/e2e/vitess_flags.h"
#include "tests/e2e/yaml_json.h"

namespace vtguard::e2e {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;

std::vector<json> PodsOf(const std::vector<json>& pods, const std::string& component) {
  std::vector<json> selected;
  for (const json& pod : pods) {
    if (PodComponent(pod) == component) selected.push_back(pod);
  }
  return selected;
}

TEST(FlagNames, NormalizeBothSpellings) {
  EXPECT_EQ(NormalizeFlagName("--tablet_grpc_ca"), "tablet-grpc-ca");
  EXPECT_EQ(NormalizeFlagName("-tablet-grpc-ca"), "tablet-grpc-ca");
  EXPECT_EQ(NormalizeFlagName("grpc_cert"), "grpc-cert");
}

TEST(FlagSet, LaterSpellingWins) {
  FlagSet flags = FlagSet::FromArgs({"--grpc_cert=/a", "--grpc-cert=/b", "--logtostderr", "x"});
  EXPECT_EQ(flags.Get("grpc_cert").value_or(""), "/b");
  EXPECT_EQ(flags.Get("logtostderr").value_or(""), "true");
  EXPECT_EQ(flags.values().size(), 2u);
}

TEST(EqualShardRanges, MatchesVitessKeyRanges) {
  EXPECT_THAT(EqualShardRanges(1), ElementsAre("-"));
  EXPECT_THAT(EqualShardRanges(2), ElementsAre("-80", "80-"));
  EXPECT_THAT(EqualShardRanges(3), ElementsAre("-55", "55-aa", "aa-"));
  EXPECT_EQ(EqualShardRanges(300).front(), "-00da");
}

TEST(TabletUid, IsMd5OfTabletIdentity) {
  // `printf 'zone1 commerce - replica 1\n' | md5sum` starts with 97ece60f.
  EXPECT_EQ(TabletUid("zone1", "commerce", "-", "replica", 1), 0x97ece60fu);
  EXPECT_NE(TabletUid("zone1", "commerce", "-", "replica", 1),
            TabletUid("zone1", "commerce", "-", "replica", 2));
}

TEST(RenderTabletPods, OnePodPerReplicaWithLabels) {
  json cluster = testing::InjectedExampleCluster("example-vtguard-vttablet");
  auto pods = RenderTabletPods(cluster);
  ASSERT_TRUE(pods.ok()) << pods.status().ToString();
  ASSERT_EQ(pods->size(), 3u);
  const json& labels = (*pods)[0]["metadata"]["labels"];
  EXPECT_EQ(labels["planetscale.com/cluster"], "example");
  EXPECT_EQ(labels["planetscale.com/keyspace"], "commerce");
  EXPECT_EQ(labels["planetscale.com/shard"], "x-x");
  EXPECT_EQ(labels["planetscale.com/cell"], "zone1");
  EXPECT_EQ(labels["planetscale.com/component"], "vttablet");
}

TEST(RenderTabletPods, ArgsMergeBaseAndExtraFlags) {
  json cluster = testing::InjectedExampleCluster("example-vtguard-vttablet");
  cluster["spec"]["extraVitessFlags"] = {{"--alsologtostderr", "true"}};
  auto pods = RenderTabletPods(cluster);
  ASSERT_TRUE(pods.ok());
  const json& container = (*pods)[0]["spec"]["containers"][0];
  std::vector<std::string> args = container["args"];
  EXPECT_THAT(args, Contains("--tablet_hostname=$(POD_IP)"));
  EXPECT_THAT(args, Contains("--grpc-cert=/vt/vtguard/tls/tls.crt"));
  EXPECT_THAT(args, Contains("--db_charset=utf8mb4"));
  EXPECT_THAT(args, Contains("--init_keyspace=commerce"));
  EXPECT_THAT(args, Contains("--alsologtostderr=true"));
  EXPECT_TRUE(std::is_sorted(args.begin(), args.end()));
  EXPECT_EQ(container["volumeMounts"][0]["mountPath"], "/vt/vtguard/tls");
  EXPECT_EQ((*pods)[0]["spec"]["volumes"][0]["secret"]["secretName"], "example-vtguard-vttablet");
  EXPECT_EQ(container["env"][1]["name"], "VTGUARD_TLS_REVISION");
}

TEST(RenderTabletPods, CustomPartitioningCountsShards) {
  json cluster = testing::InjectedExampleCluster("s");
  json pool = {{"cell", "zone1"}, {"type", "rdonly"}, {"replicas", 2}};
  cluster["spec"]["keyspaces"][0]["partitionings"] =
      json::array({{{"custom",
                     {{"shards",
                       {{{"keyRange", {{"end", "80"}}}, {"tabletPools", {pool}}},
                        {{"keyRange", {{"start", "80"}}}, {"tabletPools", {pool}}}}}}}}});
  auto pods = RenderTabletPods(cluster);
  ASSERT_TRUE(pods.ok());
  ASSERT_EQ(pods->size(), 4u);
  EXPECT_EQ((*pods)[2]["metadata"]["labels"]["planetscale.com/shard"], "80-x");
  FlagSet flags = FlagSet::FromPod((*pods)[2], "vttablet");
  EXPECT_EQ(flags.Get("init_shard").value_or(""), "80-");
  EXPECT_EQ(flags.Get("init_tablet_type").value_or(""), "rdonly");
}

TEST(RenderClusterPods, ExtraVitessFlagsReachEveryComponent) {
  json cluster = testing::InjectedExampleCluster("s");
  cluster["spec"]["extraVitessFlags"] = {{"tablet-grpc-ca", "/x"}};
  auto pods = RenderClusterPods(cluster);
  ASSERT_TRUE(pods.ok());
  for (const char* component : {"vttablet", "vtgate", "vtctld", "vtorc"}) {
    std::vector<json> selected = PodsOf(*pods, component);
    ASSERT_FALSE(selected.empty()) << component;
    EXPECT_TRUE(FlagSet::FromPod(selected[0], component).Has("tablet-grpc-ca")) << component;
  }
}

TEST(RenderClusterPods, ComponentCountsOfExampleCluster) {
  json cluster = testing::InjectedExampleCluster("s");
  auto pods = RenderClusterPods(cluster);
  ASSERT_TRUE(pods.ok());
  EXPECT_EQ(PodsOf(*pods, "vttablet").size(), 3u);
  EXPECT_EQ(PodsOf(*pods, "vtgate").size(), 1u);
  EXPECT_EQ(PodsOf(*pods, "vtctld").size(), 1u);
  ASSERT_EQ(PodsOf(*pods, "vtorc").size(), 1u);
  FlagSet vtorc = FlagSet::FromPod(PodsOf(*pods, "vtorc")[0], "vtorc");
  EXPECT_EQ(vtorc.Get("clusters_to_watch").value_or(""), "commerce/-");
  EXPECT_FALSE(vtorc.Has("tablet-grpc-ca"));
}

TEST(RenderVtorcPods, NoneWithoutVitessOrchestrator) {
  json cluster = testing::InjectedExampleCluster("s");
  cluster["spec"]["keyspaces"][0].erase("vitessOrchestrator");
  auto pods = RenderVtorcPods(cluster);
  ASSERT_TRUE(pods.ok());
  EXPECT_TRUE(pods->empty());
}

TEST(RenderTabletPods, RejectsObjectWithoutSpec) {
  auto pods = RenderTabletPods(json{{"kind", "VitessCluster"}});
  EXPECT_FALSE(pods.ok());
}

TEST(ParseYamlDocuments, TypesPlainScalars) {
  auto documents = ParseYamlDocuments("a: 3\nb: '3'\nc: true\nd: 10s\n---\n---\ne: ~\n");
  ASSERT_TRUE(documents.ok());
  ASSERT_EQ(documents->size(), 2u);
  EXPECT_EQ((*documents)[0]["a"], 3);
  EXPECT_EQ((*documents)[0]["b"], "3");
  EXPECT_EQ((*documents)[0]["c"], true);
  EXPECT_EQ((*documents)[0]["d"], "10s");
  EXPECT_TRUE((*documents)[1]["e"].is_null());
}

}  // namespace
}  // namespace vtguard::e2e
