#include "common/vitess/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <regex>

namespace vtguard::vitess {
namespace {

// Limits for hostile input: YAML aliases can make a small document expand without bound. The
// vitess-operator examples have 100 to 150 nodes, so 100000 leaves ample room.
constexpr std::size_t kMaxNodes = 100'000;
constexpr int kMaxDepth = 128;

bool IsOneOf(const std::string& text, std::initializer_list<const char*> words) {
  for (const char* word : words) {
    if (text == word) return true;
  }
  return false;
}

// Reads a plain (unquoted) scalar as YAML 1.2's core schema does. Integers with a leading zero
// stay strings, because Kubernetes' YAML 1.1 reader would take them as octal.
OrderedJson ResolvePlainScalar(const std::string& text) {
  if (IsOneOf(text, {"", "~", "null", "Null", "NULL"})) return nullptr;
  if (IsOneOf(text, {"true", "True", "TRUE"})) return true;
  if (IsOneOf(text, {"false", "False", "FALSE"})) return false;
  static const std::regex kInteger("^[-+]?(0|[1-9][0-9]*)$");
  if (std::regex_match(text, kInteger)) {
    std::int64_t value = 0;
    std::string_view digits = text;
    if (digits.front() == '+') digits.remove_prefix(1);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error == std::errc() && end == digits.data() + digits.size()) return value;
    return text;
  }
  static const std::regex kFloat(
      "^[-+]?(\\.[0-9]+|(0|[1-9][0-9]*)(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$");
  if (std::regex_match(text, kFloat)) {
    try {
      double value = std::stod(text);
      if (std::isfinite(value)) return value;
    } catch (const std::exception&) {
    }
  }
  return text;
}

std::size_t FindInvalidUtf8(std::string_view text);

// Rejects a scalar that is not UTF-8. Valid input text can still yield one, because yaml-cpp
// turns some escape sequences of double-quoted scalars into single raw bytes.
Status CheckScalarUtf8(const YAML::Node& node) {
  if (FindInvalidUtf8(node.Scalar()) == std::string_view::npos) return Status::Ok();
  return InvalidArgument("invalid UTF-8 in the YAML scalar at line " +
                         std::to_string(node.Mark().line + 1) +
                         "; write non-ASCII characters as UTF-8 or as \\u escapes");
}

struct Converter {
  std::size_t nodes = 0;

  Result<OrderedJson> Convert(const YAML::Node& node, int depth) {
    if (++nodes > kMaxNodes) {
      return ResourceExhausted("YAML document too large: more than 100000 nodes after aliases");
    }
    if (depth > kMaxDepth) return ResourceExhausted("YAML document nested deeper than 128 levels");
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return OrderedJson(nullptr);
      case YAML::NodeType::Scalar:
        VTG_RETURN_IF_ERROR(CheckScalarUtf8(node));
        // yaml-cpp tags quoted and block scalars "!" and plain ones "?".
        if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") {
          return OrderedJson(node.Scalar());
        }
        return ResolvePlainScalar(node.Scalar());
      case YAML::NodeType::Sequence: {
        OrderedJson array = OrderedJson::array();
        for (const YAML::Node& item : node) {
          VTG_ASSIGN_OR_RETURN(OrderedJson value, Convert(item, depth + 1));
          array.push_back(std::move(value));
        }
        return array;
      }
      case YAML::NodeType::Map: {
        OrderedJson object = OrderedJson::object();
        for (const auto& entry : node) {
          if (!entry.first.IsScalar()) {
            return InvalidArgument("unsupported YAML map key: keys must be scalars");
          }
          VTG_RETURN_IF_ERROR(CheckScalarUtf8(entry.first));
          VTG_ASSIGN_OR_RETURN(OrderedJson value, Convert(entry.second, depth + 1));
          object[entry.first.Scalar()] = std::move(value);
        }
        return object;
      }
    }
    return OrderedJson(nullptr);
  }
};

// The offset of the first byte that breaks UTF-8, or npos. JSON text must be UTF-8.
std::size_t FindInvalidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = byte < 0x80           ? 1
                         : (byte >> 5) == 0x6  ? 2
                         : (byte >> 4) == 0xE  ? 3
                         : (byte >> 3) == 0x1E ? 4
                                               : 0;
    if (length == 0 || (length == 2 && byte < 0xC2) || i + length > text.size()) return i;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return i;
    }
    if (length == 3) {
      auto next = static_cast<unsigned char>(text[i + 1]);
      if ((byte == 0xE0 && next < 0xA0) || (byte == 0xED && next >= 0xA0)) return i;
    }
    if (length == 4) {
      auto next = static_cast<unsigned char>(text[i + 1]);
      if ((byte == 0xF0 && next < 0x90) || (byte == 0xF4 && next >= 0x90) || byte > 0xF4) {
        return i;
      }
    }
    i += length;
  }
  return std::string_view::npos;
}

bool NeedsQuotes(const std::string& text) {
  return !ResolvePlainScalar(text).is_string() || text.empty();
}

void Emit(YAML::Emitter& out, const OrderedJson& value) {
  switch (value.type()) {
    case OrderedJson::value_t::object:
      if (value.empty()) {
        out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        return;
      }
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key;
        if (NeedsQuotes(key)) out << YAML::DoubleQuoted;
        out << key << YAML::Value;
        Emit(out, item);
      }
      out << YAML::EndMap;
      return;
    case OrderedJson::value_t::array:
      if (value.empty()) {
        out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        return;
      }
      out << YAML::BeginSeq;
      for (const OrderedJson& item : value) Emit(out, item);
      out << YAML::EndSeq;
      return;
    case OrderedJson::value_t::string: {
      const std::string& text = value.get_ref<const std::string&>();
      // A literal block keeps multi-line text readable; "|" keeps exactly one final newline.
      bool literal = text.size() > 1 && text.back() == '\n' && text[text.size() - 2] != '\n' &&
                     text.front() != ' ' && text.find('\t') == std::string::npos &&
                     text.find(" \n") == std::string::npos;
      if (literal) {
        out << YAML::Literal << text;
      } else if (NeedsQuotes(text) || text.find('\n') != std::string::npos) {
        out << YAML::DoubleQuoted << text;
      } else {
        out << text;
      }
      return;
    }
    case OrderedJson::value_t::boolean:
      out << (value.get<bool>() ? "true" : "false");
      return;
    case OrderedJson::value_t::number_integer:
      out << value.get<std::int64_t>();
      return;
    case OrderedJson::value_t::number_unsigned:
      out << value.get<std::uint64_t>();
      return;
    case OrderedJson::value_t::number_float:
      out << value.dump();
      return;
    default:
      out << YAML::Null;
      return;
  }
}

}  // namespace

Result<std::vector<OrderedJson>> ParseYamlDocuments(std::string_view text) {
  if (std::size_t bad = FindInvalidUtf8(text); bad != std::string_view::npos) {
    return InvalidArgument("invalid UTF-8 at byte " + std::to_string(bad) +
                           "; manifests must be UTF-8 text");
  }
  std::vector<YAML::Node> nodes;
  try {
    nodes = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& error) {
    return InvalidArgument("invalid YAML at line " + std::to_string(error.mark.line + 1) + ": " +
                           error.msg);
  } catch (const std::exception& error) {
    return InvalidArgument(std::string("invalid YAML: ") + error.what());
  }
  std::vector<OrderedJson> documents;
  Converter converter;
  for (const YAML::Node& node : nodes) {
    try {
      VTG_ASSIGN_OR_RETURN(OrderedJson document, converter.Convert(node, 0));
      documents.push_back(std::move(document));
    } catch (const YAML::Exception& error) {
      return InvalidArgument("invalid YAML: " + error.msg);
    }
  }
  return documents;
}

std::string ToYaml(const OrderedJson& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  Emit(out, value);
  return std::string(out.c_str()) + "\n";
}

}  // namespace vtguard::vitess
