#include "common/vitess/version.h"

#include <charconv>
#include <vector>

namespace vtguard::vitess {
namespace {

// Reads a decimal number at the front of `text` and advances past it.
std::optional<int> ConsumeNumber(std::string_view& text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data() || value < 0) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return value;
}

bool IsPrereleaseWord(std::string_view word) {
  for (std::string_view prefix : {"rc", "alpha", "beta"}) {
    if (word.substr(0, prefix.size()) != prefix) continue;
    std::string_view digits = word.substr(prefix.size());
    bool all_digits = true;
    for (char c : digits) all_digits = all_digits && c >= '0' && c <= '9';
    return all_digits;
  }
  return false;
}

// Parses "v24.0.4", "v24.0.0-rc1-mysql80", "24.0" (when `require_v` is false) and, unless
// `require_patch`, "24". Anything after the numbers must start with '-'.
std::optional<VitessVersion> ParseVersionPrefix(std::string_view text, bool require_v,
                                                int min_parts) {
  if (!text.empty() && text.front() == 'v') {
    text.remove_prefix(1);
  } else if (require_v) {
    return std::nullopt;
  }
  VitessVersion version;
  int* parts[] = {&version.major, &version.minor, &version.patch};
  int count = 0;
  for (int* part : parts) {
    if (count > 0) {
      if (text.empty() || text.front() != '.') break;
      text.remove_prefix(1);
    }
    std::optional<int> number = ConsumeNumber(text);
    if (!number) return std::nullopt;
    *part = *number;
    ++count;
  }
  if (count < min_parts || version.major == 0) return std::nullopt;
  if (text.empty()) return version;
  if (text.front() != '-') return std::nullopt;
  text.remove_prefix(1);
  std::string_view word = text.substr(0, text.find('-'));
  if (IsPrereleaseWord(word)) version.prerelease = std::string(word);
  return version;
}

}  // namespace

std::string VitessVersion::ToString() const {
  std::string text =
      "v" + std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  if (!prerelease.empty()) text += "-" + prerelease;
  return text;
}

std::optional<VitessVersion> ParseImageVersion(std::string_view image) {
  // A digest pins content, not a version: "repo@sha256:..." has no tag to read.
  image = image.substr(0, image.find('@'));
  std::size_t last_slash = image.rfind('/');
  std::size_t colon = image.rfind(':');
  // A colon before the last slash belongs to a registry port ("host:5000/vitess/lite").
  if (colon == std::string_view::npos ||
      (last_slash != std::string_view::npos && colon < last_slash)) {
    return std::nullopt;
  }
  // Vitess tags always carry "vMAJOR.MINOR.PATCH"; "mysql80" or "latest" carry no version.
  return ParseVersionPrefix(image.substr(colon + 1), /*require_v=*/true, /*min_parts=*/3);
}

Result<VitessVersion> ParseVersionText(std::string_view text) {
  std::optional<VitessVersion> version = ParseVersionPrefix(text, /*require_v=*/false, 1);
  if (!version) {
    return InvalidArgument("invalid Vitess version \"" + std::string(text) +
                           "\"; write it as \"v24\", \"24.0\" or \"v24.0.4\"");
  }
  return *version;
}

}  // namespace vtguard::vitess
