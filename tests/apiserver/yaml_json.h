// YAML to JSON conversion for manifests, with YAML 1.2 core-schema scalars (plain true/false,
// null, integers and floats become JSON types; quoted scalars stay strings).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace vtguard::testing {

// Every non-empty document of a YAML stream.
Result<std::vector<nlohmann::json>> ParseYamlDocuments(const std::string& text);
Result<std::vector<nlohmann::json>> ReadYamlFile(const std::string& path);

}  // namespace vtguard::testing
