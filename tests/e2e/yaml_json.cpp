#include "tests/e2e/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <regex>
#include <sstream>

namespace vtguard::e2e {
namespace {

using nlohmann::json;

json PlainScalar(const std::string& text) {
  static const std::regex kInteger("[-+]?[0-9]+");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (text.empty() || text == "null" || text == "Null" || text == "NULL" || text == "~") {
    return nullptr;
  }
  if (std::regex_match(text, kInteger)) {
    long long value = 0;
    auto [end, error] =
        std::from_chars(text.data() + (text[0] == '+'), text.data() + text.size(), value);
    if (error == std::errc() && end == text.data() + text.size()) return value;
  }
  if (std::regex_match(text, kFloat)) return std::stod(text);
  return text;
}

json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json object = json::object();
      for (const auto& entry : node) object[entry.first.as<std::string>()] = ToJson(entry.second);
      return object;
    }
    case YAML::NodeType::Sequence: {
      json array = json::array();
      for (const auto& item : node) array.push_back(ToJson(item));
      return array;
    }
    case YAML::NodeType::Scalar:
      // yaml-cpp tags plain scalars "?" and quoted or block scalars "!".
      return node.Tag() == "!" ? json(node.Scalar()) : PlainScalar(node.Scalar());
    default:
      return nullptr;
  }
}

}  // namespace

Result<std::vector<json>> ParseYamlDocuments(std::string_view text) {
  try {
    std::vector<json> documents;
    for (const YAML::Node& node : YAML::LoadAll(std::string(text))) {
      if (!node.IsNull()) documents.push_back(ToJson(node));
    }
    return documents;
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string("invalid YAML: ") + e.what());
  }
}

Result<std::vector<json>> LoadYamlFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot open " + path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  Result<std::vector<json>> documents = ParseYamlDocuments(buffer.str());
  if (!documents.ok()) return documents.status().WithContext(path.string());
  return documents;
}

}  // namespace vtguard::e2e
