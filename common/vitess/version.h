// Vitess versions as read from container image references and from the policy.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/base/status.h"

namespace vtguard::vitess {

struct VitessVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;
  std::string prerelease;  // "rc1" for v24.0.0-rc1; empty for a release.

  // "v24.0.4" or "v24.0.0-rc1".
  std::string ToString() const;
  friend bool operator==(const VitessVersion&, const VitessVersion&) = default;
};

// Parses the version in an image reference's tag: "vitess/lite:v24.0.4-mysql80" -> 24.0.4,
// "vitess/lite:v24.0.0-rc1-mysql80" -> 24.0.0-rc1, "registry.example.com:5000/vitess/lite:v23.0.1"
// -> 23.0.1. Returns nullopt when the tag carries no version ("latest", "mysql80", no tag, or a
// digest only): the caller must then use a configured version and never guess.
std::optional<VitessVersion> ParseImageVersion(std::string_view image);

// Parses a version written by a person: "24", "v24", "24.0", "v24.0.4", "v24.0.0-rc1".
Result<VitessVersion> ParseVersionText(std::string_view text);

}  // namespace vtguard::vitess
