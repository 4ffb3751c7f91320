// Compact JSON text, byte for byte what nlohmann::json::dump(-1) writes. Plain ASCII strings,
// nearly all of a JSON Patch, are copied in one append instead of escaped one character at a
// time.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace vtguard::vitess {

// Appends `text` as a quoted JSON string. Strings with control characters, quotes,
// backslashes or bytes above 0x7F go through nlohmann's escaping, which handles invalid UTF-8
// as `handler` selects (strict throws nlohmann::json::type_error, replace writes U+FFFD).
void AppendJsonString(std::string_view text, std::string& out,
                      nlohmann::json::error_handler_t handler);

// Appends `value` as value.dump() does: no whitespace, object keys in stored order, strict
// UTF-8 (throws nlohmann::json::type_error on an invalid string).
void AppendJson(const nlohmann::json& value, std::string& out);

}  // namespace vtguard::vitess
