#include "common/vitess/flag_checks.h"

#include "common/vitess/tls_config.h"

namespace vtguard::vitess {
namespace {

std::string SpellingName(Spelling spelling) {
  return spelling == Spelling::kDash ? "dashed" : "underscored";
}

void CheckBogus(const FlagEntry& entry, Component component,
                const std::optional<VitessVersion>& version, std::vector<Violation>& violations) {
  const BogusFlag* bogus = FindBogusFlag(entry.key);
  if (bogus == nullptr) return;
  if (version && BogusFlagAcceptedBy(*bogus, version->major)) return;
  std::string message = bogus->removed_in_major != 0
                            ? "flag " + entry.key + " was removed in v" +
                                  std::to_string(bogus->removed_in_major) + "; " +
                                  std::string(ComponentName(component)) + " exits at start-up"
                            : "flag " + entry.key + " does not exist; " +
                                  std::string(ComponentName(component)) + " exits at start-up";
  violations.push_back({entry.path, message, std::string(bogus->fix), Severity::kError});
}

void CheckCatalogue(const FlagEntry& entry, Component component,
                    const std::optional<VitessVersion>& version,
                    std::vector<Violation>& violations) {
  const FlagInfo* info = FindTlsFlag(entry.key);
  if (info == nullptr) return;
  int major = version ? version->major : kNewestKnownMajor;
  std::string name(ComponentName(component));
  if (!ComponentAcceptsFlag(component, *info, major)) {
    std::string in_version = version ? " " + version->ToString() : "";
    violations.push_back(
        {entry.path, name + in_version + " has no flag " + entry.key + " and exits at start-up",
         "remove it from " + name, Severity::kError});
    return;
  }
  std::optional<Spelling> spelling = SpellingOf(entry.key);
  if (!version || !spelling || VersionAcceptsSpelling(version->major, *spelling)) return;
  Spelling right = PreferredSpelling(version->major);
  violations.push_back({entry.path,
                        version->ToString() + " does not accept the " + SpellingName(*spelling) +
                            " flag " + entry.key + "; " + name + " exits at start-up",
                        "write " + SpellFlag(info->name, right), Severity::kError});
}

bool Has(const std::vector<FlagEntry>& flags, const std::string& name) {
  return FindEntry(flags, name) != nullptr;
}

void RequireTogether(const std::vector<FlagEntry>& flags, const std::string& prefix,
                     std::vector<Violation>& violations) {
  bool cert = Has(flags, prefix + "cert");
  bool key = Has(flags, prefix + "key");
  if (cert == key) return;
  std::string present = prefix + (cert ? "cert" : "key");
  std::string absent = prefix + (cert ? "key" : "cert");
  violations.push_back({FindEntry(flags, present)->path, present + " is set without " + absent,
                        "set " + absent + " too, or remove " + present, Severity::kError});
}

}  // namespace

const FlagEntry* FindEntry(const std::vector<FlagEntry>& flags, std::string_view canonical_name) {
  for (const FlagEntry& entry : flags) {
    if (CanonicalFlagName(entry.key) == canonical_name) return &entry;
  }
  return nullptr;
}

void CheckFlagNames(const std::vector<FlagEntry>& flags, Component component,
                    const std::optional<VitessVersion>& version,
                    std::vector<Violation>& violations) {
  for (const FlagEntry& entry : flags) {
    CheckBogus(entry, component, version, violations);
    CheckCatalogue(entry, component, version, violations);
  }
}

void CheckFlagCombinations(const std::vector<FlagEntry>& flags, Component component,
                           const TlsPolicy& policy, MigrationStep step, bool operator_managed,
                           std::vector<Violation>& violations) {
  for (const char* prefix :
       {"grpc-", "tablet-grpc-", "tablet-manager-grpc-", "binlog-player-grpc-", "db-ssl-"}) {
    RequireTogether(flags, prefix, violations);
  }
  for (const char* prefix : {"tablet-grpc-", "tablet-manager-grpc-", "binlog-player-grpc-"}) {
    std::string base(prefix);
    const FlagEntry* ca = FindEntry(flags, base + "ca");
    const FlagEntry* server_name = FindEntry(flags, base + "server-name");
    if (ca != nullptr && server_name == nullptr) {
      violations.push_back({ca->path,
                            ca->key + " without " + base +
                                "server-name: tablets are dialled by pod IP, which no "
                                "certificate names",
                            "set " + base + "server-name to " + policy.server_name,
                            Severity::kError});
    }
    // vtguard's certificates carry only the policy's server name.
    if (ca != nullptr && server_name != nullptr && ca->value == MountedFile("ca.crt") &&
        server_name->value != policy.server_name) {
      violations.push_back({server_name->path,
                            server_name->key + " \"" + server_name->value +
                                "\" is not the name in vtguard's certificates",
                            "set it to " + policy.server_name, Severity::kError});
    }
  }
  for (const char* prefix :
       {"grpc-", "tablet-grpc-", "tablet-manager-grpc-", "binlog-player-grpc-"}) {
    std::string base(prefix);
    const FlagEntry* crl = FindEntry(flags, base + "crl");
    if (crl != nullptr && !Has(flags, base + "ca")) {
      violations.push_back({crl->path, crl->key + " is set without " + base + "ca",
                            "set " + base + "ca, or remove " + crl->key, Severity::kError});
    }
  }
  const FlagEntry* server_ca = FindEntry(flags, "grpc-ca");
  if (component == Component::kVttablet && server_ca != nullptr && operator_managed) {
    bool required = policy.client_auth == ClientAuth::kRequired;
    violations.push_back(
        {server_ca->path,
         server_ca->key + " makes vttablet require client certificates, which vitess-operator "
                          "cannot present: drains, reparents and shard init fail",
         required ? "accept this risk, or set clientAuth: None in the VitessTLSPolicy"
                  : "remove " + server_ca->key + " or set clientAuth: Required in the policy",
         required ? Severity::kWarning : Severity::kError});
  }
  const FlagEntry* optional_tls = FindEntry(flags, "grpc-enable-optional-tls");
  if (optional_tls != nullptr && step == MigrationStep::kComplete &&
      optional_tls->value != "false") {
    violations.push_back({optional_tls->path,
                          optional_tls->key + " lets " + std::string(ComponentName(component)) +
                              " accept plaintext gRPC",
                          "remove it once every client dials with TLS", Severity::kError});
  }
}

void CheckMissingFlags(const std::vector<FlagEntry>& flags, Component component,
                       const TlsPolicy& policy, MigrationStep step, Spelling spelling,
                       const std::string& path, std::vector<Violation>& violations) {
  std::string missing;
  for (const DesiredFlag& flag : DesiredFlags(policy, component, step)) {
    if (Has(flags, flag.name)) continue;
    missing += (missing.empty() ? "" : ", ") + SpellFlag(flag.name, spelling);
  }
  if (missing.empty()) return;
  violations.push_back({path, std::string(ComponentName(component)) + " lacks TLS flags " + missing,
                        "run vtguard inject, or add them pointing at " + std::string(kTlsMountPath),
                        Severity::kError});
}

}  // namespace vtguard::vitess
