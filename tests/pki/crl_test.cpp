#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "common/pki/pki.h"
#include "tests/pki/pki_test_util.h"

namespace vtguard::pki {
namespace {

using namespace std::chrono_literals;
using testing::AtTime;
using ::testing::HasSubstr;
using testing::RunCommand;
using testing::TempDir;
using testing::TestEpoch;

TEST(CreateCrlPem, VerifiedByOpensslAndRevokesLeaf) {
  FakeClock clock(TestEpoch());
  Result<CertifiedKey> ca = CreateCa({}, clock);
  ASSERT_TRUE(ca.ok());
  LeafRequest request{.common_name = "vttablet", .dns_names = {"vttablet.vtguard.internal"}};
  Result<CertifiedKey> revoked = IssueLeaf(*ca, request, clock);
  Result<CertifiedKey> kept = IssueLeaf(*ca, request, clock);
  ASSERT_TRUE(revoked.ok());
  ASSERT_TRUE(kept.ok());

  clock.Advance(1h);
  Result<std::string> crl = CreateCrlPem(
      *ca, {.revoked = {{revoked->certificate.SerialHex(), clock.Now()}}, .crl_number = 7}, clock);
  ASSERT_TRUE(crl.ok()) << crl.status().message();

  TempDir dir;
  auto ca_file = dir.Write("ca.crt", ca->certificate.ToPem());
  auto crl_file = dir.Write("crl.pem", *crl);
  testing::CommandResult parsed = RunCommand("openssl crl -noout -text -verify -CAfile " +
                                             ca_file.string() + " -in " + crl_file.string());
  ASSERT_EQ(parsed.exit_code, 0) << parsed.output;
  EXPECT_THAT(parsed.output, HasSubstr("verify OK"));
  EXPECT_THAT(parsed.output, HasSubstr("Version 2"));
  EXPECT_THAT(parsed.output, HasSubstr("X509v3 CRL Number"));
  EXPECT_THAT(parsed.output, HasSubstr("X509v3 Authority Key Identifier"));
  EXPECT_THAT(parsed.output, HasSubstr("Next Update"));
  EXPECT_THAT(parsed.output, HasSubstr(revoked->certificate.SerialHex()));

  // openssl verify -crl_check wants the CA and the CRL in the files it is given.
  auto revoked_file = dir.Write("revoked.crt", revoked->certificate.ToPem());
  auto kept_file = dir.Write("kept.crt", kept->certificate.ToPem());
  std::string verify = "openssl verify " + AtTime(clock.Now()) + " -crl_check -CAfile " +
                       ca_file.string() + " -CRLfile " + crl_file.string() + " ";
  testing::CommandResult rejected = RunCommand(verify + revoked_file.string());
  EXPECT_NE(rejected.exit_code, 0) << rejected.output;
  EXPECT_THAT(rejected.output, HasSubstr("revoked"));
  testing::CommandResult accepted = RunCommand(verify + kept_file.string());
  EXPECT_EQ(accepted.exit_code, 0) << accepted.output;

  TrustBundle bundle;
  bundle.Add(ca->certificate);
  VerifyResult ours = VerifyCertificate(revoked->certificate, bundle, {.crl_pems = {*crl}}, clock);
  EXPECT_EQ(ours.failure, VerifyFailure::kRevoked) << ours.message;
  EXPECT_TRUE(VerifyCertificate(kept->certificate, bundle, {.crl_pems = {*crl}}, clock).ok());
}

TEST(CreateCrlPem, EmptyCrlIsValid) {
  FakeClock clock(TestEpoch());
  Result<CertifiedKey> ca = CreateCa({.key = {KeyAlgorithm::kEd25519, 0}}, clock);
  ASSERT_TRUE(ca.ok());
  Result<std::string> crl = CreateCrlPem(*ca, {}, clock);
  ASSERT_TRUE(crl.ok()) << crl.status().message();
  TempDir dir;
  auto ca_file = dir.Write("ca.crt", ca->certificate.ToPem());
  auto crl_file = dir.Write("crl.pem", *crl);
  testing::CommandResult parsed = RunCommand("openssl crl -noout -verify -CAfile " +
                                             ca_file.string() + " -in " + crl_file.string());
  EXPECT_EQ(parsed.exit_code, 0) << parsed.output;
}

TEST(CreateCrlPem, RejectsBadSerial) {
  FakeClock clock(TestEpoch());
  Result<CertifiedKey> ca = CreateCa({}, clock);
  ASSERT_TRUE(ca.ok());
  Result<std::string> crl = CreateCrlPem(*ca, {.revoked = {{"XYZ", clock.Now()}}}, clock);
  ASSERT_FALSE(crl.ok());
  EXPECT_THAT(crl.status().message(), HasSubstr("\"XYZ\""));
}

TEST(Crl, ParseAllReadsBackWhatWasSigned) {
  FakeClock clock(TestEpoch());
  Result<CertifiedKey> first_ca = CreateCa({.common_name = "first"}, clock);
  Result<CertifiedKey> second_ca = CreateCa({.common_name = "second"}, clock);
  ASSERT_TRUE(first_ca.ok());
  ASSERT_TRUE(second_ca.ok());
  const SystemTime revoked_at = clock.Now() - 24h;
  Result<std::string> first = CreateCrlPem(
      *first_ca, {.revoked = {{"0a1b2c", revoked_at}, {"FF", revoked_at}}, .validity = 48h}, clock);
  Result<std::string> second = CreateCrlPem(*second_ca, {}, clock);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());

  // A certificate block between the CRLs is skipped.
  Result<std::vector<Crl>> crls = Crl::ParseAll(*first + first_ca->certificate.ToPem() + *second);
  ASSERT_TRUE(crls.ok()) << crls.status().message();
  ASSERT_EQ(crls->size(), 2u);
  const Crl& parsed = (*crls)[0];
  EXPECT_EQ(parsed.Issuer(), first_ca->certificate.Subject());
  EXPECT_EQ(parsed.LastUpdate(), clock.Now());
  ASSERT_TRUE(parsed.NextUpdate().has_value());
  EXPECT_EQ(*parsed.NextUpdate(), clock.Now() + 48h);
  std::vector<RevokedSerial> revoked = parsed.Revoked();
  ASSERT_EQ(revoked.size(), 2u);
  std::vector<std::string> serials = {revoked[0].serial_hex, revoked[1].serial_hex};
  std::sort(serials.begin(), serials.end());
  EXPECT_EQ(serials, (std::vector<std::string>{"0A1B2C", "FF"}));
  EXPECT_EQ(revoked[0].revocation_time, revoked_at);
  EXPECT_EQ(parsed.ToPem(), *first);

  EXPECT_TRUE(parsed.IsSignedBy(first_ca->certificate));
  EXPECT_FALSE(parsed.IsSignedBy(second_ca->certificate));
  EXPECT_TRUE((*crls)[1].IsSignedBy(second_ca->certificate));
  EXPECT_TRUE((*crls)[1].Revoked().empty());
}

TEST(Crl, SameNameOtherKeyIsNotTheSigner) {
  FakeClock clock(TestEpoch());
  Result<CertifiedKey> ca = CreateCa({.common_name = "shared"}, clock);
  Result<CertifiedKey> impostor = CreateCa({.common_name = "shared"}, clock);
  ASSERT_TRUE(ca.ok());
  ASSERT_TRUE(impostor.ok());
  Result<std::string> pem = CreateCrlPem(*impostor, {}, clock);
  ASSERT_TRUE(pem.ok());
  Result<std::vector<Crl>> crls = Crl::ParseAll(*pem);
  ASSERT_TRUE(crls.ok());
  EXPECT_FALSE((*crls)[0].IsSignedBy(ca->certificate));
}

TEST(Crl, ParseAllRejectsTextWithoutCrl) {
  FakeClock clock(TestEpoch());
  Result<CertifiedKey> ca = CreateCa({}, clock);
  ASSERT_TRUE(ca.ok());
  Result<std::vector<Crl>> none = Crl::ParseAll(ca->certificate.ToPem());
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.status().message(), HasSubstr("no PEM CRL"));
  Result<std::vector<Crl>> damaged =
      Crl::ParseAll("-----BEGIN X509 CRL-----\nbm90IGEgQ1JM\n-----END X509 CRL-----\n");
  ASSERT_FALSE(damaged.ok());
  EXPECT_THAT(damaged.status().message(), HasSubstr("CRL number 1"));
}

}  // namespace
}  // namespace vtguard::pki
