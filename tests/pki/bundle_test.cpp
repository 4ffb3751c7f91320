#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/pki/pki.h"
#include "tests/pki/pki_test_util.h"

namespace vtguard::pki {
namespace {

using namespace std::chrono_literals;
using testing::TestEpoch;

class TrustBundleTest : public ::testing::Test {
 protected:
  CertifiedKey NewCa(const std::string& name, Seconds duration = 87600h) {
    Result<CertifiedKey> ca = CreateCa({.common_name = name, .duration = duration}, clock_);
    EXPECT_TRUE(ca.ok()) << ca.status().message();
    return *ca;
  }
  FakeClock clock_{TestEpoch()};
};

TEST_F(TrustBundleTest, MergeDeduplicatesAndOrdersByNotBefore) {
  CertifiedKey first = NewCa("first");
  clock_.Advance(1h);
  CertifiedKey second = NewCa("second");
  clock_.Advance(1h);
  CertifiedKey third = NewCa("third");

  TrustBundle a;
  a.Add(third.certificate);
  a.Add(first.certificate);
  TrustBundle b;
  b.Add(second.certificate);
  b.Add(first.certificate);
  a.Merge(b);
  a.Add(third.certificate);

  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a.certificates()[0].CommonName(), "first");
  EXPECT_EQ(a.certificates()[1].CommonName(), "second");
  EXPECT_EQ(a.certificates()[2].CommonName(), "third");
}

TEST_F(TrustBundleTest, SameCertificatesSerializeToSameBytes) {
  CertifiedKey x = NewCa("x");
  CertifiedKey y = NewCa("y");  // Same notBefore: ordered by fingerprint.
  TrustBundle forward;
  forward.Add(x.certificate);
  forward.Add(y.certificate);
  TrustBundle backward;
  backward.Add(y.certificate);
  backward.Add(x.certificate);
  EXPECT_EQ(forward.ToPem(), backward.ToPem());
}

TEST_F(TrustBundleTest, ParseRoundTripsAndDeduplicates) {
  CertifiedKey x = NewCa("x");
  CertifiedKey y = NewCa("y");
  std::string pem =
      "# comment\n" + x.certificate.ToPem() + y.certificate.ToPem() + x.certificate.ToPem();
  Result<TrustBundle> bundle = TrustBundle::Parse(pem);
  ASSERT_TRUE(bundle.ok()) << bundle.status().message();
  EXPECT_EQ(bundle->size(), 2u);
  Result<TrustBundle> again = TrustBundle::Parse(bundle->ToPem());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ToPem(), bundle->ToPem());

  Result<TrustBundle> empty = TrustBundle::Parse("  \n");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_F(TrustBundleTest, ParseRejectsDamagedBlocks) {
  CertifiedKey x = NewCa("x");
  std::string damaged =
      x.certificate.ToPem() + "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  Result<TrustBundle> bundle = TrustBundle::Parse(damaged);
  ASSERT_FALSE(bundle.ok());
  EXPECT_THAT(bundle.status().message(), ::testing::HasSubstr("number 2"));
  EXPECT_FALSE(TrustBundle::Parse("not pem at all").ok());
}

TEST_F(TrustBundleTest, RemoveExpiredDropsOnlyExpiredCas) {
  CertifiedKey short_lived = NewCa("short", 24h);
  CertifiedKey long_lived = NewCa("long");
  TrustBundle bundle;
  bundle.Add(short_lived.certificate);
  bundle.Add(long_lived.certificate);
  EXPECT_EQ(bundle.RemoveExpired(clock_.Now() + 23h), 0);
  clock_.Advance(25h);
  EXPECT_EQ(bundle.RemoveExpired(clock_), 1);
  ASSERT_EQ(bundle.size(), 1u);
  EXPECT_EQ(bundle.certificates()[0].CommonName(), "long");
}

TEST_F(TrustBundleTest, FindSignerReturnsTheIssuingCa) {
  CertifiedKey old_ca = NewCa("vtguard-ca");
  CertifiedKey new_ca = NewCa("vtguard-ca");  // Same subject, different key (rotation).
  Result<CertifiedKey> leaf = IssueLeaf(new_ca, {.common_name = "vttablet"}, clock_);
  ASSERT_TRUE(leaf.ok());
  TrustBundle bundle;
  bundle.Add(old_ca.certificate);
  bundle.Add(new_ca.certificate);
  std::optional<Certificate> signer = bundle.FindSigner(leaf->certificate);
  ASSERT_TRUE(signer.has_value());
  EXPECT_EQ(*signer, new_ca.certificate);

  TrustBundle only_old;
  only_old.Add(old_ca.certificate);
  EXPECT_FALSE(only_old.FindSigner(leaf->certificate).has_value());
}

}  // namespace
}  // namespace vtguard::pki
