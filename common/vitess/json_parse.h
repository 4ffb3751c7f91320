// A strict RFC 8259 JSON parser that builds nlohmann::json, for request bodies on the admission
// path. nlohmann's own parser reads one character at a time through an input adapter. This one
// scans plain string runs eight bytes per step and builds values in place.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/base/status.h"

namespace vtguard::vitess {

// Parses `text` into the value json::parse(text) returns, or an error naming the byte offset.
// Accepts and rejects the same texts as nlohmann 3.11: an optional UTF-8 byte order mark, then
// one value with surrounding whitespace, where a NUL byte after the value ends the text. Strings
// must be valid UTF-8 without raw control characters, and \u escapes must pair surrogates.
// Integers become uint64 (int64 when negative) and doubles when they overflow, and a number that
// overflows double is an error. A duplicate object key keeps its last value. Arrays and objects
// nested deeper than `max_depth` are an error, so the recursion depth stays bounded.
Result<nlohmann::json> ParseJson(std::string_view text, int max_depth);

}  // namespace vtguard::vitess
