#include "tests/apiserver/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <regex>

#include "common/kube/config.h"

namespace vtguard::testing {
namespace {

nlohmann::json PlainScalar(const std::string& text) {
  static const std::regex kInteger("[-+]?[0-9]+");
  static const std::regex kFloat("[-+]?([0-9]*\\.[0-9]+|[0-9]+\\.?[0-9]*)([eE][-+]?[0-9]+)?");
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  try {
    if (std::regex_match(text, kInteger)) return std::stoll(text);
    if (std::regex_match(text, kFloat)) return std::stod(text);
  } catch (const std::exception&) {
    // Out of range for a number: keep the text.
  }
  return text;
}

nlohmann::json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& entry : node) object[entry.first.as<std::string>()] = ToJson(entry.second);
      return object;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (const auto& item : node) array.push_back(ToJson(item));
      return array;
    }
    case YAML::NodeType::Scalar:
      return node.Tag() == "?" ? PlainScalar(node.Scalar()) : nlohmann::json(node.Scalar());
    default:
      return nullptr;
  }
}

}  // namespace

Result<std::vector<nlohmann::json>> ParseYamlDocuments(const std::string& text) {
  try {
    std::vector<nlohmann::json> documents;
    for (const YAML::Node& node : YAML::LoadAll(text)) {
      nlohmann::json document = ToJson(node);
      if (!document.is_null()) documents.push_back(std::move(document));
    }
    return documents;
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string("invalid YAML: ") + e.what());
  }
}

Result<std::vector<nlohmann::json>> ReadYamlFile(const std::string& path) {
  VTG_ASSIGN_OR_RETURN(std::string text, kube::ReadSmallFile(path, 16 << 20));
  Result<std::vector<nlohmann::json>> documents = ParseYamlDocuments(text);
  if (!documents.ok()) return documents.status().WithContext(path);
  return documents;
}

}  // namespace vtguard::testing
