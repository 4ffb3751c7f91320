#include "common/kube/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/kube/base64.h"

namespace vtguard::kube {
namespace {

std::string Kubeconfig(const std::string& cluster_extra, const std::string& user_block) {
  return "apiVersion: v1\nkind: Config\ncurrent-context: c1\n"
         "contexts:\n- name: c1\n  context: {cluster: k1, user: u1}\n"
         "- name: c2\n  context: {cluster: k2, user: u1}\n"
         "clusters:\n- name: k1\n  cluster:\n    server: https://127.0.0.1:6443\n" +
         cluster_extra +
         "- name: k2\n  cluster:\n    server: http://127.0.0.1:8080\n"
         "users:\n- name: u1\n  user:\n" +
         user_block;
}

TEST(ParseKubeconfig, ReadsInlineDataAndToken) {
  std::string text = Kubeconfig("    certificate-authority-data: " + Base64Encode("CA PEM") +
                                    "\n    tls-server-name: api.internal\n",
                                "    token: abc\n");
  Result<ClientConfig> config = ParseKubeconfig(text, "");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server, "https://127.0.0.1:6443");
  EXPECT_EQ(config->ca_pem, "CA PEM");
  EXPECT_EQ(config->token, "abc");
  EXPECT_EQ(config->tls_server_name, "api.internal");
}

TEST(ParseKubeconfig, ReadsClientCertificateFilesRelativeToFolder) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("vtguard-kubeconfig-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "client.crt") << "CERT";
  std::ofstream(dir / "client.key") << "KEY";
  std::string text = Kubeconfig("",
                                "    client-certificate: client.crt\n"
                                "    client-key: client.key\n");
  Result<ClientConfig> config = ParseKubeconfig(text, dir.string());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->client_cert_pem, "CERT");
  EXPECT_EQ(config->client_key_pem, "KEY");
}

struct BadKubeconfig {
  std::string name;
  std::string text;
  KubeconfigOptions options;
  ErrorCode code;
  std::string message_part;
};

TEST(ParseKubeconfig, RejectsBadConfigurations) {
  const std::vector<BadKubeconfig> cases = {
      {"insecure",
       Kubeconfig("    insecure-skip-tls-verify: true\n", "    token: a\n"),
       {},
       ErrorCode::kInvalidArgument,
       "insecure-skip-tls-verify"},
      {"plain http",
       Kubeconfig("", "    token: a\n"),
       {"c2", false},
       ErrorCode::kInvalidArgument,
       "must be an https:// URL"},
      {"missing context",
       Kubeconfig("", "    token: a\n"),
       {"nope", false},
       ErrorCode::kNotFound,
       "context \"nope\""},
      {"cert without key",
       Kubeconfig("", "    client-certificate-data: Q0VSVA==\n"),
       {},
       ErrorCode::kInvalidArgument,
       "both"},
      {"exec plugin",
       Kubeconfig("", "    exec: {command: aws}\n"),
       {},
       ErrorCode::kInvalidArgument,
       "exec"},
      {"bad base64",
       Kubeconfig("    certificate-authority-data: '@@@'\n", "    token: a\n"),
       {},
       ErrorCode::kInvalidArgument,
       "certificate-authority-data"},
      {"not yaml", "{{{", {}, ErrorCode::kInvalidArgument, "invalid YAML"},
  };
  for (const BadKubeconfig& c : cases) {
    Result<ClientConfig> config = ParseKubeconfig(c.text, "", c.options);
    ASSERT_FALSE(config.ok()) << c.name;
    EXPECT_EQ(config.status().code(), c.code) << c.name;
    EXPECT_NE(config.status().message().find(c.message_part), std::string::npos)
        << c.name << ": " << config.status().message();
  }
}

TEST(ParseKubeconfig, AllowsInsecureOnlyWhenAsked) {
  std::string text = Kubeconfig("    insecure-skip-tls-verify: true\n", "    token: a\n");
  KubeconfigOptions options;
  options.allow_insecure = true;
  Result<ClientConfig> config = ParseKubeconfig(text, "", options);
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->insecure_skip_tls_verify);
}

TEST(LoadInClusterConfig, ReadsServiceAccountFiles) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("vtguard-sa-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "token") << "tok\n";
  std::ofstream(dir / "ca.crt") << "CA";
  setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  Result<ClientConfig> config = LoadInClusterConfig(dir.string());
  unsetenv("KUBERNETES_SERVICE_HOST");
  Result<ClientConfig> outside = LoadInClusterConfig(dir.string());
  unsetenv("KUBERNETES_SERVICE_PORT");
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server, "https://10.0.0.1:443");
  EXPECT_EQ(config->ca_pem, "CA");
  EXPECT_EQ(config->token_file, (dir / "token").string());
  EXPECT_EQ(outside.status().code(), ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace vtguard::kube
