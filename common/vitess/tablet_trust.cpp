#include "common/vitess/tablet_trust.h"

#include "common/vitess/tls_config.h"

namespace vtguard::vitess {
namespace {

bool IsTabletClientFlag(std::string_view key) {
  const std::string name = CanonicalFlagName(key);
  for (std::string_view prefix : kTabletClientPrefixes) {
    if (name.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

// The grpc-cert entry of a tablet pool, else its grpc-key entry, else nullptr.
const FlagEntry* ServerCertificate(const std::vector<FlagEntry>& flags) {
  const FlagEntry* cert = FindEntry(flags, "grpc-cert");
  return cert != nullptr ? cert : FindEntry(flags, "grpc-key");
}

// The CA and server name of the first client family of a tablet pool that sets a CA of the
// user's. They are what the tablets trust when they dial each other.
struct UserClientTrust {
  std::optional<std::string> ca;
  std::optional<std::string> server_name;
};

UserClientTrust ReadUserClientTrust(const std::vector<FlagEntry>& flags) {
  for (std::string_view prefix : kTabletClientPrefixes) {
    std::string base(prefix);
    const FlagEntry* ca = FindEntry(flags, base + "ca");
    if (ca == nullptr || IsVtguardFile(ca->value)) continue;
    const FlagEntry* name = FindEntry(flags, base + "server-name");
    return {ca->value, name != nullptr ? std::optional<std::string>(name->value) : std::nullopt};
  }
  return {};
}

// Keeps `value` in `agreed` while every pool agrees; a second, different value clears it.
void Agree(const std::optional<std::string>& value, bool& seen,
           std::optional<std::string>& agreed) {
  if (!value) return;
  if (!seen) {
    seen = true;
    agreed = value;
  } else if (agreed != value) {
    agreed.reset();
  }
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// How a client family on `component` reaches tablets that serve the user's certificate:
// "set WHAT on COMPONENT to VALUES (...), or ...".
std::string UserClientFix(const std::string& what, std::string_view component,
                          std::string_view values, const TabletServerTrust& trust) {
  std::string fix = "set " + what + " on " + std::string(component) + " to " + std::string(values);
  if (trust.user_ca && trust.user_server_name) {
    fix += " (the tablets' own clients use " + *trust.user_ca + " and " + *trust.user_server_name +
           ")";
  }
  const Spelling tablet = trust.user_certificate_spelling;
  return fix + ", or remove " + SpellFlag("grpc-cert", tablet) + " and " +
         SpellFlag("grpc-key", tablet) + " from vttablet to let vtguard manage TLS";
}

void CheckUserTrustClient(const std::vector<FlagEntry>& flags, const CheckedComponent& checked,
                          const TlsPolicy& policy, const TabletServerTrust& trust,
                          const std::string& prefix, std::vector<std::string>& missing,
                          std::vector<Violation>& violations) {
  std::string component(ComponentName(checked.component));
  std::string ca_flag = SpellFlag(prefix + "ca", checked.spelling);
  std::string name_flag = SpellFlag(prefix + "server-name", checked.spelling);
  std::string both = ca_flag + " and " + name_flag;
  std::string serving = component + " dials tablets that serve " + trust.user_certificate + ", ";
  const FlagEntry* ca = FindEntry(flags, prefix + "ca");
  const FlagEntry* name = FindEntry(flags, prefix + "server-name");
  if (ca == nullptr) {
    missing.push_back(ca_flag);
    if (name == nullptr) missing.push_back(name_flag);
  } else if (IsVtguardFile(ca->value)) {
    violations.push_back({ca->path, serving + "but " + ca_flag + " is vtguard's CA " + ca->value,
                          UserClientFix(both, component, "your CA and server name", trust),
                          Severity::kError});
  }
  if (name == nullptr || name->value != policy.server_name) return;
  // A user who chose vtguard's server name for their own certificate is consistent.
  if (trust.user_server_name == name->value) return;
  violations.push_back(
      {name->path,
       serving + "but " + name_flag + " is vtguard's server name " + name->value +
           ", which their certificate need not carry",
       UserClientFix(name_flag, component, "the name in your tablet certificate", trust),
       Severity::kError});
}

void CheckVtguardTrustClient(const std::vector<FlagEntry>& flags, const CheckedComponent& checked,
                             const TlsPolicy& policy, const std::string& prefix,
                             std::vector<Violation>& violations) {
  const FlagEntry* ca = FindEntry(flags, prefix + "ca");
  if (ca == nullptr || IsVtguardFile(ca->value)) return;
  std::string component(ComponentName(checked.component));
  std::string ca_flag = SpellFlag(prefix + "ca", checked.spelling);
  std::string name_flag = SpellFlag(prefix + "server-name", checked.spelling);
  std::string fix =
      "set " + ca_flag + " to " + MountedFile("ca.crt") + " and " + name_flag + " to " +
      policy.server_name + ", or set " + SpellFlag("grpc-cert", checked.spelling) + " and " +
      SpellFlag("grpc-key", checked.spelling) + " on vttablet to your own certificate";
  // Leaves of a policy with caSecretRef are signed by the user's CA, which the user's own copy
  // of that CA verifies.
  Severity severity = policy.self_signed() ? Severity::kError : Severity::kWarning;
  std::string message = component + " dials tablets that serve vtguard's certificate, but " +
                        ca_flag + " is " + ca->value;
  if (!policy.self_signed()) {
    message += "; it verifies them only if it contains the CA of Secret " + policy.ca_secret_name;
  }
  violations.push_back({ca->path, message, fix, severity});
}

}  // namespace

bool IsVtguardFile(std::string_view path) {
  std::string prefix = std::string(kTlsMountPath) + "/";
  return path.substr(0, prefix.size()) == prefix;
}

std::vector<DesiredFlag> UserTrustFlags(Component component, const std::vector<FlagEntry>& flags) {
  std::vector<DesiredFlag> copied;
  if (component != Component::kVttablet) return copied;
  for (std::string_view prefix : kTabletClientPrefixes) {
    std::string source(prefix);
    std::string target(prefix == kTabletClientPrefixes[0] ? kTabletClientPrefixes[1]
                                                          : kTabletClientPrefixes[0]);
    const FlagEntry* source_ca = FindEntry(flags, source + "ca");
    if (source_ca == nullptr || IsVtguardFile(source_ca->value)) continue;
    // A CA without a server name would add a half family that validation then rejects as
    // such, so only a complete family is copied.
    if (FindEntry(flags, source + "server-name") == nullptr) continue;
    for (const char* suffix : {"ca", "server-name", "cert", "key", "crl"}) {
      const FlagEntry* value = FindEntry(flags, source + suffix);
      if (value == nullptr || FindEntry(flags, target + suffix) != nullptr) continue;
      copied.push_back({target + suffix, value->value});
    }
  }
  return copied;
}

std::vector<DesiredFlag> DropUserClientFamilies(std::vector<DesiredFlag> desired,
                                                const std::vector<FlagEntry>& flags) {
  for (std::string_view prefix : kTabletClientPrefixes) {
    std::string base(prefix);
    const FlagEntry* ca = FindEntry(flags, base + "ca");
    if (ca == nullptr || IsVtguardFile(ca->value)) continue;
    std::erase_if(desired, [&](const DesiredFlag& flag) { return flag.name.rfind(base, 0) == 0; });
  }
  return desired;
}

bool ReadsVtguardFiles(const std::vector<FlagEntry>& flags) {
  for (const FlagEntry& entry : flags) {
    if (IsVtguardFile(entry.value)) return true;
  }
  return false;
}

void CheckTlsMountReaders(const std::vector<FlagEntry>& flags, const TabletServerTrust& trust,
                          const nlohmann::json* volumes, const nlohmann::json* mounts,
                          const std::string& path, std::vector<Violation>& violations) {
  for (const FlagEntry& entry : flags) {
    if (!IsVtguardFile(entry.value)) continue;
    if (trust.user() && IsTabletClientFlag(entry.key)) continue;
    std::optional<TlsMountProblem> problem = FindTlsMountProblem(volumes, mounts);
    if (!problem) return;
    violations.push_back({path, entry.key + " reads " + entry.value + ", but " + problem->message,
                          problem->fix, Severity::kError});
    return;
  }
}

TabletServerTrust ReadTabletTrust(const nlohmann::json& cluster,
                                  const std::vector<ClusterSite>& sites) {
  TabletServerTrust trust;
  bool ca_seen = false;
  bool name_seen = false;
  for (const ClusterSite& site : sites) {
    if (site.component != Component::kVttablet) continue;
    std::vector<FlagEntry> flags = ReadFlagMap(cluster, site.flags_tokens);
    // A value that is not a string names no file; validation reports it on its own.
    std::erase_if(flags, [](const FlagEntry& entry) { return !entry.is_string; });
    const FlagEntry* certificate = ServerCertificate(flags);
    if (certificate == nullptr || IsVtguardFile(certificate->value)) continue;
    if (!trust.user()) {
      trust.trust = TabletTrust::kUser;
      trust.user_certificate = certificate->value;
      trust.user_certificate_spelling = SpellingOf(certificate->key).value_or(Spelling::kDash);
    }
    UserClientTrust client = ReadUserClientTrust(flags);
    Agree(client.ca, ca_seen, trust.user_ca);
    Agree(client.server_name, name_seen, trust.user_server_name);
  }
  return trust;
}

TabletServerTrust ReadPodTrust(Component component, const std::vector<FlagEntry>& flags) {
  TabletServerTrust trust;
  const FlagEntry* certificate = ServerCertificate(flags);
  if (component != Component::kVttablet || certificate == nullptr ||
      IsVtguardFile(certificate->value)) {
    return trust;
  }
  trust.trust = TabletTrust::kUser;
  trust.user_certificate = certificate->value;
  trust.user_certificate_spelling = SpellingOf(certificate->key).value_or(Spelling::kDash);
  UserClientTrust client = ReadUserClientTrust(flags);
  trust.user_ca = client.ca;
  trust.user_server_name = client.server_name;
  return trust;
}

void CheckTabletTrust(const std::vector<FlagEntry>& flags, const CheckedComponent& checked,
                      const TlsPolicy& policy, const TabletServerTrust& trust,
                      const std::string& missing_path, std::vector<Violation>& violations) {
  int major = checked.version ? checked.version->major : kNewestKnownMajor;
  std::vector<std::string> missing;
  if (checked.component == Component::kVttablet && trust.user()) {
    const FlagEntry* certificate = ServerCertificate(flags);
    std::string fix = "set " + SpellFlag("grpc-cert", checked.spelling) + " and " +
                      SpellFlag("grpc-key", checked.spelling) +
                      " to your certificate here too, or remove them from every pool to let "
                      "vtguard manage TLS";
    std::string others = " while other tablet pools serve " + trust.user_certificate +
                         ", and a client trusts one CA for all of them";
    if (certificate == nullptr) {
      violations.push_back(
          {missing_path, "this pool serves no TLS certificate" + others, fix, Severity::kError});
    } else if (IsVtguardFile(certificate->value)) {
      violations.push_back({certificate->path, "this pool serves vtguard's certificate" + others,
                            fix, Severity::kError});
    }
  }
  for (std::string_view prefix : kTabletClientPrefixes) {
    std::string base(prefix);
    const FlagInfo* info = FindTlsFlag(base + "ca");
    if (info == nullptr || !ComponentAcceptsFlag(checked.component, *info, major)) continue;
    if (trust.user()) {
      CheckUserTrustClient(flags, checked, policy, trust, base, missing, violations);
    } else {
      CheckVtguardTrustClient(flags, checked, policy, base, violations);
    }
  }
  if (missing.empty()) return;
  std::string component(ComponentName(checked.component));
  violations.push_back({missing_path,
                        component + " lacks TLS flags " + JoinNames(missing) +
                            " for tablets that serve " + trust.user_certificate,
                        UserClientFix("them", component, "your CA and server name", trust),
                        Severity::kError});
}

}  // namespace vtguard::vitess
