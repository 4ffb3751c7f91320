// Protocol tests: the real kubectl and the Python Kubernetes client against the test API server.
#include "tests/apiserver/api_server.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>

#include "common/kube/client.h"
#include "common/kube/config.h"

namespace vtguard::testing {
namespace {

const std::string kSharedData = VTGUARD_SHARED_DATA_DIR;
const std::string kVitessClusterCrd =
    kSharedData + "/data/vitess-operator/crds/planetscale.com_vitessclusters.yaml";
const std::string kVitessClusterManifest =
    kSharedData + "/data/vitess-operator/101_initial_cluster.yaml";

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr.
};

CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.output.append(buffer.data(), n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

class ProtocolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = TestApiServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    dir_ = std::filesystem::temp_directory_path() /
           ("vtguard-apiserver-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    kubeconfig_ = (dir_ / "kubeconfig").string();
    ASSERT_TRUE(server_->WriteKubeconfig(kubeconfig_).ok());
    ASSERT_TRUE(server_->ApplyYamlFile(kVitessClusterCrd).ok());
  }
  void TearDown() override {
    if (server_) server_->Stop();
    std::filesystem::remove_all(dir_);
  }

  CommandResult Kubectl(const std::string& args) {
    return RunCommand("kubectl --kubeconfig " + kubeconfig_ + " --request-timeout=20s " + args);
  }
  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  std::unique_ptr<TestApiServer> server_;
  std::filesystem::path dir_;
  std::string kubeconfig_;
};

constexpr char kNamespaceYaml[] = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: example\n";
constexpr char kSecretYaml[] =
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls\n  namespace: example\n"
    "  labels:\n    app: demo\nstringData:\n  ca.crt: first\ntype: Opaque\n";

TEST_F(ProtocolTest, KubectlAppliesGetsPatchesAndDeletesSecret) {
  ASSERT_EQ(Kubectl("apply -f " + WriteFile("ns.yaml", kNamespaceYaml)).exit_code, 0);
  std::string secret = WriteFile("secret.yaml", kSecretYaml);
  CommandResult created = Kubectl("apply -f " + secret);
  ASSERT_EQ(created.exit_code, 0) << created.output;
  EXPECT_EQ(created.output, "secret/tls created\n");

  // A second apply with a changed value goes through the last-applied annotation and a patch.
  std::string changed = std::string(kSecretYaml);
  changed.replace(changed.find("first"), 5, "second");
  ASSERT_EQ(Kubectl("apply -f " + WriteFile("secret2.yaml", changed)).exit_code, 0);
  CommandResult value = Kubectl("get secret tls -n example -o 'jsonpath={.data.ca\\.crt}'");
  EXPECT_EQ(value.output, "c2Vjb25k");  // base64("second")

  EXPECT_EQ(Kubectl("get secrets -n example -l app=demo -o name").output, "secret/tls\n");
  CommandResult none = Kubectl("get secrets -n example -l app=other -o name");
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_EQ(none.output, "");
  EXPECT_EQ(Kubectl("get secrets -A --field-selector metadata.name=tls -o name").output,
            "secret/tls\n");

  CommandResult merge = Kubectl(
      "patch secret tls -n example --type merge -p '{\"metadata\":{\"labels\":{\"x\":\"y\"}}}'");
  EXPECT_EQ(merge.exit_code, 0) << merge.output;
  CommandResult json = Kubectl(
      "patch secret tls -n example --type json "
      "-p '[{\"op\":\"test\",\"path\":\"/metadata/labels/x\",\"value\":\"y\"},"
      "{\"op\":\"add\",\"path\":\"/metadata/labels/z\",\"value\":\"w\"}]'");
  EXPECT_EQ(json.exit_code, 0) << json.output;
  CommandResult strategic =
      Kubectl("patch secret tls -n example -p '{\"metadata\":{\"labels\":{\"x\":null}}}'");
  EXPECT_EQ(strategic.exit_code, 0) << strategic.output;
  EXPECT_EQ(Kubectl("get secret tls -n example -o jsonpath={.metadata.labels}").output,
            "{\"app\":\"demo\",\"z\":\"w\"}");

  CommandResult deleted = Kubectl("delete secret tls -n example");
  EXPECT_EQ(deleted.output, "secret \"tls\" deleted\n");
  CommandResult missing = Kubectl("get secret tls -n example");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_EQ(missing.output, "Error from server (NotFound): secrets \"tls\" not found\n");
}

TEST_F(ProtocolTest, KubectlWatchSeesAddAndDelete) {
  ASSERT_EQ(Kubectl("apply -f " + WriteFile("ns.yaml", kNamespaceYaml)).exit_code, 0);
  std::future<CommandResult> watch = std::async(std::launch::async, [&] {
    return RunCommand("timeout 4 kubectl --kubeconfig " + kubeconfig_ +
                      " get secrets -n example --watch-only --output-watch-events "
                      "-o 'jsonpath={.type} {.object.metadata.name}{\"\\n\"}'");
  });
  // The watch must be open before the writes; the request log shows when it is.
  for (int i = 0; i < 200; ++i) {
    bool open = false;
    for (const RequestRecord& record : server_->RequestLog()) open |= record.verb == "watch";
    if (open) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_EQ(Kubectl("apply -f " + WriteFile("secret.yaml", kSecretYaml)).exit_code, 0);
  ASSERT_EQ(Kubectl("delete secret tls -n example").exit_code, 0);
  CommandResult result = watch.get();
  EXPECT_NE(result.output.find("ADDED tls\n"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("DELETED tls\n"), std::string::npos) << result.output;
}

TEST_F(ProtocolTest, KubectlManagesVitessClusterAfterCrdRegistration) {
  ASSERT_EQ(Kubectl("apply -f " + WriteFile("ns.yaml", kNamespaceYaml)).exit_code, 0);
  CommandResult resources = Kubectl("api-resources --api-group=planetscale.com -o name");
  EXPECT_NE(resources.output.find("vitessclusters.planetscale.com"), std::string::npos)
      << resources.output;

  CommandResult applied = Kubectl("apply -f " + kVitessClusterManifest + " --dry-run=server");
  EXPECT_NE(applied.output.find("vitesscluster.planetscale.com/example created (server dry run)"),
            std::string::npos)
      << applied.output;
  EXPECT_NE(Kubectl("get vt example -n example").exit_code, 0);  // dry run stored nothing

  // The manifest holds a VitessCluster, a Secret and a PersistentVolumeClaim; the test server
  // does not serve PersistentVolumeClaims, so apply only the first document.
  Result<std::string> manifest_text = kube::ReadSmallFile(kVitessClusterManifest);
  ASSERT_TRUE(manifest_text.ok());
  const std::string& manifest = *manifest_text;
  std::string cluster = manifest.substr(0, manifest.find("\n---"));
  std::string path = WriteFile("cluster.yaml", cluster);
  CommandResult created = Kubectl("apply -f " + path);
  ASSERT_EQ(created.exit_code, 0) << created.output;
  EXPECT_EQ(Kubectl("apply -f " + path).output,
            "vitesscluster.planetscale.com/example unchanged\n");
  EXPECT_EQ(Kubectl("get vt -n example -o jsonpath={.items[0].metadata.generation}").output, "1");

  CommandResult patched = Kubectl(
      "patch vitesscluster example -n example --type merge "
      "-p '{\"spec\":{\"cells\":[{\"name\":\"zone2\"}]}}'");
  EXPECT_EQ(patched.exit_code, 0) << patched.output;
  EXPECT_EQ(Kubectl("get vt example -n example "
                    "-o jsonpath={.metadata.generation}/{.spec.cells[0].name}")
                .output,
            "2/zone2");
  CommandResult strategic =
      Kubectl("patch vt example -n example -p '{\"metadata\":{\"labels\":{\"a\":\"b\"}}}'");
  EXPECT_NE(strategic.exit_code, 0);  // custom resources take no strategic merge patch
  EXPECT_NE(strategic.output.find("application/merge-patch+json"), std::string::npos);

  EXPECT_EQ(Kubectl("delete vt example -n example").exit_code, 0);
  CommandResult none = Kubectl("get vt -n example -o name");
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_EQ(none.output, "");
}

TEST_F(ProtocolTest, KubectlAuthenticatesWithClientCertificate) {
  std::string path = (dir_ / "kubeconfig-cert").string();
  ASSERT_TRUE(server_->WriteKubeconfig(path, /*client_certificate=*/true).ok());
  CommandResult result =
      RunCommand("kubectl --kubeconfig " + path + " get namespace default -o name");
  EXPECT_EQ(result.output, "namespace/default\n");
  bool seen = false;
  for (const RequestRecord& record : server_->RequestLog()) {
    seen |= record.resource == "namespaces" && record.verb == "get" &&
            record.user == "test-admin" && record.status == 200;
  }
  EXPECT_TRUE(seen);
}

TEST_F(ProtocolTest, RejectsUnknownToken) {
  kube::ClientConfig config = server_->ClientConfig();
  config.token = "wrong";
  auto client = kube::Client::Create(config);
  ASSERT_TRUE(client.ok());
  auto result = (*client)->Get(kube::NamespacesResource(), "", "default");
  EXPECT_EQ(result.status().code(), ErrorCode::kPermissionDenied);
}

TEST_F(ProtocolTest, PythonClientPassesChecks) {
  CommandResult result = RunCommand("/usr/bin/python3 " + std::string(VTGUARD_SOURCE_DIR) +
                                    "/tests/apiserver/python_client_check.py " + kubeconfig_ + " " +
                                    kVitessClusterManifest);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("all checks passed"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace vtguard::testing
