// Helpers for the Vitess admission tests: reading the reference data and applying patches.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "common/vitess/yaml_json.h"

namespace vtguard::vitess::testing {

inline std::string SharedPath(const std::string& relative) {
  return std::string(VTGUARD_SHARED_DATA_DIR) + "/" + relative;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Every YAML document of a file, as plain JSON.
inline std::vector<nlohmann::json> ReadYamlFile(const std::string& path) {
  std::vector<nlohmann::json> out;
  auto documents = ParseYamlDocuments(ReadText(path));
  EXPECT_TRUE(documents.ok()) << documents.status().ToString();
  if (!documents.ok()) return out;
  for (const auto& document : *documents) out.push_back(nlohmann::json::parse(document.dump()));
  return out;
}

// Applies an RFC 6902 patch strictly: nlohmann's patch() throws when a parent is missing, an
// index is out of range or a removed path does not exist.
inline nlohmann::json ApplyStrict(const nlohmann::json& object, const nlohmann::json& patch) {
  try {
    return object.patch(patch);
  } catch (const nlohmann::json::exception& error) {
    ADD_FAILURE() << "patch does not apply: " << error.what() << "\n" << patch.dump(2);
    return object;
  }
}

// The "path" of a JSON Patch operation.
inline std::string PathOf(const nlohmann::json& op) {
  auto it = op.find("path");
  return it != op.end() && it->is_string() ? it->get_ref<const std::string&>() : std::string();
}

}  // namespace vtguard::vitess::testing
