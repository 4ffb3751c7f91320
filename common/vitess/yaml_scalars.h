// Scalar helpers shared by the YAML reader and writer of yaml_json.h. Internal to
// vtguard_vitess.
#pragma once

#include <string>
#include <string_view>

#include "common/vitess/yaml_json.h"

namespace vtguard::vitess::yaml_internal {

// Reads a plain (unquoted) scalar as YAML 1.2's core schema does: null, booleans, decimal
// integers and floats. Integers with a leading zero stay strings, because Kubernetes' YAML 1.1
// reader would take them as octal. Runs in time linear in the length of `text`.
OrderedJson ResolvePlainScalar(const std::string& text);

// The offset of the first byte that breaks UTF-8, or npos.
std::size_t FindInvalidUtf8(std::string_view text);

}  // namespace vtguard::vitess::yaml_internal
