// Loading Kubernetes YAML manifests as JSON objects for the end-to-end harness.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace vtguard::e2e {

// Parses every document of a YAML stream into JSON. Plain scalars become booleans, null,
// integers or floats when they read as such (YAML 1.2 core schema); quoted scalars stay
// strings. Empty documents are skipped.
Result<std::vector<nlohmann::json>> ParseYamlDocuments(std::string_view text);

// Reads `path` and parses it with ParseYamlDocuments.
Result<std::vector<nlohmann::json>> LoadYamlFile(const std::filesystem::path& path);

}  // namespace vtguard::e2e
