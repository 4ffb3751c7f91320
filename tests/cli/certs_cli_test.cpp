// Runs the built `vtguard certs` binary on temporary folders, as a user would.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/pki/pki.h"
#include "tests/pki/pki_test_util.h"

namespace vtguard::pki {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;
using testing::RunCommand;
using testing::TempDir;
namespace fs = std::filesystem;

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class CertsCliTest : public ::testing::Test {
 protected:
  CliResult Run(const std::string& args) {
    fs::path out = dir_.path() / ".stdout";
    fs::path err = dir_.path() / ".stderr";
    std::string binary = std::string(VTGUARD_BINARY_DIR) + "/cli/vtguard";
    testing::CommandResult result = RunCommand("{ " + binary + " certs " + args + " >" +
                                               out.string() + " 2>" + err.string() + "; }");
    return {result.exit_code, ReadFile(out), ReadFile(err)};
  }
  std::string Path(const std::string& name) const { return (dir_.path() / name).string(); }
  void CreateCa(const std::string& extra = "") {
    CliResult ca = Run("ca create --out-dir " + Path("ca") + " " + extra);
    ASSERT_EQ(ca.exit_code, 0) << ca.err;
  }

  TempDir dir_;
};

fs::perms Mode(const std::string& path) { return fs::status(path).permissions() & fs::perms::mask; }

TEST_F(CertsCliTest, CaCreateWritesCertificateAndPrivateKey) {
  CliResult result = Run("ca create --out-dir " + Path("ca") + " --common-name prod-ca");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("CN=prod-ca,O=vtguard"));
  EXPECT_EQ(Mode(Path("ca/ca.key")), fs::perms::owner_read | fs::perms::owner_write);
  Result<CertifiedKey> ca = LoadCertifiedKeyFiles(Path("ca/ca.crt"), Path("ca/ca.key"));
  ASSERT_TRUE(ca.ok()) << ca.status().message();
  EXPECT_TRUE(ca->certificate.IsCa());
  EXPECT_EQ(ca->key.spec(), (KeySpec{KeyAlgorithm::kEcdsa, 256}));
  EXPECT_THAT(ReadFile(Path("ca/ca.key")), HasSubstr("BEGIN PRIVATE KEY"));
}

TEST_F(CertsCliTest, CaCreateHonoursAlgorithmAndDuration) {
  CliResult result =
      Run("ca create --out-dir " + Path("ca") + " --algorithm RSA --size 3072 --duration 720h");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Result<Certificate> ca = LoadCertificateFile(Path("ca/ca.crt"));
  ASSERT_TRUE(ca.ok());
  EXPECT_EQ(*ca->PublicKeySpec(), (KeySpec{KeyAlgorithm::kRsa, 3072}));
  EXPECT_EQ(ca->NotAfter() - ca->NotBefore(), std::chrono::hours(720) + std::chrono::minutes(5));
}

TEST_F(CertsCliTest, NothingIsOverwrittenWithoutForce) {
  CreateCa();
  std::string before = ReadFile(Path("ca/ca.crt"));
  CliResult again = Run("ca create --out-dir " + Path("ca"));
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr(Path("ca/ca.crt") + " already exists"));
  EXPECT_THAT(again.err, HasSubstr("--force"));
  EXPECT_EQ(ReadFile(Path("ca/ca.crt")), before);

  CliResult forced = Run("ca create --out-dir " + Path("ca") + " --force");
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(ReadFile(Path("ca/ca.crt")), before);

  // An existing tls.crt blocks the issue before tls.key is written.
  fs::create_directories(Path("out"));
  dir_.Write("out/tls.crt", "keep me");
  CliResult issue =
      Run("issue --ca-dir " + Path("ca") + " --component vtgate --out-dir " + Path("out"));
  EXPECT_EQ(issue.exit_code, 2);
  EXPECT_THAT(issue.err, HasSubstr(Path("out/tls.crt")));
  EXPECT_EQ(ReadFile(Path("out/tls.crt")), "keep me");
  EXPECT_FALSE(fs::exists(Path("out/tls.key")));
}

TEST_F(CertsCliTest, IssueVttabletDefaultsVerifyWithOpenssl) {
  CreateCa();
  CliResult issue = Run("issue --ca-dir " + Path("ca") + " --component vttablet --out-dir " +
                        Path("tablet") + " --ip 10.0.0.7 --uri spiffe://vtguard/vttablet");
  ASSERT_EQ(issue.exit_code, 0) << issue.err;
  EXPECT_EQ(Mode(Path("tablet/tls.key")), fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(ReadFile(Path("tablet/ca.crt")), ReadFile(Path("ca/ca.crt")));

  CliResult inspect = Run("inspect -o json " + Path("tablet/tls.crt"));
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  nlohmann::json info = nlohmann::json::parse(inspect.out);
  EXPECT_EQ(info["subject"], "CN=vttablet,O=vtguard");
  EXPECT_EQ(info["dns_names"], nlohmann::json({"vttablet.vtguard.internal"}));
  EXPECT_EQ(info["ip_addresses"], nlohmann::json({"10.0.0.7"}));
  EXPECT_EQ(info["uris"], nlohmann::json({"spiffe://vtguard/vttablet"}));
  EXPECT_EQ(info["usages"], nlohmann::json({"server", "client"}));
  EXPECT_EQ(info["is_ca"], false);

  testing::CommandResult verified = RunCommand(
      "openssl verify -purpose sslserver -verify_hostname vttablet.vtguard.internal -CAfile " +
      Path("tablet/ca.crt") + " " + Path("tablet/tls.crt"));
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  Result<CertifiedKey> pair = LoadCertifiedKeyFiles(Path("tablet/tls.crt"), Path("tablet/tls.key"));
  EXPECT_TRUE(pair.ok()) << pair.status().message();
}

TEST_F(CertsCliTest, IssueCapsLifetimeAtCaExpiry) {
  CreateCa("--duration 24h");
  CliResult issue =
      Run("issue --ca-dir " + Path("ca") + " --component vttablet --out-dir " + Path("tablet"));
  ASSERT_EQ(issue.exit_code, 0) << issue.err;
  EXPECT_THAT(issue.out, HasSubstr("shortened to the CA's expiry"));
  Result<Certificate> ca = LoadCertificateFile(Path("ca/ca.crt"));
  Result<Certificate> leaf = LoadCertificateFile(Path("tablet/tls.crt"));
  ASSERT_TRUE(ca.ok());
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(leaf->NotAfter(), ca->NotAfter());

  CliResult inspect = Run("inspect -o json " + Path("tablet/tls.crt"));
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  nlohmann::json info = nlohmann::json::parse(inspect.out);
  // A third of the 24h05m lifetime before expiry, minus at most 10 % of that as jitter.
  int64_t seconds = info["seconds_until_renewal"].get<int64_t>();
  EXPECT_GT(seconds, 14 * 3600);
  EXPECT_LT(seconds, 16 * 3600);
}

TEST_F(CertsCliTest, IssueClientComponentsAreClientOnly) {
  CreateCa();
  for (const char* component : {"vtgate", "vtctld", "vtorc"}) {
    std::string out = Path(component);
    CliResult issue = Run("issue --ca-dir " + Path("ca") + " --component " + component +
                          " --out-dir " + out + " --algorithm Ed25519");
    ASSERT_EQ(issue.exit_code, 0) << component << ": " << issue.err;
    Result<Certificate> cert = LoadCertificateFile(out + "/tls.crt");
    ASSERT_TRUE(cert.ok());
    EXPECT_EQ(cert->Usages(), std::vector<Usage>{Usage::kClient}) << component;
    EXPECT_EQ(cert->CommonName(), component);
  }
}

TEST_F(CertsCliTest, InspectTextShowsRenewalTime) {
  CreateCa();
  CliResult inspect = Run("inspect " + Path("ca/ca.crt"));
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  for (const char* label : {"Subject:", "Issuer:", "Not after:", "Renewal time:", "SHA-256:",
                            "Usages:", "DNS names:", "CA:            yes"}) {
    EXPECT_THAT(inspect.out, HasSubstr(label));
  }
}

TEST_F(CertsCliTest, VerifyExitCodesAndReasons) {
  CreateCa();
  ASSERT_EQ(Run("ca create --out-dir " + Path("other")).exit_code, 0);
  ASSERT_EQ(Run("issue --ca-dir " + Path("ca") + " --component vtgate --out-dir " + Path("gate"))
                .exit_code,
            0);
  std::string leaf = Path("gate/tls.crt");

  CliResult ok = Run("verify --bundle " + Path("ca/ca.crt") + " --usage client " + leaf);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("OK: CN=vtgate"));

  struct Case {
    std::string args;
    const char* reason;
  };
  const Case kCases[] = {
      {"--bundle " + Path("other/ca.crt") + " " + leaf, "INVALID (unknown_issuer)"},
      {"--bundle " + Path("ca/ca.crt") + " --usage server " + leaf, "INVALID (wrong_usage)"},
      {"--bundle " + Path("ca/ca.crt") + " --server-name vtgate.example " + leaf,
       "INVALID (name_mismatch)"},
  };
  for (const Case& c : kCases) {
    CliResult result = Run("verify " + c.args);
    EXPECT_EQ(result.exit_code, 1) << c.args << "\n" << result.err;
    EXPECT_THAT(result.out, HasSubstr(c.reason)) << c.args;
  }
}

TEST_F(CertsCliTest, BadInputGetsOneMessageAndExitCode2) {
  CreateCa();
  dir_.Write("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
  fs::create_directories(Path("garbage-ca"));
  dir_.Write("garbage-ca/ca.crt", "hello");
  dir_.Write("garbage-ca/ca.key", "hello");
  ASSERT_EQ(Run("ca create --out-dir " + Path("other")).exit_code, 0);
  fs::create_directories(Path("mismatch"));
  fs::copy_file(Path("ca/ca.crt"), Path("mismatch/ca.crt"));
  fs::copy_file(Path("other/ca.key"), Path("mismatch/ca.key"));
  std::string issue = "issue --component vttablet --out-dir " + Path("out") + " --ca-dir ";

  struct Case {
    std::string args;
    std::string message;
  };
  const Case kCases[] = {
      {issue + Path("missing"), Path("missing/ca.crt") + ": file not found"},
      {issue + Path("garbage-ca"), Path("garbage-ca/ca.crt") + ": not a valid DER certificate"},
      {issue + Path("mismatch"), Path("mismatch/ca.key") + ": the private key does not match"},
      {issue + Path("ca") + " --algorithm DSA", "unknown key algorithm \"DSA\""},
      {issue + Path("ca") + " --algorithm RSA --size 1024", "\"RSA\" with size 1024"},
      {issue + Path("ca") + " --size big", "--size \"big\" is not a number"},
      {issue + Path("ca") + " --duration 90d", "--duration \"90d\" is not a duration"},
      {issue + Path("ca") + " --dns 'bad name'", "\"bad name\" is not a valid DNS name"},
      {issue + Path("ca") + " --usage peer", "unknown usage \"peer\""},
      {"issue --ca-dir " + Path("ca") + " --component vtadmin --out-dir " + Path("out"),
       "unknown --component \"vtadmin\""},
      {"issue --ca-dir " + Path("ca") + " --component webhook --out-dir " + Path("out"),
       "give --dns vtguard-webhook.NAMESPACE.svc"},
      {"ca create", "--out-dir is required"},
      {"ca create --out-dir " + Path("x") + " --algorithm Ed448", "unknown key algorithm"},
      {"inspect " + Path("nothing.crt"), Path("nothing.crt") + ": file not found"},
      {"inspect " + Path("garbage.pem"), Path("garbage.pem") + ":"},
      {"verify --bundle " + Path("garbage.pem") + " " + Path("ca/ca.crt"), Path("garbage.pem")},
      {"verify --bundle " + Path("ca/ca.crt") + " " + Path("ca/ca.key"), Path("ca/ca.key")},
      {"issue --bogus", "unknown option --bogus"},
  };
  for (const Case& c : kCases) {
    CliResult result = Run(c.args);
    EXPECT_EQ(result.exit_code, 2) << c.args << "\n" << result.out << result.err;
    EXPECT_THAT(result.err, HasSubstr(c.message)) << c.args;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
  EXPECT_FALSE(fs::exists(Path("out")));
}

TEST_F(CertsCliTest, InspectAndVerifyWordBadPemAlike) {
  CreateCa();
  dir_.Write("damaged.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
  dir_.Write("text.crt", "hello\n");
  for (std::string name : {"damaged.pem", "text.crt"}) {
    CliResult inspect = Run("inspect " + Path(name));
    CliResult verify = Run("verify --bundle " + Path("ca/ca.crt") + " " + Path(name));
    EXPECT_EQ(inspect.exit_code, 2) << inspect.err;
    EXPECT_EQ(verify.exit_code, 2) << verify.err;
    const std::string inspect_prefix = "vtguard certs inspect: ";
    const std::string verify_prefix = "vtguard certs verify: ";
    ASSERT_EQ(inspect.err.rfind(inspect_prefix, 0), 0u) << inspect.err;
    ASSERT_EQ(verify.err.rfind(verify_prefix, 0), 0u) << verify.err;
    EXPECT_EQ(inspect.err.substr(inspect_prefix.size()), verify.err.substr(verify_prefix.size()));
    EXPECT_THAT(inspect.err, HasSubstr(Path(name) + ": "));
    EXPECT_THAT(inspect.err, HasSubstr("; give a PEM or DER X.509 certificate\n"));
  }
  CliResult damaged = Run("inspect " + Path("damaged.pem"));
  EXPECT_EQ(damaged.err, "vtguard certs inspect: " + Path("damaged.pem") +
                             ": certificate number 1 is not a valid PEM certificate; give a PEM "
                             "or DER X.509 certificate\n");
}

TEST_F(CertsCliTest, DemoCreatesAndVerifiesATabletCertificate) {
  CliResult demo = Run("demo --out-dir " + Path("demo"));
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  EXPECT_THAT(demo.out, HasSubstr("Verification: OK as a server for vttablet.vtguard.internal"));
  EXPECT_THAT(demo.out, HasSubstr("CN=vttablet,O=vtguard"));
  EXPECT_TRUE(fs::exists(Path("demo/vttablet/tls.crt")));
  EXPECT_EQ(Run("demo --out-dir " + Path("demo")).exit_code, 2);
}

}  // namespace
}  // namespace vtguard::pki
