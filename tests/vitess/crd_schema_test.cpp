// Injected vitess-operator examples must still match the VitessCluster CRD schema. Runs the
// ajv validator from npm (installed by scripts/install-deps.sh into .tools/node_modules).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/vitess/admission.h"
#include "tests/vitess/test_util.h"

namespace vtguard::vitess {
namespace {

using testing::ApplyStrict;
using testing::ReadText;
using testing::ReadYamlFile;
using testing::SharedPath;

std::string WriteJson(const std::filesystem::path& dir, const std::string& name,
                      const nlohmann::json& value) {
  std::filesystem::path path = dir / name;
  std::ofstream(path) << value.dump(2);
  return path.string();
}

TEST(CrdSchema, InjectedExamplesMatchVitessClusterSchema) {
  std::string modules = std::string(VTGUARD_SOURCE_DIR) + "/.tools/node_modules";
  if (!std::filesystem::exists(modules + "/ajv")) {
    GTEST_SKIP() << "ajv is not installed; run scripts/install-deps.sh";
  }
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("vtguard-crd-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);

  std::vector<nlohmann::json> crd =
      ReadYamlFile(SharedPath("data/vitess-operator/crds/planetscale.com_vitessclusters.yaml"));
  ASSERT_EQ(crd.size(), 1u);
  std::string command = "node " + std::string(VTGUARD_SOURCE_DIR) +
                        "/tests/vitess/validate_crd_schema.js " + modules + " " +
                        WriteJson(dir, "crd.json", crd[0]);

  TlsPolicy policy = DefaultPolicy();
  policy.vitess_version = ParseVersionText("v24").value();
  for (const char* file : {"101_initial_cluster.yaml", "101_initial_cluster_vtorc_vtadmin.yaml",
                           "201_customer_tablets.yaml"}) {
    nlohmann::json cluster =
        ReadYamlFile(SharedPath(std::string("data/vitess-operator/") + file))[0];
    MutationResult result = MutateVitessCluster(policy, cluster, nullptr);
    ASSERT_TRUE(result.status.ok()) << file;
    command += " " + WriteJson(dir, std::string(file) + ".json",
                               ApplyStrict(cluster, result.patch.ToJson()));
  }
  // A deliberately wrong object proves the validator rejects something.
  nlohmann::json wrong =
      ReadYamlFile(SharedPath("data/vitess-operator/101_initial_cluster.yaml"))[0];
  wrong["spec"]["cells"][0]["gateway"]["extraVolumeMounts"] = {{{"name", "x"}}};
  std::string wrong_command =
      command.substr(0, command.find(".json") + 5) + " " + WriteJson(dir, "wrong.json", wrong);

  std::string log = (dir / "ajv.log").string();
  EXPECT_EQ(std::system((command + " > " + log + " 2>&1").c_str()), 0) << ReadText(log);
  EXPECT_NE(std::system((wrong_command + " > " + log + " 2>&1").c_str()), 0) << ReadText(log);
  std::filesystem::remove_all(dir);
}

TEST(CrdSchema, ExamplePolicyMatchesOwnCrd) {
  std::string modules = std::string(VTGUARD_SOURCE_DIR) + "/.tools/node_modules";
  if (!std::filesystem::exists(modules + "/ajv")) {
    GTEST_SKIP() << "ajv is not installed; run scripts/install-deps.sh";
  }
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("vtguard-policy-crd-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string source(VTGUARD_SOURCE_DIR);
  nlohmann::json crd = ReadYamlFile(source + "/crds/vtguard.io_vitesstlspolicies.yaml")[0];
  nlohmann::json policy = ReadYamlFile(source + "/examples/policy.yaml")[0];
  nlohmann::json wrong = policy;
  wrong["spec"]["enforcement"] = "Block";
  std::string base = "node " + source + "/tests/vitess/validate_crd_schema.js " + modules + " " +
                     WriteJson(dir, "crd.json", crd) + " ";
  std::string log = (dir / "ajv.log").string();
  EXPECT_EQ(std::system((base + WriteJson(dir, "policy.json", policy) + " > " + log).c_str()), 0)
      << ReadText(log);
  EXPECT_NE(std::system((base + WriteJson(dir, "wrong.json", wrong) + " > " + log).c_str()), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vtguard::vitess
