// The catalogue of TLS-relevant Vitess flags: which component accepts which flag, in which
// Vitess versions and spellings, and the flags that never existed or were removed.
//
// Spelling (Vitess changelogs, docs 18.0-25.0): v22 and older accept only underscores
// (`grpc_cert`); v23 and v24 accept both, documenting the dashed form and printing a
// deprecation warning for underscores; v25 accepts only dashes. vitess-operator writes each
// `extraFlags` key as `--<key>`, stripping leading dashes, so `--tablet-grpc-ca`,
// `tablet-grpc-ca` and `tablet_grpc_ca` name the same flag.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vtguard::vitess {

// A Vitess process that vtguard configures or checks.
enum class Component { kVttablet, kVtgate, kVtctld, kVtorc, kVtbackup, kVitessOperator };

// Returns the process name: "vttablet", "vtgate", "vtctld", "vtorc", "vtbackup" or
// "vitess-operator".
std::string_view ComponentName(Component component);
std::optional<Component> ParseComponentName(std::string_view name);

enum class Spelling { kDash, kUnderscore };

// The purpose of a flag. Every flag of these families is in the catalogue.
enum class FlagFamily {
  kServer,               // grpc-cert, grpc-key, grpc-ca, grpc-crl, grpc-server-ca, optional TLS
  kServerAuth,           // grpc-auth-mode, grpc-auth-mtls-allowed-substrings
  kTabletClient,         // tablet-grpc-*: queries, VReplication, VDiff
  kTabletManagerClient,  // tablet-manager-grpc-*
  kBinlogPlayerClient,   // binlog-player-grpc-*
  kDatabase,             // db-ssl-*, db-tls-min-version: the MySQL connection
};

// One catalogue entry.
struct FlagInfo {
  std::string_view name;  // Dashed spelling, e.g. "tablet-grpc-ca".
  FlagFamily family;
  unsigned components;  // Bit set of ComponentBit(Component).
  int first_major;      // First Vitess major version that has the flag.
  int last_major;       // Last major version that has it (kNoLastMajor while it exists).
};

inline constexpr int kNoLastMajor = 1000;
// Oldest and newest Vitess major versions whose flags the catalogue was checked against.
inline constexpr int kOldestKnownMajor = 18;
inline constexpr int kNewestKnownMajor = 25;

constexpr unsigned ComponentBit(Component component) {
  return 1u << static_cast<unsigned>(component);
}

// Every catalogue entry.
std::span<const FlagInfo> TlsFlagCatalogue();

// Strips leading dashes and turns '_' into '-': "--tablet_grpc_ca" -> "tablet-grpc-ca".
std::string CanonicalFlagName(std::string_view key);
// True when two keys name the same flag in any spelling.
bool FlagKeysEqual(std::string_view a, std::string_view b);
// Returns the spelling a key uses, or nullopt when it has neither '-' nor '_' between words
// (such keys are valid in every version).
std::optional<Spelling> SpellingOf(std::string_view key);
// Spells the dashed catalogue name in `spelling`: ("tablet-grpc-ca", kUnderscore) ->
// "tablet_grpc_ca".
std::string SpellFlag(std::string_view canonical_name, Spelling spelling);

// Rewrites every catalogue flag name in `text` (a word of letters, digits, '-' and '_') in
// `spelling`: ("set grpc-cert on vttablet", kUnderscore) -> "set grpc_cert on vttablet".
std::string SpellFlagsIn(std::string_view text, Spelling spelling);

// Returns the catalogue entry of `key` in any spelling, or nullptr.
const FlagInfo* FindTlsFlag(std::string_view key);

// True when Vitess `major` accepts flags written in `spelling`.
bool VersionAcceptsSpelling(int major, Spelling spelling);
// The spelling vtguard writes for Vitess `major`: underscores up to v22, dashes from v23.
Spelling PreferredSpelling(int major);

// True when `component` of Vitess `major` accepts the flag (spelling aside).
bool ComponentAcceptsFlag(Component component, const FlagInfo& flag, int major);

// A flag name that appears in configurations but makes Vitess exit at start-up.
struct BogusFlag {
  std::string_view name;  // Dashed spelling.
  int removed_in_major;   // 0 when the flag never existed in a release.
  std::string_view fix;   // The text to write instead, with dashed flag names (see SpellFlagsIn).
};

// The entry for `key` in any spelling, or nullptr. Covers vreplication_ssl_ca/cert/key,
// vreplication_tablet_type (removed in v20), gRPC TLS minimum-version look-alikes and
// tls_reload_interval (not in any release).
const BogusFlag* FindBogusFlag(std::string_view key);
// True when `major` still accepts a flag that was later removed (for example
// vreplication_tablet_type before v20).
bool BogusFlagAcceptedBy(const BogusFlag& flag, int major);

}  // namespace vtguard::vitess
