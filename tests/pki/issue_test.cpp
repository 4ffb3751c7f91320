#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/pki/pki.h"
#include "tests/pki/pki_test_util.h"

namespace vtguard::pki {
namespace {

using testing::AtTime;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::RunCommand;
using testing::TempDir;
using testing::TestEpoch;
using namespace std::chrono_literals;

LeafRequest TabletRequest(KeySpec key = {}) {
  LeafRequest request;
  request.common_name = "vttablet";
  request.organization = "vtguard";
  request.organizational_unit = "commerce";
  request.dns_names = {"vttablet.vtguard.internal"};
  request.ip_addresses = {"127.0.0.1", "::1"};
  request.uris = {"spiffe://vtguard/ns/default/vttablet"};
  request.usages = {Usage::kServer, Usage::kClient};
  request.key = key;
  return request;
}

TEST(CreateCa, SetsCaExtensionsAndValidity) {
  FakeClock clock(TestEpoch());
  Result<CertifiedKey> ca = CreateCa({.common_name = "test-ca"}, clock);
  ASSERT_TRUE(ca.ok()) << ca.status().message();
  const Certificate& cert = ca->certificate;
  EXPECT_TRUE(cert.IsCa());
  EXPECT_EQ(cert.Subject(), "CN=test-ca,O=vtguard");
  EXPECT_EQ(cert.Issuer(), cert.Subject());
  EXPECT_THAT(cert.KeyUsages(), ElementsAre("keyCertSign", "cRLSign"));
  EXPECT_EQ(cert.NotBefore(), TestEpoch() - 5min);
  EXPECT_EQ(cert.NotAfter(), TestEpoch() + 87600h);
  EXPECT_TRUE(cert.MatchesKey(ca->key));
  EXPECT_EQ(cert.SerialHex().size(), 32u) << cert.SerialHex();

  TempDir dir;
  auto file = dir.Write("ca.crt", cert.ToPem());
  testing::CommandResult text = RunCommand("openssl x509 -noout -text -in " + file.string());
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_THAT(text.output, HasSubstr("X509v3 Basic Constraints: critical"));
  EXPECT_THAT(text.output, HasSubstr("CA:TRUE, pathlen:0"));
  EXPECT_THAT(text.output, HasSubstr("X509v3 Key Usage: critical"));
  EXPECT_THAT(text.output, HasSubstr("X509v3 Subject Key Identifier"));
  EXPECT_THAT(text.output, HasSubstr("X509v3 Authority Key Identifier"));
}

TEST(CreateCa, SerialsAreRandomAndPositive) {
  FakeClock clock(TestEpoch());
  Result<CertifiedKey> first = CreateCa({}, clock);
  Result<CertifiedKey> second = CreateCa({}, clock);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_NE(first->certificate.SerialHex(), second->certificate.SerialHex());
  EXPECT_NE(first->certificate.SerialHex().front(), '-');
}

TEST(IssueLeaf, SetsNamesUsagesAndValidity) {
  FakeClock clock(TestEpoch());
  Result<CertifiedKey> ca = CreateCa({}, clock);
  ASSERT_TRUE(ca.ok());
  clock.Advance(1h);
  Result<CertifiedKey> leaf = IssueLeaf(*ca, TabletRequest(), clock);
  ASSERT_TRUE(leaf.ok()) << leaf.status().message();
  const Certificate& cert = leaf->certificate;
  EXPECT_FALSE(cert.IsCa());
  EXPECT_EQ(cert.Subject(), "CN=vttablet,OU=commerce,O=vtguard");
  EXPECT_EQ(cert.Issuer(), ca->certificate.Subject());
  EXPECT_EQ(cert.CommonName(), "vttablet");
  EXPECT_THAT(cert.DnsNames(), ElementsAre("vttablet.vtguard.internal"));
  EXPECT_THAT(cert.IpAddresses(), ElementsAre("127.0.0.1", "::1"));
  EXPECT_THAT(cert.Uris(), ElementsAre("spiffe://vtguard/ns/default/vttablet"));
  EXPECT_THAT(cert.Usages(), ElementsAre(Usage::kServer, Usage::kClient));
  EXPECT_THAT(cert.KeyUsages(), ElementsAre("digitalSignature"));
  EXPECT_EQ(cert.NotBefore(), TestEpoch() + 1h - 5min);
  EXPECT_EQ(cert.NotAfter(), TestEpoch() + 1h + 2160h);
  EXPECT_TRUE(cert.IsSignedBy(ca->certificate));
  EXPECT_TRUE(cert.MatchesKey(leaf->key));
}

TEST(IssueLeaf, RsaLeafAlsoAllowsKeyEncipherment) {
  FakeClock clock(TestEpoch());
  Result<CertifiedKey> ca = CreateCa({}, clock);
  ASSERT_TRUE(ca.ok());
  Result<CertifiedKey> leaf = IssueLeaf(*ca, TabletRequest({KeyAlgorithm::kRsa, 2048}), clock);
  ASSERT_TRUE(leaf.ok()) << leaf.status().message();
  EXPECT_THAT(leaf->certificate.KeyUsages(), ElementsAre("digitalSignature", "keyEncipherment"));
}

TEST(IssueLeaf, ClientOnlyUsage) {
  FakeClock clock(TestEpoch());
  Result<CertifiedKey> ca = CreateCa({}, clock);
  ASSERT_TRUE(ca.ok());
  LeafRequest request{.common_name = "vtgate", .usages = {Usage::kClient}};
  Result<CertifiedKey> leaf = IssueLeaf(*ca, request, clock);
  ASSERT_TRUE(leaf.ok()) << leaf.status().message();
  EXPECT_THAT(leaf->certificate.Usages(), ElementsAre(Usage::kClient));
  EXPECT_TRUE(leaf->certificate.DnsNames().empty());
}

TEST(IssueLeaf, CapsNotAfterAtCaExpiry) {
  FakeClock clock(TestEpoch());
  Result<CertifiedKey> ca = CreateCa({.duration = 720h}, clock);
  ASSERT_TRUE(ca.ok());
  clock.Advance(700h);
  Result<CertifiedKey> leaf = IssueLeaf(*ca, TabletRequest(), clock);
  ASSERT_TRUE(leaf.ok()) << leaf.status().message();
  EXPECT_EQ(leaf->certificate.NotAfter(), ca->certificate.NotAfter());
}

TEST(IssueLeaf, RejectsExpiredCa) {
  FakeClock clock(TestEpoch());
  Result<CertifiedKey> ca = CreateCa({.duration = 24h}, clock);
  ASSERT_TRUE(ca.ok());
  clock.Advance(25h);
  Result<CertifiedKey> leaf = IssueLeaf(*ca, TabletRequest(), clock);
  ASSERT_FALSE(leaf.ok());
  EXPECT_EQ(leaf.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(leaf.status().message(), HasSubstr("expired"));
}

TEST(IssueLeaf, RejectsInvalidRequests) {
  FakeClock clock(TestEpoch());
  Result<CertifiedKey> ca = CreateCa({}, clock);
  ASSERT_TRUE(ca.ok());
  struct BadCase {
    const char* name;
    LeafRequest request;
    const char* message;
  };
  const BadCase kCases[] = {
      {"no names", LeafRequest{}, "no common name"},
      {"no usage", LeafRequest{.common_name = "a", .usages = {}}, "no usage"},
      {"bad dns", LeafRequest{.dns_names = {"bad name"}}, "\"bad name\" is not a valid DNS name"},
      {"bad ip", LeafRequest{.ip_addresses = {"300.1.1.1"}}, "\"300.1.1.1\" is not a valid IP"},
      {"bad uri", LeafRequest{.uris = {"no-scheme"}}, "\"no-scheme\" is not a valid absolute URI"},
      {"zero duration", LeafRequest{.common_name = "a", .duration = Seconds(0)}, "positive"},
  };
  for (const BadCase& c : kCases) {
    Result<CertifiedKey> leaf = IssueLeaf(*ca, c.request, clock);
    ASSERT_FALSE(leaf.ok()) << c.name;
    EXPECT_EQ(leaf.status().code(), ErrorCode::kInvalidArgument) << c.name;
    EXPECT_THAT(leaf.status().message(), HasSubstr(c.message)) << c.name;
  }
}

// Every algorithm pairing is checked by the real openssl verifier, and a different CA with
// the same subject is rejected.
TEST(IssueLeaf, AcceptedByOpensslVerifyForEveryAlgorithm) {
  const KeySpec kSpecs[] = {{KeyAlgorithm::kEcdsa, 256}, {KeyAlgorithm::kEcdsa, 384},
                            {KeyAlgorithm::kRsa, 2048},  {KeyAlgorithm::kRsa, 3072},
                            {KeyAlgorithm::kRsa, 4096},  {KeyAlgorithm::kEd25519, 0}};
  FakeClock clock(TestEpoch());
  TempDir dir;
  for (const KeySpec& spec : kSpecs) {
    SCOPED_TRACE(DescribeKeySpec(spec));
    Result<CertifiedKey> ca = CreateCa({.key = spec}, clock);
    Result<CertifiedKey> other_ca = CreateCa({.key = spec}, clock);
    ASSERT_TRUE(ca.ok());
    ASSERT_TRUE(other_ca.ok());
    Result<CertifiedKey> leaf = IssueLeaf(*ca, TabletRequest(spec), clock);
    ASSERT_TRUE(leaf.ok()) << leaf.status().message();
    auto ca_file = dir.Write("ca.crt", ca->certificate.ToPem());
    auto other_file = dir.Write("other.crt", other_ca->certificate.ToPem());
    auto leaf_file = dir.Write("tls.crt", leaf->certificate.ToPem());
    std::string at = AtTime(clock.Now());

    testing::CommandResult good = RunCommand("openssl verify " + at +
                                             " -purpose sslserver -verify_hostname "
                                             "vttablet.vtguard.internal -CAfile " +
                                             ca_file.string() + " " + leaf_file.string());
    EXPECT_EQ(good.exit_code, 0) << good.output;
    testing::CommandResult client =
        RunCommand("openssl verify " + at + " -purpose sslclient -CAfile " + ca_file.string() +
                   " " + leaf_file.string());
    EXPECT_EQ(client.exit_code, 0) << client.output;
    testing::CommandResult wrong = RunCommand("openssl verify " + at + " -CAfile " +
                                              other_file.string() + " " + leaf_file.string());
    EXPECT_NE(wrong.exit_code, 0) << wrong.output;
  }
}

TEST(RenewCa, OldAndNewVerifySameLeaves) {
  FakeClock clock(TestEpoch());
  Result<CertifiedKey> ca = CreateCa({.duration = 720h}, clock);
  ASSERT_TRUE(ca.ok());
  Result<CertifiedKey> old_leaf = IssueLeaf(*ca, TabletRequest(), clock);
  ASSERT_TRUE(old_leaf.ok());

  clock.Advance(600h);
  Result<Certificate> renewed = RenewCa(*ca, 720h, clock);
  ASSERT_TRUE(renewed.ok()) << renewed.status().message();
  EXPECT_EQ(renewed->Subject(), ca->certificate.Subject());
  EXPECT_NE(renewed->SerialHex(), ca->certificate.SerialHex());
  EXPECT_EQ(renewed->NotAfter(), clock.Now() + 720h);
  EXPECT_TRUE(renewed->MatchesKey(ca->key));
  Result<CertifiedKey> new_leaf = IssueLeaf({*renewed, ca->key}, TabletRequest(), clock);
  ASSERT_TRUE(new_leaf.ok());

  TrustBundle old_bundle;
  old_bundle.Add(ca->certificate);
  TrustBundle new_bundle;
  new_bundle.Add(*renewed);
  for (const CertifiedKey* leaf : {&*old_leaf, &*new_leaf}) {
    EXPECT_TRUE(VerifyCertificate(leaf->certificate, old_bundle, {}, clock).ok());
    VerifyResult with_new = VerifyCertificate(leaf->certificate, new_bundle, {}, clock);
    EXPECT_TRUE(with_new.ok()) << with_new.message;
  }

  TempDir dir;
  auto new_ca_file = dir.Write("ca.crt", renewed->ToPem());
  auto old_leaf_file = dir.Write("old.crt", old_leaf->certificate.ToPem());
  testing::CommandResult verified =
      RunCommand("openssl verify " + AtTime(clock.Now()) + " -CAfile " + new_ca_file.string() +
                 " " + old_leaf_file.string());
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
}

TEST(ParseCertifiedKey, DetectsKeyMismatch) {
  FakeClock clock(TestEpoch());
  Result<CertifiedKey> ca = CreateCa({}, clock);
  Result<PrivateKey> other = PrivateKey::Generate({});
  ASSERT_TRUE(ca.ok());
  ASSERT_TRUE(other.ok());
  Result<std::string> key_pem = other->ToPkcs8Pem();
  ASSERT_TRUE(key_pem.ok());
  Result<CertifiedKey> pair = ParseCertifiedKey(ca->certificate.ToPem(), *key_pem);
  ASSERT_FALSE(pair.ok());
  EXPECT_THAT(pair.status().message(), HasSubstr("does not match"));

  Result<std::string> right_pem = ca->key.ToPkcs8Pem();
  ASSERT_TRUE(right_pem.ok());
  EXPECT_TRUE(ParseCertifiedKey(ca->certificate.ToPem(), *right_pem).ok());
  EXPECT_TRUE(ParseCertifiedKey(ca->certificate.ToDer(), *right_pem).ok());
}

TEST(LoadCertifiedKeyFiles, NamesBothFilesOnMismatch) {
  FakeClock clock(TestEpoch());
  Result<CertifiedKey> ca = CreateCa({}, clock);
  Result<PrivateKey> other = PrivateKey::Generate({KeyAlgorithm::kEd25519, 0});
  ASSERT_TRUE(ca.ok());
  ASSERT_TRUE(other.ok());
  TempDir dir;
  auto cert_file = dir.Write("tls.crt", ca->certificate.ToPem());
  auto key_file = dir.Write("tls.key", *other->ToPkcs8Pem());
  Result<CertifiedKey> pair = LoadCertifiedKeyFiles(cert_file, key_file);
  ASSERT_FALSE(pair.ok());
  EXPECT_THAT(pair.status().message(), HasSubstr(cert_file.string()));
  EXPECT_THAT(pair.status().message(), HasSubstr(key_file.string()));
}

TEST(Certificate, ParsesPemAndDerAndRejectsGarbage) {
  FakeClock clock(TestEpoch());
  Result<CertifiedKey> ca = CreateCa({}, clock);
  ASSERT_TRUE(ca.ok());
  Result<Certificate> from_der = Certificate::Parse(ca->certificate.ToDer());
  ASSERT_TRUE(from_der.ok());
  EXPECT_EQ(*from_der, ca->certificate);
  EXPECT_EQ(from_der->Sha256Fingerprint().size(), 32u * 3 - 1);
  EXPECT_FALSE(Certificate::Parse("garbage").ok());
  EXPECT_FALSE(
      Certificate::Parse("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----").ok());
  EXPECT_FALSE(Certificate::FromDer(ca->certificate.ToDer() + "x").ok());
}

}  // namespace
}  // namespace vtguard::pki
