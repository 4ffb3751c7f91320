// Checks on the TLS flags of one component, shared by VitessCluster and Pod validation.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/vitess/admission.h"

namespace vtguard::vitess {

// One flag as configured, with the JSON Pointer of the field that sets it.
struct FlagEntry {
  std::string key;  // As written.
  std::string value;
  std::string path;
};

// Flags that never existed or were removed, catalogue flags the component or version does not
// accept, and spellings the version does not accept. `version` is nullopt when unknown.
void CheckFlagNames(const std::vector<FlagEntry>& flags, Component component,
                    const std::optional<VitessVersion>& version,
                    std::vector<Violation>& violations);

// A cert without its key (or the reverse), a CA without a server name, a CRL without a CA,
// grpc-ca on vttablet while vitess-operator manages it, optional TLS after a migration, and a
// server name that vtguard's certificates do not carry.
void CheckFlagCombinations(const std::vector<FlagEntry>& flags, Component component,
                           const TlsPolicy& policy, MigrationStep step, bool operator_managed,
                           std::vector<Violation>& violations);

// The flags that `policy` requires of `component` and that are absent, as one violation.
void CheckMissingFlags(const std::vector<FlagEntry>& flags, Component component,
                       const TlsPolicy& policy, MigrationStep step, Spelling spelling,
                       const std::string& path, std::vector<Violation>& violations);

// The entry that sets `canonical_name` in any spelling, or nullptr.
const FlagEntry* FindEntry(const std::vector<FlagEntry>& flags, std::string_view canonical_name);

}  // namespace vtguard::vitess
