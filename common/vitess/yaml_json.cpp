// ToYaml: writes the JSON model as block-style YAML.
#include "common/vitess/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <string_view>

#include "common/vitess/yaml_scalars.h"

namespace vtguard::vitess {
namespace {

// True for a plain scalar that a YAML 1.1 reader, such as the one in kubectl and in the
// Kubernetes API server, would not read as a string: y/yes/on/off and their kin, and anything
// that starts like a number and could be one in some YAML 1.1 form (octal 0022, hex 0x1F,
// 1_000, sexagesimal 1:30, .inf, exponents, timestamps). Quoting a few strings that no reader
// would take as numbers, such as "1.2.3", is harmless.
bool Yaml11ReadsAsNonString(std::string_view text) {
  // "=" is the value key and "<<" the merge key of YAML 1.1.
  static constexpr std::string_view kWords[] = {"y",    "yes",   "n",    "no", "on", "off",
                                                "true", "false", "null", "~",  "=",  "<<"};
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view word : kWords) {
    if (lower == word) return true;
  }
  const char first = text.front();
  if (!std::isdigit(static_cast<unsigned char>(first)) && first != '+' && first != '-' &&
      first != '.') {
    return false;
  }
  return text.find_first_not_of("0123456789_.:+- eEtTzZxXoObBaAcCdDfFiInN") ==
         std::string_view::npos;
}

bool NeedsQuotes(const std::string& text) {
  return text.empty() || !yaml_internal::ResolvePlainScalar(text).is_string() ||
         Yaml11ReadsAsNonString(text);
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

std::string ToYaml(const OrderedJson& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  Emit(out, value);
  return std::string(out.c_str()) + "\n";
}

}  // namespace vtguard::vitess
