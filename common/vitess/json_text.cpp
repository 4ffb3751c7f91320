#include "common/vitess/json_text.h"

#include <algorithm>

namespace vtguard::vitess {
namespace {

bool NeedsEscaping(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte >= 0x80 || c == '"' || c == '\\';
}

}  // namespace

void AppendJsonString(std::string_view text, std::string& out,
                      nlohmann::json::error_handler_t handler) {
  if (std::any_of(text.begin(), text.end(), NeedsEscaping)) {
    out += nlohmann::json(text).dump(-1, ' ', false, handler);
    return;
  }
  out += '"';
  out.append(text);
  out += '"';
}

void AppendJson(const nlohmann::json& value, std::string& out) {
  switch (value.type()) {
    case nlohmann::json::value_t::string:
      AppendJsonString(value.get_ref<const std::string&>(), out,
                       nlohmann::json::error_handler_t::strict);
      return;
    case nlohmann::json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.items()) {
        if (!first) out += ',';
        first = false;
        AppendJsonString(key, out, nlohmann::json::error_handler_t::strict);
        out += ':';
        AppendJson(member, out);
      }
      out += '}';
      return;
    }
    case nlohmann::json::value_t::array: {
      out += '[';
      bool first = true;
      for (const nlohmann::json& element : value) {
        if (!first) out += ',';
        first = false;
        AppendJson(element, out);
      }
      out += ']';
      return;
    }
    default:
      // Numbers, booleans, null and binary: rare in a patch, and nlohmann formats numbers.
      out += value.dump();
      return;
  }
}

}  // namespace vtguard::vitess
