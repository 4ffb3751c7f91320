// DescribeAssumedVersions and ParsePolicyFile.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/vitess/admission.h"

namespace vtguard::vitess {
namespace {

nlohmann::json ClusterWithImages(nlohmann::json images) {
  nlohmann::json pool = {{"cell", "z1"}, {"vttablet", nlohmann::json::object()}};
  return {{"apiVersion", "planetscale.com/v2"},
          {"kind", "VitessCluster"},
          {"metadata", {{"name", "c1"}}},
          {"spec",
           {{"images", std::move(images)},
            {"keyspaces",
             {{{"name", "ks"},
               {"partitionings",
                {{{"equal",
                   {{"parts", 1}, {"shardTemplate", {{"tabletPools", {pool, pool}}}}}}}}}}}}}}};
}

TlsPolicy PolicyWithVersion() {
  TlsPolicy policy = DefaultPolicy();
  policy.vitess_version = ParseVersionText("v24.0.2").value();
  return policy;
}

TEST(AssumedVersions, OneNotePerImageField) {
  nlohmann::json cluster = ClusterWithImages({{"vtgate", "vitess/lite:latest"}});
  std::vector<Violation> notes =
      DescribeAssumedVersions(PolicyWithVersion(), ObjectKind::kVitessCluster, cluster);
  // Two pools share /spec/images/vttablet; the dashboard reads /spec/images/vtctld.
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].path, "/spec/images/vttablet");
  EXPECT_EQ(notes[0].message,
            "no image is set; assumed Vitess v24.0.2 from the VitessTLSPolicy's "
            "spec.vitessVersion");
  EXPECT_EQ(notes[0].severity, Severity::kInfo);
  EXPECT_EQ(notes[1].path, "/spec/images/vtctld");
}

TEST(AssumedVersions, NamesUnversionedTag) {
  nlohmann::json cluster =
      ClusterWithImages({{"vttablet", "vitess/lite:mysql80"}, {"vtctld", "vitess/lite:v24.0.4"}});
  std::vector<Violation> notes =
      DescribeAssumedVersions(PolicyWithVersion(), ObjectKind::kVitessCluster, cluster);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].path, "/spec/images/vttablet");
  EXPECT_THAT(notes[0].message,
              ::testing::StartsWith("image \"vitess/lite:mysql80\" has no version in its tag; "
                                    "assumed Vitess v24.0.2"));
}

TEST(AssumedVersions, NoneWithoutPolicyVersion) {
  nlohmann::json cluster = ClusterWithImages(nlohmann::json::object());
  EXPECT_TRUE(
      DescribeAssumedVersions(DefaultPolicy(), ObjectKind::kVitessCluster, cluster).empty());
  // Validation rejects each image field instead.
  std::vector<Violation> violations = ValidateVitessCluster(DefaultPolicy(), cluster);
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(violations[0].path, "/spec/images/vttablet");
  EXPECT_EQ(violations[0].severity, Severity::kError);
}

TEST(AssumedVersions, NotesPodContainerImage) {
  nlohmann::json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", "t1"}, {"labels", {{"vtguard.io/inject", "true"}, {"vtguard.io/cluster", "c1"}}}}},
      {"spec", {{"containers", {{{"name", "vttablet"}, {"image", "vitess/lite:latest"}}}}}}};
  std::vector<Violation> notes =
      DescribeAssumedVersions(PolicyWithVersion(), ObjectKind::kPod, pod);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].path, "/spec/containers/0/image");
  pod["metadata"]["labels"].erase("vtguard.io/inject");
  EXPECT_TRUE(DescribeAssumedVersions(PolicyWithVersion(), ObjectKind::kPod, pod).empty());
}

TEST(ParsePolicyFile, RejectsFileWithoutPolicy) {
  Result<std::vector<TlsPolicy>> policies =
      ParsePolicyFile("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "policy.yaml");
  ASSERT_FALSE(policies.ok());
  EXPECT_EQ(policies.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(policies.status().message(),
              ::testing::StartsWith("policy.yaml: no VitessTLSPolicy document found"));
  EXPECT_FALSE(ParsePolicyFile("", "empty.yaml").ok());
}

TEST(ParsePolicyFile, NamesFileInParseErrors) {
  Result<std::vector<TlsPolicy>> policies = ParsePolicyFile(",x\n", "broken.yaml");
  ASSERT_FALSE(policies.ok());
  EXPECT_THAT(policies.status().message(), ::testing::StartsWith("broken.yaml: invalid YAML"));
  Result<std::vector<TlsPolicy>> good = ParsePolicyFile(
      "apiVersion: vtguard.io/v1alpha1\nkind: VitessTLSPolicy\nmetadata: {name: p, namespace: "
      "ns1}\nspec: {}\n",
      "policy.yaml");
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->size(), 1u);
}

}  // namespace
}  // namespace vtguard::vitess
