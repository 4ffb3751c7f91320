// Injects the vitess-operator example manifests and checks the results.
#include <gtest/gtest.h>

#include "common/vitess/admission.h"
#include "tests/vitess/test_util.h"

namespace vtguard::vitess {
namespace {

using testing::ApplyStrict;
using testing::ReadYamlFile;
using testing::SharedPath;

struct ManifestCase {
  std::string file;
  std::string policy_version;  // For images without a version in their tag.
};

TEST(RealManifests, InjectedClustersValidateClean) {
  const ManifestCase cases[] = {
      {"101_initial_cluster.yaml", ""},
      {"101_initial_cluster_vtorc_vtadmin.yaml", "v24"},
      {"201_customer_tablets.yaml", "v24"},
  };
  for (const ManifestCase& c : cases) {
    TlsPolicy policy = DefaultPolicy();
    if (!c.policy_version.empty())
      policy.vitess_version = ParseVersionText(c.policy_version).value();
    std::vector<nlohmann::json> documents =
        ReadYamlFile(SharedPath("data/vitess-operator/" + c.file));
    ASSERT_FALSE(documents.empty()) << c.file;
    const nlohmann::json& cluster = documents[0];
    ASSERT_EQ(cluster["kind"], "VitessCluster");
    EXPECT_FALSE(ValidateVitessCluster(policy, cluster).empty()) << c.file;

    MutationResult result = MutateVitessCluster(policy, cluster, nullptr);
    ASSERT_TRUE(result.status.ok()) << c.file << ": " << result.status.ToString();
    nlohmann::json patched = ApplyStrict(cluster, result.patch.ToJson());
    std::vector<Violation> violations = ValidateVitessCluster(policy, patched);
    EXPECT_TRUE(violations.empty()) << c.file << ": " << FormatViolation(violations.front());
    EXPECT_TRUE(MutateVitessCluster(policy, patched, nullptr).patch.empty()) << c.file;
  }
}

// 201_customer_tablets.yaml has two tablet pools on the same untagged image.
TEST(RealManifests, SharedImageIsReportedOnce) {
  std::vector<nlohmann::json> documents =
      ReadYamlFile(SharedPath("data/vitess-operator/201_customer_tablets.yaml"));
  ASSERT_FALSE(documents.empty());
  std::vector<Violation> violations = ValidateVitessCluster(DefaultPolicy(), documents[0]);
  ASSERT_FALSE(violations.empty());
  for (std::size_t i = 0; i < violations.size(); ++i) {
    for (std::size_t j = i + 1; j < violations.size(); ++j) {
      EXPECT_FALSE(violations[i] == violations[j]) << FormatViolation(violations[i]);
    }
  }
  MutationResult mutation = MutateVitessCluster(DefaultPolicy(), documents[0], nullptr);
  for (std::size_t i = 0; i < mutation.warnings.size(); ++i) {
    for (std::size_t j = i + 1; j < mutation.warnings.size(); ++j) {
      EXPECT_NE(mutation.warnings[i], mutation.warnings[j]);
    }
  }
}

TEST(RealManifests, UnversionedTagsNeedPolicyVersion) {
  std::vector<nlohmann::json> documents =
      ReadYamlFile(SharedPath("data/vitess-operator/101_initial_cluster_vtorc_vtadmin.yaml"));
  MutationResult result = MutateVitessCluster(DefaultPolicy(), documents[0], nullptr);
  EXPECT_FALSE(result.status.ok());
  EXPECT_NE(result.status.message().find("vitess/lite:mysql80"), std::string::npos);
}

}  // namespace
}  // namespace vtguard::vitess
