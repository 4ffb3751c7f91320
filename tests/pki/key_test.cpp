#include <gtest/gtest.h>

#include "common/pki/pki.h"
#include "tests/pki/pki_test_util.h"

namespace vtguard::pki {
namespace {

using testing::RunCommand;
using testing::TempDir;

struct SpecCase {
  const char* algorithm;
  int size;
  KeySpec expected;
};

TEST(ParseKeySpec, AcceptsPolicySpellings) {
  const SpecCase kCases[] = {
      {"ECDSA", 0, {KeyAlgorithm::kEcdsa, 256}},   {"ECDSA", 256, {KeyAlgorithm::kEcdsa, 256}},
      {"ecdsa", 384, {KeyAlgorithm::kEcdsa, 384}}, {"RSA", 0, {KeyAlgorithm::kRsa, 2048}},
      {"RSA", 3072, {KeyAlgorithm::kRsa, 3072}},   {"RSA", 4096, {KeyAlgorithm::kRsa, 4096}},
      {"Ed25519", 0, {KeyAlgorithm::kEd25519, 0}},
  };
  for (const SpecCase& c : kCases) {
    Result<KeySpec> spec = ParseKeySpec(c.algorithm, c.size);
    ASSERT_TRUE(spec.ok()) << c.algorithm << " " << c.size << ": " << spec.status().message();
    EXPECT_EQ(*spec, c.expected) << c.algorithm << " " << c.size;
  }
}

TEST(ParseKeySpec, RejectsWeakAndUnknownKeysNamingTheValue) {
  const std::pair<const char*, int> kCases[] = {{"RSA", 1024}, {"ECDSA", 521},   {"DSA", 0},
                                                {"Ed448", 0},  {"Ed25519", 384}, {"", 0}};
  for (const auto& [algorithm, size] : kCases) {
    Result<KeySpec> spec = ParseKeySpec(algorithm, size);
    ASSERT_FALSE(spec.ok()) << algorithm << " " << size;
    EXPECT_EQ(spec.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(spec.status().message().find(std::string("\"") + algorithm + "\""), std::string::npos)
        << spec.status().message();
    EXPECT_NE(spec.status().message().find("allowed: ECDSA"), std::string::npos);
  }
}

TEST(PrivateKey, GeneratesEverySupportedAlgorithm) {
  const KeySpec kSpecs[] = {{KeyAlgorithm::kEcdsa, 256},
                            {KeyAlgorithm::kEcdsa, 384},
                            {KeyAlgorithm::kRsa, 2048},
                            {KeyAlgorithm::kEd25519, 0}};
  for (const KeySpec& spec : kSpecs) {
    Result<PrivateKey> key = PrivateKey::Generate(spec);
    ASSERT_TRUE(key.ok()) << key.status().message();
    EXPECT_EQ(key->spec(), spec);
    Result<std::string> pem = key->ToPkcs8Pem();
    ASSERT_TRUE(pem.ok());
    EXPECT_TRUE(pem->starts_with("-----BEGIN PRIVATE KEY-----")) << *pem;
    Result<PrivateKey> reread = PrivateKey::FromPem(*pem);
    ASSERT_TRUE(reread.ok()) << reread.status().message();
    EXPECT_EQ(reread->spec(), spec);
    EXPECT_EQ(EVP_PKEY_eq(key->get(), reread->get()), 1);
  }
}

TEST(PrivateKey, RejectsUnsupportedSpecOnGenerate) {
  Result<PrivateKey> key = PrivateKey::Generate({KeyAlgorithm::kRsa, 1024});
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find("1024"), std::string::npos);
}

// Keys written by the openssl tool in each legacy and modern format.
TEST(PrivateKey, ReadsPkcs1Sec1AndPkcs8Files) {
  TempDir dir;
  struct FormatCase {
    const char* command;
    const char* header;
    KeySpec expected;
  };
  const FormatCase kCases[] = {
      {"openssl genrsa -traditional -out {} 2048",
       "BEGIN RSA PRIVATE KEY",
       {KeyAlgorithm::kRsa, 2048}},
      {"openssl ecparam -name prime256v1 -genkey -noout -out {}",
       "BEGIN EC PRIVATE KEY",
       {KeyAlgorithm::kEcdsa, 256}},
      {"openssl ecparam -name secp384r1 -genkey -noout -out {}",
       "BEGIN EC PRIVATE KEY",
       {KeyAlgorithm::kEcdsa, 384}},
      {"openssl genpkey -algorithm ed25519 -out {}",
       "BEGIN PRIVATE KEY",
       {KeyAlgorithm::kEd25519, 0}},
      {"openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out {}",
       "BEGIN PRIVATE KEY",
       {KeyAlgorithm::kEcdsa, 256}},
  };
  for (const FormatCase& c : kCases) {
    std::filesystem::path file = dir.path() / "key.pem";
    std::string command = c.command;
    command.replace(command.find("{}"), 2, file.string());
    testing::CommandResult generated = RunCommand(command);
    ASSERT_EQ(generated.exit_code, 0) << generated.output;
    std::string pem = testing::ReadFile(file);
    ASSERT_NE(pem.find(c.header), std::string::npos) << c.command << "\n" << pem;
    Result<PrivateKey> key = LoadPrivateKeyFile(file);
    ASSERT_TRUE(key.ok()) << c.command << ": " << key.status().message();
    EXPECT_EQ(key->spec(), c.expected) << c.command;
  }
}

TEST(PrivateKey, ReadsDerKey) {
  TempDir dir;
  std::filesystem::path file = dir.path() / "key.der";
  ASSERT_EQ(RunCommand("openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-384 "
                       "-outform DER -out " +
                       file.string())
                .exit_code,
            0);
  Result<PrivateKey> key = LoadPrivateKeyFile(file);
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(key->spec(), (KeySpec{KeyAlgorithm::kEcdsa, 384}));
}

TEST(PrivateKey, RejectsGarbageEncryptedAndWeakKeys) {
  EXPECT_FALSE(PrivateKey::FromPem("not a key").ok());
  EXPECT_FALSE(
      PrivateKey::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").ok());
  TempDir dir;
  std::filesystem::path encrypted = dir.path() / "encrypted.pem";
  ASSERT_EQ(RunCommand("openssl genpkey -algorithm ed25519 -aes256 -pass pass:secret -out " +
                       encrypted.string())
                .exit_code,
            0);
  Result<PrivateKey> key = LoadPrivateKeyFile(encrypted);
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find("encrypted"), std::string::npos);

  std::filesystem::path weak = dir.path() / "weak.pem";
  ASSERT_EQ(RunCommand("openssl genrsa -out " + weak.string() + " 1024").exit_code, 0);
  Result<PrivateKey> weak_key = LoadPrivateKeyFile(weak);
  ASSERT_FALSE(weak_key.ok());
  EXPECT_NE(weak_key.status().message().find("1024"), std::string::npos);
  EXPECT_NE(weak_key.status().message().find(weak.string()), std::string::npos);
}

TEST(LoadPrivateKeyFile, MissingFileIsNotFound) {
  Result<PrivateKey> key = LoadPrivateKeyFile("/nonexistent/tls.key");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(key.status().message().find("/nonexistent/tls.key"), std::string::npos);
}

}  // namespace
}  // namespace vtguard::pki
