// Loading of --policy-file, which the webhook uses when it runs without the Kubernetes API.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "webhook/app.h"

namespace vtguard::webhook {
namespace {

namespace fs = std::filesystem;

class PolicyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vtguard-policy-file-" +
            std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& text) {
    fs::path path = dir_ / "policy.yaml";
    std::ofstream(path) << text;
    return path;
  }

  fs::path dir_;
};

TEST_F(PolicyFileTest, LoadsOnePolicy) {
  fs::path path = Write(R"(apiVersion: vtguard.io/v1alpha1
kind: VitessTLSPolicy
metadata: {name: tls, namespace: vitess}
spec: {enforcement: Warn}
)");
  auto policies = LoadPolicyFile(path);
  ASSERT_TRUE(policies.ok()) << policies.status().ToString();
  ASSERT_EQ(policies->size(), 1u);
  EXPECT_EQ(policies->front().name, "tls");
}

TEST_F(PolicyFileTest, RejectsFileWithoutPolicy) {
  fs::path path = Write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n");
  auto policies = LoadPolicyFile(path);
  ASSERT_FALSE(policies.ok());
  EXPECT_NE(policies.status().message().find(path.string()), std::string::npos)
      << policies.status().ToString();
  EXPECT_NE(policies.status().message().find("VitessTLSPolicy"), std::string::npos)
      << policies.status().ToString();
}

TEST_F(PolicyFileTest, RejectsMissingFile) {
  auto policies = LoadPolicyFile(dir_ / "absent.yaml");
  ASSERT_FALSE(policies.ok());
  EXPECT_NE(policies.status().message().find("absent.yaml"), std::string::npos);
}

}  // namespace
}  // namespace vtguard::webhook
