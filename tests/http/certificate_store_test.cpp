#include "common/http/certificate_store.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <fstream>

#include "common/http/certificate_reloader.h"
#include "tests/http/test_pki.h"

namespace vtguard::http {
namespace {

TEST(CertificateStore, LoadsAKubernetesSecretVolume) {
  testing::TestPki pki;
  testing::TempDir dir;
  testing::WriteSecretVolume(dir.path(), pki.IssueServer(0x42), 1);
  CertificateStore store;
  EXPECT_FALSE(store.HasCertificate());
  ASSERT_TRUE(store.LoadFromDirectory(dir.path()).ok());
  ASSERT_TRUE(store.HasCertificate());
  EXPECT_EQ(store.Current()->SerialHex(), "42");
  EXPECT_FALSE(store.Current()->NotAfter().empty());
}

TEST(CertificateStore, MismatchedKeyIsRejectedAndOldPairKept) {
  testing::TestPki pki;
  testing::TempDir dir;
  testing::WriteSecretVolume(dir.path(), pki.IssueServer(1), 1);
  CertificateStore store;
  ASSERT_TRUE(store.LoadFromDirectory(dir.path()).ok());

  testing::PemPair mixed{pki.IssueServer(2).cert, pki.IssueServer(3).key};
  testing::WriteSecretVolume(dir.path(), mixed, 2);
  Status status = store.LoadFromDirectory(dir.path());
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(status.message().find("tls.key: private key does not match"), std::string::npos)
      << status.message();
  EXPECT_EQ(store.Current()->SerialHex(), "01");
}

TEST(CertificateStore, ReportsMissingAndGarbageFiles) {
  testing::TempDir dir;
  CertificateStore store;
  EXPECT_EQ(store.LoadFromDirectory(dir.path()).code(), ErrorCode::kNotFound);
  std::ofstream(dir.path() / "tls.crt") << "garbage";
  std::ofstream(dir.path() / "tls.key") << "garbage";
  Status status = store.LoadFromDirectory(dir.path());
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(status.message().find("tls.crt: no PEM certificate found"), std::string::npos);
  EXPECT_FALSE(store.HasCertificate());
}

TEST(CertificateReloader, LoadsOnlyWhenFilesChange) {
  testing::TestPki pki;
  testing::TempDir dir;
  testing::WriteSecretVolume(dir.path(), pki.IssueServer(5), 1);
  boost::asio::io_context ioc;
  CertificateStore store;
  int loads = 0;
  int failures = 0;
  CertificateReloader reloader(ioc, store, dir.path(), std::chrono::milliseconds(10),
                               [&](const Status& s) { ++(s.ok() ? loads : failures); });
  ASSERT_TRUE(reloader.CheckNow().ok());
  ASSERT_TRUE(reloader.CheckNow().ok());
  EXPECT_EQ(loads, 1);

  testing::WriteSecretVolume(dir.path(), {"bad", "bad"}, 2);
  EXPECT_FALSE(reloader.CheckNow().ok());
  EXPECT_TRUE(reloader.CheckNow().ok());  // The same broken files are not retried.
  EXPECT_EQ(failures, 1);
  EXPECT_EQ(store.Current()->SerialHex(), "05");

  testing::WriteSecretVolume(dir.path(), pki.IssueServer(6), 3);
  ASSERT_TRUE(reloader.CheckNow().ok());
  EXPECT_EQ(loads, 2);
  EXPECT_EQ(store.Current()->SerialHex(), "06");
}

}  // namespace
}  // namespace vtguard::http
