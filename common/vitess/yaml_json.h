// Conversion between YAML documents and the JSON model, for manifests and policy files.
//
// Plain YAML scalars become JSON numbers, booleans and null as YAML 1.2's core schema reads
// them ("3" -> 3, "true" -> true, "~" -> null); quoted scalars always stay strings, so
// `value: "1"` survives a round trip. Map keys keep their order of appearance.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace vtguard::vitess {

// JSON whose objects keep the insertion order of their keys.
using OrderedJson = nlohmann::ordered_json;

// Parses every document of a YAML stream. Empty documents (between two "---") yield null.
// Error messages give line numbers counted from `first_line`, for text cut from a larger file.
Result<std::vector<OrderedJson>> ParseYamlDocuments(std::string_view text,
                                                    std::size_t first_line = 1);

// Writes `value` as one YAML document (block style, no leading "---"). Strings that a YAML
// reader would take for another type ("1", "true", "null", "") are quoted.
std::string ToYaml(const OrderedJson& value);

}  // namespace vtguard::vitess
