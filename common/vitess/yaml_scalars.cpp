#include "common/vitess/yaml_scalars.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>

namespace vtguard::vitess::yaml_internal {
namespace {

bool IsOneOf(const std::string& text, std::initializer_list<const char*> words) {
  for (const char* word : words) {
    if (text == word) return true;
  }
  return false;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Advances `i` past a run of digits and returns how many there were.
std::size_t SkipDigits(std::string_view text, std::size_t& i) {
  std::size_t start = i;
  while (i < text.size() && IsDigit(text[i])) ++i;
  return i - start;
}

// Matches [-+]?(0|[1-9][0-9]*).
bool IsInteger(std::string_view text) {
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  std::size_t first = i;
  std::size_t digits = SkipDigits(text, i);
  if (digits == 0 || i != text.size()) return false;
  return digits == 1 || text[first] != '0';
}

// Matches [-+]?(\.[0-9]+|(0|[1-9][0-9]*)(\.[0-9]*)?)([eE][-+]?[0-9]+)?, the core schema's
// float form without .inf and .nan.
bool IsFloat(std::string_view text) {
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (SkipDigits(text, i) == 0) return false;
  } else {
    std::size_t first = i;
    std::size_t digits = SkipDigits(text, i);
    if (digits == 0 || (digits > 1 && text[first] == '0')) return false;
    if (i < text.size() && text[i] == '.') {
      ++i;
      SkipDigits(text, i);
    }
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    if (SkipDigits(text, i) == 0) return false;
  }
  return i == text.size();
}

}  // namespace

OrderedJson ResolvePlainScalar(const std::string& text) {
  if (IsOneOf(text, {"", "~", "null", "Null", "NULL"})) return nullptr;
  if (IsOneOf(text, {"true", "True", "TRUE"})) return true;
  if (IsOneOf(text, {"false", "False", "FALSE"})) return false;
  if (IsInteger(text)) {
    std::int64_t value = 0;
    std::string_view digits = text;
    if (digits.front() == '+') digits.remove_prefix(1);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error == std::errc() && end == digits.data() + digits.size()) return value;
    return text;
  }
  if (IsFloat(text)) {
    try {
      double value = std::stod(text);
      if (std::isfinite(value)) return value;
    } catch (const std::exception&) {
      // Out of the range of double: keep the text.
    }
  }
  return text;
}

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

}  // namespace vtguard::vitess::yaml_internal
