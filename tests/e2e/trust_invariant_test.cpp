#include "tests/e2e/trust_invariant.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/e2e/cert_fixtures.h"
#include "tests/e2e/pod_render.h"

namespace vtguard::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr char kSecret[] = "example-vtguard-vttablet";
constexpr char kServerName[] = "vttablet.vtguard.internal";

std::string Describe(const std::vector<BrokenTrust>& broken) {
  std::string text;
  for (const BrokenTrust& pair : broken) text += pair.ToString() + "\n";
  return text;
}

// A CA rotation in progress: an old and a new CA, one leaf from each.
class TrustInvariantTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("pki");
    old_ca_ = testing::MakeCa(dir_, "old-ca");
    new_ca_ = testing::MakeCa(dir_, "new-ca");
    old_leaf_ = testing::MakeLeaf(dir_, "old-leaf", old_ca_, {kServerName});
    new_leaf_ = testing::MakeLeaf(dir_, "new-leaf", new_ca_, {kServerName});
    root_ = testing::MakeTempDir("pods");
    auto pods = RenderClusterPods(testing::InjectedExampleCluster(kSecret));
    ASSERT_TRUE(pods.ok());
    pods_ = *pods;
  }

  json Secret(const testing::CertFiles& leaf, const std::string& bundle) {
    return testing::TlsSecret(kSecret, testing::ReadFile(leaf.cert), testing::ReadFile(leaf.key),
                              bundle);
  }

  // Materializes every Pod; the first tablet mounts `first_secret`, every other Pod `secret`.
  std::vector<MaterializedPod> Materialize(const json& first_secret, const json& secret) {
    std::vector<MaterializedPod> views;
    for (size_t i = 0; i < pods_.size(); ++i) {
      auto view = MaterializeMounts(pods_[i], {i == 0 ? first_secret : secret}, root_);
      EXPECT_TRUE(view.ok()) << view.status().ToString();
      if (view.ok()) views.push_back(*view);
    }
    return views;
  }

  fs::path dir_, root_;
  testing::CertFiles old_ca_, new_ca_, old_leaf_, new_leaf_;
  std::vector<json> pods_;
};

TEST_F(TrustInvariantTest, HoldsForConsistentSet) {
  std::string bundle = testing::ReadFile(new_ca_.cert);
  auto views = Materialize(Secret(new_leaf_, bundle), Secret(new_leaf_, bundle));
  ASSERT_EQ(views.size(), 6u);
  auto broken = CheckTrustInvariant(views);
  EXPECT_TRUE(broken.empty()) << Describe(broken);
}

TEST_F(TrustInvariantTest, HoldsWithOldAndNewCaInBundle) {
  std::string bundle = testing::ReadFile(old_ca_.cert) + testing::ReadFile(new_ca_.cert);
  auto views = Materialize(Secret(old_leaf_, bundle), Secret(new_leaf_, bundle));
  auto broken = CheckTrustInvariant(views);
  EXPECT_TRUE(broken.empty()) << Describe(broken);
}

TEST_F(TrustInvariantTest, NewCaOnlyBundleBreaksOldLeaf) {
  std::string both = testing::ReadFile(old_ca_.cert) + testing::ReadFile(new_ca_.cert);
  std::string new_only = testing::ReadFile(new_ca_.cert);
  auto views = Materialize(Secret(old_leaf_, both), Secret(new_leaf_, new_only));
  auto broken = CheckTrustInvariant(views);
  ASSERT_FALSE(broken.empty());

  const std::string old_tablet = views[0].name;
  for (const BrokenTrust& pair : broken) {
    EXPECT_EQ(pair.presenter, old_tablet) << pair.ToString();
    EXPECT_NE(pair.consumer, old_tablet) << pair.ToString();
    EXPECT_THAT(pair.reason, HasSubstr("unable to get local issuer certificate"));
  }
  // Five consumers lack the old CA: two tablets (two roles each), vtgate, vtctld (two
  // roles) and vtorc.
  EXPECT_EQ(broken.size(), 8u) << Describe(broken);
}

TEST_F(TrustInvariantTest, MissingClientCaIsBroken) {
  json cluster = testing::InjectedExampleCluster(kSecret);
  cluster["spec"]["cells"][0]["gateway"]["extraFlags"].erase("tablet-grpc-ca");
  auto pods = RenderClusterPods(cluster);
  ASSERT_TRUE(pods.ok());
  pods_ = *pods;
  std::string bundle = testing::ReadFile(new_ca_.cert);
  auto views = Materialize(Secret(new_leaf_, bundle), Secret(new_leaf_, bundle));
  auto broken = CheckTrustInvariant(views);
  ASSERT_EQ(broken.size(), 3u) << Describe(broken);  // vtgate dials each of 3 tablets.
  EXPECT_EQ(broken[0].flag, "tablet-grpc-ca");
  EXPECT_THAT(broken[0].consumer, HasSubstr("vtgate"));
  EXPECT_THAT(broken[0].reason, HasSubstr("plaintext"));
}

TEST_F(TrustInvariantTest, RequiredClientCertsNeedClientFlags) {
  json cluster = testing::InjectedExampleCluster(kSecret);
  json& pool = cluster["spec"]["keyspaces"][0]["partitionings"][0]["equal"]["shardTemplate"]
                      ["tabletPools"][0];
  pool["vttablet"]["extraFlags"]["grpc-ca"] = "/vt/vtguard/tls/ca.crt";
  pool["vttablet"]["extraFlags"]["tablet-grpc-cert"] = "/vt/vtguard/tls/tls.crt";
  pool["vttablet"]["extraFlags"]["tablet-grpc-key"] = "/vt/vtguard/tls/tls.key";
  auto pods = RenderTabletPods(cluster);
  ASSERT_TRUE(pods.ok());
  pods_ = *pods;
  std::string bundle = testing::ReadFile(new_ca_.cert);
  auto views = Materialize(Secret(new_leaf_, bundle), Secret(new_leaf_, bundle));
  auto broken = CheckTrustInvariant(views);
  // The tablets present client certificates to each other for tablet-grpc but not for
  // tablet-manager-grpc: 3 servers x 3 clients.
  ASSERT_EQ(broken.size(), 9u) << Describe(broken);
  for (const BrokenTrust& pair : broken) {
    EXPECT_EQ(pair.flag, "grpc-ca");
    EXPECT_THAT(pair.reason, HasSubstr("--tablet-manager-grpc-cert"));
  }
}

}  // namespace
}  // namespace vtguard::e2e
