#include "tests/e2e/tls_handshake.h"

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

// Two tablets of the injected example cluster, materialized with a leaf from `ca`.
class TabletHandshakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("pki");
    ca_ = testing::MakeCa(dir_, "example-ca");
    other_ca_ = testing::MakeCa(dir_, "other-ca");
    leaf_ = testing::MakeLeaf(dir_, "vttablet", ca_, {kServerName, "example-vttablet"});
  }

  // Renders `cluster`, materializes its first two tablets and returns them.
  std::pair<MaterializedPod, MaterializedPod> Tablets(const json& cluster) {
    auto pods = RenderTabletPods(cluster);
    EXPECT_TRUE(pods.ok());
    json secret = testing::TlsSecret(kSecret, testing::ReadFile(leaf_.cert),
                                     testing::ReadFile(leaf_.key), testing::ReadFile(ca_.cert));
    fs::path root = testing::MakeTempDir("pods");
    auto source = MaterializeMounts((*pods)[0], {secret}, root);
    auto target = MaterializeMounts((*pods)[1], {secret}, root);
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    EXPECT_TRUE(target.ok()) << target.status().ToString();
    return {*source, *target};
  }

  json& FirstPoolFlags(json& cluster) {
    return cluster["spec"]["keyspaces"][0]["partitionings"][0]["equal"]["shardTemplate"]
                  ["tabletPools"][0]["vttablet"]["extraFlags"];
  }

  fs::path dir_;
  testing::CertFiles ca_, other_ca_, leaf_;
};

TEST_F(TabletHandshakeTest, SucceedsWithInjectedFlags) {
  auto [source, target] = Tablets(testing::InjectedExampleCluster(kSecret));
  HandshakeResult result = TabletHandshake(source, target);
  ASSERT_TRUE(result.ok) << result.reason;
  EXPECT_EQ(result.alpn, "h2");
  EXPECT_EQ(result.protocol, "TLSv1.3");
  EXPECT_THAT(result.peer_subject, HasSubstr("CN=vttablet"));
}

TEST_F(TabletHandshakeTest, SucceedsWithUnderscoreSpelling) {
  json cluster = testing::InjectedExampleCluster(kSecret);
  json& flags = FirstPoolFlags(cluster);
  json underscored = json::object();
  for (const auto& [key, value] : flags.items()) {
    std::string name = key;
    std::replace(name.begin(), name.end(), '-', '_');
    underscored[name] = value;
  }
  flags = underscored;
  auto [source, target] = Tablets(cluster);
  ASSERT_TRUE(source.flags.Has("grpc-cert"));
  HandshakeResult result = TabletHandshake(source, target);
  EXPECT_TRUE(result.ok) << result.reason;
}

TEST_F(TabletHandshakeTest, WrongServerNameFails) {
  auto [source, target] = Tablets(testing::InjectedExampleCluster(kSecret));
  auto server = TabletServerFiles(source);
  auto client = TabletClientFiles(target);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  client->server_name = "vttablet.other.internal";
  HandshakeResult result = RunHandshake(*server, *client);
  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.reason, HasSubstr("hostname mismatch"));
}

TEST_F(TabletHandshakeTest, MissingServerNameChecksPodIp) {
  json cluster = testing::InjectedExampleCluster(kSecret);
  FirstPoolFlags(cluster).erase("tablet-grpc-server-name");
  auto [source, target] = Tablets(cluster);
  HandshakeResult result = TabletHandshake(source, target);
  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.reason, HasSubstr("IP address mismatch"));
}

TEST_F(TabletHandshakeTest, PlaintextClientFails) {
  auto [source, target] = Tablets(testing::InjectedExampleCluster(kSecret));
  auto server = TabletServerFiles(source);
  ASSERT_TRUE(server.ok());
  HandshakeResult result = RunPlaintextAttempt(*server);
  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.reason, HasSubstr("server: TLS handshake failed"));
}

TEST_F(TabletHandshakeTest, PlaintextAcceptedWithOptionalTls) {
  json cluster = testing::InjectedExampleCluster(kSecret);
  FirstPoolFlags(cluster)["grpc-enable-optional-tls"] = "true";
  auto [source, target] = Tablets(cluster);
  auto server = TabletServerFiles(source);
  ASSERT_TRUE(server.ok());
  ASSERT_TRUE(server->optional_tls);
  HandshakeResult result = RunPlaintextAttempt(*server);
  EXPECT_TRUE(result.ok) << result.reason;
  EXPECT_EQ(result.protocol, "plaintext");
}

TEST_F(TabletHandshakeTest, ClientTrustingAnotherCaFails) {
  auto [source, target] = Tablets(testing::InjectedExampleCluster(kSecret));
  auto server = TabletServerFiles(source);
  auto client = TabletClientFiles(target);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  client->ca = other_ca_.cert;
  HandshakeResult result = RunHandshake(*server, *client);
  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.reason, HasSubstr("unable to get local issuer certificate"));
}

TEST_F(TabletHandshakeTest, RequiredClientCertificate) {
  json cluster = testing::InjectedExampleCluster(kSecret);
  FirstPoolFlags(cluster)["grpc-ca"] = "/vt/vtguard/tls/ca.crt";
  auto [source, target] = Tablets(cluster);
  auto server = TabletServerFiles(source);
  auto client = TabletClientFiles(target);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  ASSERT_TRUE(server->ca.has_value());

  HandshakeResult without_cert = RunHandshake(*server, *client);
  EXPECT_FALSE(without_cert.ok);
  EXPECT_THAT(without_cert.reason, HasSubstr("peer did not return a certificate"));

  client->cert = leaf_.cert;
  client->key = leaf_.key;
  HandshakeResult with_cert = RunHandshake(*server, *client);
  EXPECT_TRUE(with_cert.ok) << with_cert.reason;
}

TEST_F(TabletHandshakeTest, ExpiredAtVerifyTimeFails) {
  auto [source, target] = Tablets(testing::InjectedExampleCluster(kSecret));
  auto server = TabletServerFiles(source);
  auto client = TabletClientFiles(target);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  client->verify_time = std::time(nullptr) + 20 * 24 * 3600;  // The leaf lives 10 days.
  HandshakeResult result = RunHandshake(*server, *client);
  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.reason, HasSubstr("certificate has expired"));
}

TEST_F(TabletHandshakeTest, ServerWithoutCertIsReported) {
  json cluster = testing::InjectedExampleCluster(kSecret);
  FirstPoolFlags(cluster).erase("grpc-cert");
  auto [source, target] = Tablets(cluster);
  HandshakeResult result = TabletHandshake(source, target);
  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.reason, HasSubstr("plaintext"));
}

}  // namespace
}  // namespace vtguard::e2e
