// Reading Vitess command-line flags the way the Vitess binaries do, for the end-to-end harness.
//
// Vitess v23 and v24 accept every flag in two spellings (`--grpc-cert` and `--grpc_cert`), and
// pflag accepts one or two leading dashes. The harness therefore compares flag names only after
// normalizing them: leading dashes stripped, underscores turned into dashes.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vtguard::e2e {

// Returns `name` without leading dashes and with every '_' replaced by '-', so that
// "--tablet_grpc_ca", "-tablet-grpc-ca" and "tablet-grpc-ca" compare equal.
std::string NormalizeFlagName(std::string_view name);

// Flags of one process, keyed by normalized name. When a flag is given twice (once per
// spelling), the later argument wins, as it does in pflag.
class FlagSet {
 public:
  FlagSet() = default;

  // Parses container args of the form "--key=value" (and "--key" for booleans, stored as
  // "true"). Arguments that do not start with '-' are ignored.
  static FlagSet FromArgs(const std::vector<std::string>& args);

  // Reads the args of the container named `container` in a Pod JSON object; an empty set when
  // the Pod has no such container.
  static FlagSet FromPod(const nlohmann::json& pod, std::string_view container);

  // The value of `name` in any spelling, if set.
  std::optional<std::string> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }

  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace vtguard::e2e
