#include "common/vitess/json_text.h"

#include <cstdint>
#include <cstring>

namespace vtguard::vitess {
namespace {

bool NeedsEscaping(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte >= 0x80 || c == '"' || c == '\\';
}

// Returns true when a byte of `text` needs escaping or UTF-8 checks: a control character, '"',
// '\\' or a byte above 0x7F. Tests eight bytes per step with the "has a byte less than n" bit
// trick, which never misses a byte. It may report a false positive, which only sends the string
// through the slower exact path.
bool AnyNeedsEscaping(std::string_view text) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, sizeof(word));
    const std::uint64_t quotes = word ^ (kOnes * '"');
    const std::uint64_t backslashes = word ^ (kOnes * '\\');
    const std::uint64_t flagged = word | ((word - kOnes * 0x20) & ~word) |
                                  ((quotes - kOnes) & ~quotes) |
                                  ((backslashes - kOnes) & ~backslashes);
    if ((flagged & kHighBits) != 0) return true;
  }
  for (; i < text.size(); ++i) {
    if (NeedsEscaping(text[i])) return true;
  }
  return false;
}

}  // namespace

void AppendJsonString(std::string_view text, std::string& out,
                      nlohmann::json::error_handler_t handler) {
  if (AnyNeedsEscaping(text)) {
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
