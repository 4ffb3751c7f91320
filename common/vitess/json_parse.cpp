#include "common/vitess/json_parse.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace vtguard::vitess {
namespace {

using nlohmann::json;

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Returns the length of the leading run of `text` that a JSON string copies unchanged: bytes
// from 0x20 to 0x7F other than '"' and '\\'. Tests eight bytes per step; see json_text.cpp
// for the bit trick.
std::size_t PlainRunLength(const char* text, std::size_t size) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text + i, sizeof(word));
    const std::uint64_t quotes = word ^ (kOnes * '"');
    const std::uint64_t backslashes = word ^ (kOnes * '\\');
    const std::uint64_t flagged = word | ((word - kOnes * 0x20) & ~word) |
                                  ((quotes - kOnes) & ~quotes) |
                                  ((backslashes - kOnes) & ~backslashes);
    if ((flagged & kHighBits) != 0) break;
  }
  for (; i < size; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte >= 0x80 || byte == '"' || byte == '\\') break;
  }
  return i;
}

void AppendUtf8(std::uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

class Parser {
 public:
  Parser(std::string_view text, int max_depth) : text_(text), max_depth_(max_depth) {}

  Result<json> Run() {
    // nlohmann skips a byte order mark, and rejects a first byte 0xEF that does not start one.
    if (!text_.empty() && static_cast<unsigned char>(text_[0]) == 0xEF) {
      if (text_.substr(0, 3) != "\xEF\xBB\xBF") return Error("invalid byte order mark");
      pos_ = 3;
    }
    json value;
    if (!ParseValue(value, 0)) return Error(error_);
    SkipWhitespace();
    // NOTE: nlohmann's lexer reads a NUL byte outside a string as the end of the input, so it
    // ignores whatever follows one after the value. This parser does the same to accept the
    // same bodies.
    if (pos_ != text_.size() && text_[pos_] != '\0') {
      return Error("unexpected character after the value");
    }
    return value;
  }

 private:
  Status Error(std::string_view reason) const {
    return InvalidArgument("invalid JSON at byte " + std::to_string(pos_) + ": " +
                           std::string(reason));
  }

  bool Fail(const char* reason) {
    error_ = reason;
    return false;
  }

  void SkipWhitespace() {
    while (pos_ < text_.size() && IsWhitespace(text_[pos_])) ++pos_;
  }

  bool ParseValue(json& out, int depth) {
    SkipWhitespace();
    if (pos_ >= text_.size()) return Fail("unexpected end of input");
    switch (text_[pos_]) {
      case '{':
        return ParseObject(out, depth + 1);
      case '[':
        return ParseArray(out, depth + 1);
      case '"': {
        std::string text;
        if (!ParseString(text)) return false;
        out = std::move(text);
        return true;
      }
      case 't':
        return ParseLiteral("true", json(true), out);
      case 'f':
        return ParseLiteral("false", json(false), out);
      case 'n':
        return ParseLiteral("null", json(nullptr), out);
      default:
        return ParseNumber(out);
    }
  }

  bool ParseLiteral(std::string_view literal, json value, json& out) {
    if (text_.substr(pos_, literal.size()) != literal) return Fail("invalid literal");
    pos_ += literal.size();
    out = std::move(value);
    return true;
  }

  bool ParseObject(json& out, int depth) {
    if (depth > max_depth_) return Fail("nesting exceeds the depth limit");
    ++pos_;  // '{'
    out = json(json::value_t::object);
    auto& members = out.get_ref<json::object_t&>();
    SkipWhitespace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    std::string key;
    while (true) {
      SkipWhitespace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return Fail("expected a string key");
      key.clear();
      if (!ParseString(key)) return false;
      SkipWhitespace();
      if (pos_ >= text_.size() || text_[pos_] != ':') return Fail("expected ':'");
      ++pos_;
      json value;
      if (!ParseValue(value, depth)) return false;
      // A repeated key keeps the last value, as nlohmann's parser does. The hint makes keys that
      // arrive in sorted order, as Go's encoding/json writes map keys, cost no tree search.
      members.insert_or_assign(members.end(), std::move(key), std::move(value));
      SkipWhitespace();
      if (pos_ >= text_.size()) return Fail("unexpected end of input in an object");
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (text_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return Fail("expected ',' or '}'");
    }
  }

  bool ParseArray(json& out, int depth) {
    if (depth > max_depth_) return Fail("nesting exceeds the depth limit");
    ++pos_;  // '['
    out = json(json::value_t::array);
    auto& elements = out.get_ref<json::array_t&>();
    SkipWhitespace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      elements.emplace_back();
      if (!ParseValue(elements.back(), depth)) return false;
      SkipWhitespace();
      if (pos_ >= text_.size()) return Fail("unexpected end of input in an array");
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (text_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return Fail("expected ',' or ']'");
    }
  }

  // Reads four hex digits after "\u".
  bool ParseHex4(std::uint32_t& value) {
    if (text_.size() - pos_ < 4) return Fail("truncated \\u escape");
    value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      value <<= 4;
      if (c >= '0' && c <= '9') {
        value |= static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        value |= static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        value |= static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return Fail("invalid hex digit in a \\u escape");
      }
    }
    return true;
  }

  bool ParseUnicodeEscape(std::string& out) {
    std::uint32_t code_point = 0;
    if (!ParseHex4(code_point)) return false;
    if (code_point >= 0xDC00 && code_point <= 0xDFFF) return Fail("unpaired low surrogate");
    if (code_point >= 0xD800 && code_point <= 0xDBFF) {
      if (text_.substr(pos_, 2) != "\\u") return Fail("high surrogate without a low surrogate");
      pos_ += 2;
      std::uint32_t low = 0;
      if (!ParseHex4(low)) return false;
      if (low < 0xDC00 || low > 0xDFFF) return Fail("high surrogate without a low surrogate");
      code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(code_point, out);
    return true;
  }

  bool ParseEscape(std::string& out) {
    ++pos_;  // '\\'
    if (pos_ >= text_.size()) return Fail("unterminated string");
    const char c = text_[pos_++];
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out += c;
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'u':
        return ParseUnicodeEscape(out);
      default:
        return Fail("invalid escape in a string");
    }
  }

  // Copies one UTF-8 encoded character of two to four bytes, checking it as RFC 3629 does: no
  // overlong forms, no surrogates, nothing above U+10FFFF.
  bool CopyMultibyte(std::string& out) {
    const auto byte = [&](std::size_t offset) {
      return pos_ + offset < text_.size() ? static_cast<unsigned char>(text_[pos_ + offset]) : 0u;
    };
    const unsigned lead = byte(0);
    std::size_t length = 0;
    unsigned low = 0x80;
    unsigned high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return Fail("invalid UTF-8 in a string");
    }
    const unsigned second = byte(1);
    if (second < low || second > high) return Fail("invalid UTF-8 in a string");
    for (std::size_t i = 2; i < length; ++i) {
      const unsigned next = byte(i);
      if (next < 0x80 || next > 0xBF) return Fail("invalid UTF-8 in a string");
    }
    out.append(text_.data() + pos_, length);
    pos_ += length;
    return true;
  }

  bool ParseString(std::string& out) {
    ++pos_;  // '"'
    while (true) {
      const std::size_t run = PlainRunLength(text_.data() + pos_, text_.size() - pos_);
      out.append(text_.data() + pos_, run);
      pos_ += run;
      if (pos_ >= text_.size()) return Fail("unterminated string");
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        if (!ParseEscape(out)) return false;
      } else if (c < 0x20) {
        return Fail("control character in a string");
      } else if (!CopyMultibyte(out)) {
        return false;
      }
    }
  }

  bool ParseNumber(json& out) {
    const std::size_t start = pos_;
    bool negative = false;
    bool integral = true;
    if (text_[pos_] == '-') {
      negative = true;
      ++pos_;
    }
    if (!ReadDigits(/*leading=*/true)) return false;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      integral = false;
      ++pos_;
      if (!ReadDigits(/*leading=*/false)) return false;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      integral = false;
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!ReadDigits(/*leading=*/false)) return false;
    }

    // strtoull, strtoll and strtod need a terminated string, and numbers are short.
    const std::string token(text_.substr(start, pos_ - start));
    if (integral) {
      errno = 0;
      if (negative) {
        const long long value = std::strtoll(token.c_str(), nullptr, 10);
        if (errno == 0) {
          out = static_cast<std::int64_t>(value);
          return true;
        }
      } else {
        const unsigned long long value = std::strtoull(token.c_str(), nullptr, 10);
        if (errno == 0) {
          out = static_cast<std::uint64_t>(value);
          return true;
        }
      }
    }
    // Out-of-range integers become doubles, as in nlohmann's lexer.
    const double value = std::strtod(token.c_str(), nullptr);
    if (!std::isfinite(value)) {
      pos_ = start;
      return Fail("number overflow");
    }
    out = value;
    return true;
  }

  // Reads one or more digits; with `leading`, a leading zero must stand alone.
  bool ReadDigits(bool leading) {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    if (pos_ == start) return Fail("invalid number");
    if (leading && text_[start] == '0' && pos_ - start > 1) {
      pos_ = start;
      return Fail("leading zero in a number");
    }
    return true;
  }

  std::string_view text_;
  int max_depth_;
  std::size_t pos_ = 0;
  const char* error_ = "";
};

}  // namespace

Result<nlohmann::json> ParseJson(std::string_view text, int max_depth) {
  return Parser(text, max_depth).Run();
}

}  // namespace vtguard::vitess
