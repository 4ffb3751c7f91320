#include "tests/e2e/mounts.h"

#include <gtest/gtest.h>

#include "tests/e2e/cert_fixtures.h"
#include "tests/e2e/pod_render.h"

namespace vtguard::e2e {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

TEST(Base64, RoundTripsEveryPaddingLength) {
  for (std::string text : {"", "a", "ab", "abc", "abcd", "-----BEGIN CERTIFICATE-----\n"}) {
    Result<std::string> decoded = DecodeBase64(EncodeBase64(text));
    ASSERT_TRUE(decoded.ok()) << text;
    EXPECT_EQ(*decoded, text);
  }
  EXPECT_FALSE(DecodeBase64("abc").ok());
}

TEST(MaterializeMounts, WritesSecretKeysAtMountPath) {
  json cluster = testing::InjectedExampleCluster("example-vtguard-vttablet");
  auto pods = RenderTabletPods(cluster);
  ASSERT_TRUE(pods.ok());
  json secret = testing::TlsSecret("example-vtguard-vttablet", "CERT", "KEY", "CA");
  fs::path root = testing::MakeTempDir("root");

  Result<MaterializedPod> view = MaterializeMounts((*pods)[0], {secret}, root);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  fs::path expected = root / view->name / "vt/vtguard/tls/tls.crt";
  EXPECT_EQ(testing::ReadFile(expected), "CERT");

  auto cert = view->FlagFile("grpc_cert");
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  ASSERT_TRUE(cert->has_value());
  EXPECT_EQ(**cert, expected);
  EXPECT_EQ(testing::ReadFile(*view->ResolvePath("/vt/vtguard/tls/ca.crt")), "CA");
  EXPECT_EQ(view->EnvValue("VTGUARD_TLS_REVISION").value_or(""), "1");
}

TEST(MaterializeMounts, MissingSecretIsNotFound) {
  json cluster = testing::InjectedExampleCluster("example-vtguard-vttablet");
  auto pods = RenderTabletPods(cluster);
  ASSERT_TRUE(pods.ok());
  Result<MaterializedPod> view = MaterializeMounts((*pods)[0], {}, testing::MakeTempDir("root"));
  ASSERT_FALSE(view.ok());
  EXPECT_EQ(view.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(view.status().message().find("example-vtguard-vttablet"), std::string::npos);
}

TEST(MaterializeMounts, PathOutsideMountsIsNotFound) {
  json cluster = testing::InjectedExampleCluster("example-vtguard-vttablet");
  cluster["spec"]["keyspaces"][0]["partitionings"][0]["equal"]["shardTemplate"]["tabletPools"][0]
         ["vttablet"]["extraFlags"]["grpc-ca"] = "/etc/other/ca.crt";
  auto pods = RenderTabletPods(cluster);
  ASSERT_TRUE(pods.ok());
  json secret = testing::TlsSecret("example-vtguard-vttablet", "CERT", "KEY", "CA");
  Result<MaterializedPod> view = MaterializeMounts((*pods)[0], {secret}, testing::MakeTempDir("r"));
  ASSERT_TRUE(view.ok());
  auto ca = view->FlagFile("grpc-ca");
  ASSERT_FALSE(ca.ok());
  EXPECT_NE(ca.status().message().find("--grpc-ca"), std::string::npos);
}

TEST(MaterializeMounts, HonoursSecretItems) {
  json pod = {
      {"metadata", {{"name", "p"}, {"labels", {{"planetscale.com/component", "vtgate"}}}}},
      {"spec",
       {{"volumes",
         {{{"name", "v"},
           {"secret",
            {{"secretName", "s"}, {"items", {{{"key", "ca.crt"}, {"path", "root.pem"}}}}}}}}},
        {"containers",
         {{{"name", "vtgate"}, {"volumeMounts", {{{"name", "v"}, {"mountPath", "/certs"}}}}}}}}}};
  json secret = testing::TlsSecret("s", "CERT", "KEY", "CA");
  fs::path root = testing::MakeTempDir("root");
  Result<MaterializedPod> view = MaterializeMounts(pod, {secret}, root);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_TRUE(fs::exists(root / "p/certs/root.pem"));
  EXPECT_FALSE(fs::exists(root / "p/certs/tls.key"));
}

}  // namespace
}  // namespace vtguard::e2e
