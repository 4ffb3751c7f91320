#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace vtguard::pki
