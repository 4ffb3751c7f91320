#include "common/vitess/flag_checks.h"

#include "common/vitess/cluster_sites.h"
#include "common/vitess/pod_args.h"
#include "common/vitess/tablet_trust.h"
#include "common/vitess/tls_config.h"

namespace vtguard::vitess {
namespace {

std::string SpellingName(Spelling spelling) {
  return spelling == Spelling::kDash ? "dashed" : "underscored";
}

void CheckBogus(const FlagEntry& entry, const CheckedComponent& checked,
                std::vector<Violation>& violations) {
  const BogusFlag* bogus = FindBogusFlag(entry.key);
  if (bogus == nullptr) return;
  if (checked.version && BogusFlagAcceptedBy(*bogus, checked.version->major)) return;
  std::string state = bogus->removed_in_major != 0
                          ? " was removed in v" + std::to_string(bogus->removed_in_major)
                          : " does not exist";
  violations.push_back({entry.path,
                        "flag " + entry.key + state + "; " +
                            std::string(ComponentName(checked.component)) + " exits at start-up",
                        SpellFlagsIn(bogus->fix, checked.spelling), Severity::kError});
}

void CheckCatalogue(const FlagEntry& entry, const CheckedComponent& checked,
                    std::vector<Violation>& violations) {
  const FlagInfo* info = FindTlsFlag(entry.key);
  if (info == nullptr) return;
  const std::optional<VitessVersion>& version = checked.version;
  int major = version ? version->major : kNewestKnownMajor;
  std::string name(ComponentName(checked.component));
  if (!ComponentAcceptsFlag(checked.component, *info, major)) {
    std::string in_version = version ? " " + version->ToString() : "";
    violations.push_back(
        {entry.path, name + in_version + " has no flag " + entry.key + " and exits at start-up",
         "remove it from " + name, Severity::kError});
    return;
  }
  std::optional<Spelling> spelling = SpellingOf(entry.key);
  if (!version || !spelling || VersionAcceptsSpelling(version->major, *spelling)) return;
  violations.push_back({entry.path,
                        version->ToString() + " does not accept the " + SpellingName(*spelling) +
                            " flag " + entry.key + "; " + name + " exits at start-up",
                        "write " + SpellFlag(info->name, checked.spelling), Severity::kError});
}

bool Has(const std::vector<FlagEntry>& flags, const std::string& name) {
  return FindEntry(flags, name) != nullptr;
}

void RequireTogether(const std::vector<FlagEntry>& flags, const std::string& prefix,
                     Spelling spelling, std::vector<Violation>& violations) {
  bool cert = Has(flags, prefix + "cert");
  bool key = Has(flags, prefix + "key");
  if (cert == key) return;
  std::string present_name = prefix + (cert ? "cert" : "key");
  std::string present = SpellFlag(present_name, spelling);
  std::string absent = SpellFlag(prefix + (cert ? "key" : "cert"), spelling);
  const FlagEntry* entry = FindEntry(flags, present_name);
  if (IsVtguardFile(entry->value)) {
    violations.push_back({entry->path, present + " is set without " + absent,
                          "set " + absent + " too, or remove " + present, Severity::kError});
    return;
  }
  // vtguard inject keeps the user's file and adds none of its own beside it, because vtguard's
  // key does not match the user's certificate (nor the reverse).
  violations.push_back({entry->path,
                        present + " " + entry->value + " is set without " + absent +
                            ", and vtguard never pairs a file of yours with one of its own",
                        "set " + absent + " to the file that belongs with " + entry->value +
                            ", or remove " + present + " to let vtguard manage both",
                        Severity::kError});
}

void CheckClientFamilies(const std::vector<FlagEntry>& flags, const TlsPolicy& policy,
                         Spelling spelling, std::vector<Violation>& violations) {
  for (const char* prefix : {"tablet-grpc-", "tablet-manager-grpc-", "binlog-player-grpc-"}) {
    std::string base(prefix);
    const FlagEntry* ca = FindEntry(flags, base + "ca");
    const FlagEntry* server_name = FindEntry(flags, base + "server-name");
    std::string server_name_flag = SpellFlag(base + "server-name", spelling);
    if (ca != nullptr && server_name == nullptr) {
      violations.push_back(
          {ca->path,
           SpellFlag(base + "ca", spelling) + " is set without " + server_name_flag +
               ": tablets are dialled by pod IP, which no certificate names",
           "set " + server_name_flag + " to " +
               (ca->value == MountedFile("ca.crt") ? policy.server_name
                                                   : "the DNS name in the tablets' certificate"),
           Severity::kError});
    }
    // vtguard's certificates carry only the policy's server name.
    if (ca != nullptr && server_name != nullptr && ca->value == MountedFile("ca.crt") &&
        server_name->value != policy.server_name) {
      violations.push_back({server_name->path,
                            server_name_flag + " \"" + server_name->value +
                                "\" is not the name in vtguard's certificates",
                            "set it to " + policy.server_name, Severity::kError});
    }
  }
  for (const char* prefix :
       {"grpc-", "tablet-grpc-", "tablet-manager-grpc-", "binlog-player-grpc-"}) {
    std::string base(prefix);
    const FlagEntry* crl = FindEntry(flags, base + "crl");
    if (crl == nullptr || Has(flags, base + "ca")) continue;
    std::string crl_flag = SpellFlag(base + "crl", spelling);
    std::string ca_flag = SpellFlag(base + "ca", spelling);
    violations.push_back({crl->path, crl_flag + " is set without " + ca_flag,
                          "set " + ca_flag + ", or remove " + crl_flag, Severity::kError});
  }
}

}  // namespace

std::vector<FlagEntry> ReadFlagMap(const nlohmann::json& object, const PointerTokens& tokens) {
  std::vector<FlagEntry> entries;
  const nlohmann::json* flags = FindAt(object, tokens);
  if (flags == nullptr || !flags->is_object()) return entries;
  std::string base = ToPointer(tokens);
  for (const auto& [key, value] : flags->items()) {
    std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    entries.push_back({key, text, base + "/" + EscapePointerToken(key), value.is_string()});
  }
  return entries;
}

void TakeNonStringFlags(std::vector<FlagEntry>& flags, std::vector<Violation>& violations) {
  std::erase_if(flags, [&](const FlagEntry& entry) {
    if (entry.is_string) return false;
    const bool scalar =
        entry.value != "null" && entry.value.front() != '{' && entry.value.front() != '[';
    violations.push_back(
        {entry.path,
         "flag " + entry.key + " has the value " + entry.value +
             ", which is not a string; vitess-operator's extraFlags take strings",
         scalar ? "write the value in quotes: " + entry.key + ": \"" + entry.value + "\""
                : "set it to a string in quotes, or remove the flag",
         Severity::kError});
    return true;
  });
}

std::vector<FlagEntry> ReadContainerFlags(const nlohmann::json& container,
                                          const std::string& container_path) {
  std::vector<FlagEntry> flags;
  for (const CommandLineFlag& flag : ContainerFlags(container)) {
    flags.push_back({flag.key, flag.value,
                     container_path + "/" + flag.list + "/" + std::to_string(flag.index)});
  }
  return flags;
}

const FlagEntry* FindEntry(const std::vector<FlagEntry>& flags, std::string_view canonical_name) {
  for (const FlagEntry& entry : flags) {
    if (CanonicalFlagName(entry.key) == canonical_name) return &entry;
  }
  return nullptr;
}

Spelling MessageSpelling(const TlsPolicy& policy, const std::optional<VitessVersion>& version,
                         const std::vector<FlagEntry>& flags) {
  if (version) return ChooseSpelling(policy, *version, nullptr);
  for (const FlagEntry& entry : flags) {
    if (FindTlsFlag(entry.key) == nullptr && FindBogusFlag(entry.key) == nullptr) continue;
    if (std::optional<Spelling> spelling = SpellingOf(entry.key)) return *spelling;
  }
  return Spelling::kDash;
}

void CheckFlagNames(const std::vector<FlagEntry>& flags, const CheckedComponent& checked,
                    std::vector<Violation>& violations) {
  for (const FlagEntry& entry : flags) {
    CheckBogus(entry, checked, violations);
    CheckCatalogue(entry, checked, violations);
  }
}

void CheckFlagCombinations(const std::vector<FlagEntry>& flags, const CheckedComponent& checked,
                           const TlsPolicy& policy, MigrationStep step, bool operator_managed,
                           std::vector<Violation>& violations) {
  Spelling spelling = checked.spelling;
  for (const char* prefix :
       {"grpc-", "tablet-grpc-", "tablet-manager-grpc-", "binlog-player-grpc-", "db-ssl-"}) {
    RequireTogether(flags, prefix, spelling, violations);
  }
  CheckClientFamilies(flags, policy, spelling, violations);

  const FlagEntry* server_ca = FindEntry(flags, "grpc-ca");
  if (checked.component == Component::kVttablet && server_ca != nullptr && operator_managed) {
    std::string server_ca_flag = SpellFlag("grpc-ca", spelling);
    bool required = policy.client_auth == ClientAuth::kRequired;
    violations.push_back(
        {server_ca->path,
         server_ca_flag + " makes vttablet require client certificates, which vitess-operator "
                          "cannot present: drains, reparents and shard init fail",
         required ? "accept this risk, or set clientAuth: None in the VitessTLSPolicy"
                  : "remove " + server_ca_flag + " or set clientAuth: Required in the policy",
         required ? Severity::kWarning : Severity::kError});
  }
  const FlagEntry* optional_tls = FindEntry(flags, "grpc-enable-optional-tls");
  if (optional_tls != nullptr && step == MigrationStep::kComplete &&
      optional_tls->value != "false") {
    violations.push_back({optional_tls->path,
                          SpellFlag("grpc-enable-optional-tls", spelling) + " lets " +
                              std::string(ComponentName(checked.component)) +
                              " accept plaintext gRPC",
                          "remove it once every client dials with TLS", Severity::kError});
  }
}

void CheckMissingFlags(const std::vector<FlagEntry>& flags, const CheckedComponent& checked,
                       const TlsPolicy& policy, MigrationStep step, const std::string& path,
                       std::vector<Violation>& violations) {
  std::string missing;
  for (const DesiredFlag& flag : DesiredFlags(policy, checked.component, step)) {
    if (Has(flags, flag.name)) continue;
    missing += (missing.empty() ? "" : ", ") + SpellFlag(flag.name, checked.spelling);
  }
  if (missing.empty()) return;
  violations.push_back(
      {path, std::string(ComponentName(checked.component)) + " lacks TLS flags " + missing,
       "run vtguard inject, or add them pointing at " + std::string(kTlsMountPath),
       Severity::kError});
}

}  // namespace vtguard::vitess
