// Field parsers of the VitessTLSPolicy spec. Each one reads one field, applies its default
// when the field is absent and records every problem with its field path.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "common/vitess/policy.h"

namespace vtguard::vitess {

// Problems found while parsing one policy, each "path: message".
class FieldErrors {
 public:
  void Add(std::string_view path, std::string_view message) {
    problems_.push_back(std::string(path) + ": " + std::string(message));
  }
  bool empty() const { return problems_.empty(); }

  // `value` when no problem was recorded, else one kInvalidArgument listing them all.
  Result<TlsPolicy> ToResult(TlsPolicy value) const;

 private:
  std::vector<std::string> problems_;
};

// Reads an optional string field; records a problem when it has another type.
std::optional<std::string> ReadString(const nlohmann::json& parent, std::string_view key,
                                      std::string_view path, FieldErrors& errors);

// Reads an optional enum field written as one of `names` (the CRD spelling).
template <typename Enum, std::size_t N>
void ParseEnum(const nlohmann::json& parent, std::string_view key, std::string_view path,
               const std::array<std::string_view, N>& names, Enum& value, FieldErrors& errors) {
  std::optional<std::string> text = ReadString(parent, key, path, errors);
  if (!text) return;
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == *text) {
      value = static_cast<Enum>(i);
      return;
    }
  }
  std::string allowed;
  for (std::string_view name : names) allowed += (allowed.empty() ? "" : ", ") + std::string(name);
  errors.Add(path, "invalid value \"" + *text + "\"; expected one of " + allowed);
}

void ParseMetadata(const nlohmann::json& object, TlsPolicy& policy, FieldErrors& errors);
void ParseServerName(const nlohmann::json& spec, TlsPolicy& policy, FieldErrors& errors);
void ParseVitessVersion(const nlohmann::json& spec, TlsPolicy& policy, FieldErrors& errors);
void ParseIssuer(const nlohmann::json& spec, TlsPolicy& policy, FieldErrors& errors);
void ParseCertificateSpec(const nlohmann::json& spec, std::string_view key, std::string_view path,
                          const std::array<std::string_view, 3>& algorithm_names,
                          CertificateSpec& certificate, FieldErrors& errors);
void ParseCrl(const nlohmann::json& spec, TlsPolicy& policy, FieldErrors& errors);
void ParseCleanupOnDelete(const nlohmann::json& spec, TlsPolicy& policy, FieldErrors& errors);
void ParseSelector(const nlohmann::json& spec, TlsPolicy& policy, FieldErrors& errors);

}  // namespace vtguard::vitess
