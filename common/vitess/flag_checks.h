// Checks on the TLS flags of one component, shared by VitessCluster and Pod validation.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/vitess/admission.h"
#include "common/vitess/json_patch.h"

namespace vtguard::vitess {

// One flag as configured, with the JSON Pointer of the field that sets it.
struct FlagEntry {
  std::string key;  // As written.
  std::string value;
  std::string path;
  bool is_string = true;  // False for a map value that is not a string; `value` is its JSON.
};

// The component whose flags are checked.
struct CheckedComponent {
  Component component = Component::kVttablet;
  std::optional<VitessVersion> version;  // nullopt when unknown.
  // How messages spell the flags they name, except a key quoted as written (MessageSpelling).
  Spelling spelling = Spelling::kDash;
};

// The spelling for messages: the one vtguard writes for the version under the policy's
// flagSpelling, else (version unknown) the one the first configured flag uses, else dashed.
Spelling MessageSpelling(const TlsPolicy& policy, const std::optional<VitessVersion>& version,
                         const std::vector<FlagEntry>& flags);

// Flags that never existed or were removed, catalogue flags the component or version does not
// accept, and spellings the version does not accept.
void CheckFlagNames(const std::vector<FlagEntry>& flags, const CheckedComponent& checked,
                    std::vector<Violation>& violations);

// A cert without its key (or the reverse), a CA without a server name, a CRL without a CA,
// grpc-ca on vttablet while vitess-operator manages it, optional TLS after a migration, and a
// server name that vtguard's certificates do not carry.
void CheckFlagCombinations(const std::vector<FlagEntry>& flags, const CheckedComponent& checked,
                           const TlsPolicy& policy, MigrationStep step, bool operator_managed,
                           std::vector<Violation>& violations);

// The flags that `policy` requires of `component` and that are absent, as one violation.
void CheckMissingFlags(const std::vector<FlagEntry>& flags, const CheckedComponent& checked,
                       const TlsPolicy& policy, MigrationStep step, const std::string& path,
                       std::vector<Violation>& violations);

// Reads the flags of the extraFlags map at `tokens` in `object`, in key order; empty when there is
// no map. Values that are not strings are given as JSON text.
std::vector<FlagEntry> ReadFlagMap(const nlohmann::json& object, const PointerTokens& tokens);

// Reports each entry of `flags` whose value is not a string, and removes it, so that the other
// checks do not read a value such as 5 or {} as a file name.
void TakeNonStringFlags(std::vector<FlagEntry>& flags, std::vector<Violation>& violations);

// Reads the flags of a container's command and args, each with its path under `container_path`
// ("/spec/containers/0/args/3").
std::vector<FlagEntry> ReadContainerFlags(const nlohmann::json& container,
                                          const std::string& container_path);

// The entry that sets `canonical_name` in any spelling, or nullptr.
const FlagEntry* FindEntry(const std::vector<FlagEntry>& flags, std::string_view canonical_name);

}  // namespace vtguard::vitess
