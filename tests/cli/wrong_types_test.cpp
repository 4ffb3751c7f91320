// `vtguard check` and `vtguard inject` on manifests where one node at a time is replaced by a
// value of each JSON type. Every variant must end with exit code 0, 1 or 2 (2 with a message),
// never with an exception. A container whose name was null once aborted `vtguard check`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "common/vitess/yaml_json.h"
#include "tests/vitess/retype.h"

namespace vtguard::cli {
namespace {

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The first document of a YAML file and the object of an AdmissionReview case.
std::vector<std::pair<std::string, nlohmann::json>> Inputs() {
  const std::string shared = VTGUARD_SHARED_DATA_DIR;
  std::vector<std::pair<std::string, nlohmann::json>> out;
  for (const std::string& path : {shared + "/data/vitess-operator/101_initial_cluster.yaml",
                                  std::string(VTGUARD_SOURCE_DIR) + "/examples/cluster-v21.yaml"}) {
    auto documents = vitess::ParseYamlDocuments(ReadText(path));
    EXPECT_TRUE(documents.ok()) << path;
    if (documents.ok() && !documents->empty()) {
      out.emplace_back(path, nlohmann::json::parse(documents->front().dump()));
    }
  }
  const std::string review = shared + "/cases/03-double-injection.json";
  out.emplace_back(review, nlohmann::json::parse(ReadText(review))["request"]["object"]);
  return out;
}

TEST(WrongTypes, CheckAndInjectHandleRetypedManifests) {
  const std::string file = (std::filesystem::temp_directory_path() /
                            ("vtguard-cli-retyped-" + std::to_string(::getpid()) + ".json"))
                               .string();
  int variants = 0;
  int failures = 0;
  for (const auto& [name, object] : Inputs()) {
    vtguard::testing::ForEachRetyped(
        object, [&](const nlohmann::json& variant, const std::string& pointer,
                    const nlohmann::json& value) {
          ++variants;
          // YAML 1.2 is a superset of JSON, so the commands read the JSON text as it is.
          std::ofstream(file, std::ios::trunc) << variant.dump();
          for (auto command : {RunCheckCommand, RunInjectCommand}) {
            std::ostringstream out, err;
            std::string error;
            try {
              int code = command({"-f", file}, CommandIo{out, err});
              if (code != kExitOk && code != kExitFindings && code != kExitUsage) {
                error = "exit code " + std::to_string(code);
              } else if (code == kExitUsage && err.str().empty()) {
                error = "exit code 2 without a message";
              }
            } catch (const std::exception& thrown) {
              error = std::string("threw: ") + thrown.what();
            }
            if (!error.empty() && ++failures <= 10) {
              ADD_FAILURE() << (command == RunCheckCommand ? "check" : "inject") << " on " << name
                            << " with " << pointer << " = " << value.dump() << ": " << error;
            }
          }
        });
  }
  std::filesystem::remove(file);
  EXPECT_GT(variants, 1500);
  EXPECT_EQ(failures, 0) << "over " << variants << " variants";
}

}  // namespace
}  // namespace vtguard::cli
