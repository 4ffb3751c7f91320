#include "common/vitess/flags.h"

#include <algorithm>
#include <array>

namespace vtguard::vitess {
namespace {

constexpr unsigned kTablet = ComponentBit(Component::kVttablet);
constexpr unsigned kGate = ComponentBit(Component::kVtgate);
constexpr unsigned kCtld = ComponentBit(Component::kVtctld);
constexpr unsigned kOrc = ComponentBit(Component::kVtorc);
constexpr unsigned kBackup = ComponentBit(Component::kVtbackup);
constexpr unsigned kOperator = ComponentBit(Component::kVitessOperator);

// Components and versions as the Vitess reference docs 18.0-25.0 list them (vtorc has no
// tablet-grpc-* client and vtgate no tablet-manager-grpc-* client in any of them). The
// vitess-operator binary registers the tablet-manager client flags of the Vitess libraries
// it is built with, but only tablet-manager-grpc-ca and -server-name, in both spellings
// (vitess-operator v2.17.0, pkg/operator/controllermanager/flags.go).
constexpr FlagInfo kCatalogue[] = {
    {"grpc-cert", FlagFamily::kServer, kTablet | kGate | kCtld, 18, kNoLastMajor},
    {"grpc-key", FlagFamily::kServer, kTablet | kGate | kCtld, 18, kNoLastMajor},
    {"grpc-ca", FlagFamily::kServer, kTablet | kGate | kCtld, 18, kNoLastMajor},
    {"grpc-crl", FlagFamily::kServer, kTablet | kGate | kCtld, 18, kNoLastMajor},
    {"grpc-server-ca", FlagFamily::kServer, kTablet | kGate | kCtld, 18, kNoLastMajor},
    {"grpc-enable-optional-tls", FlagFamily::kServer, kTablet | kGate | kCtld, 18, kNoLastMajor},
    {"grpc-auth-mode", FlagFamily::kServerAuth, kTablet | kGate | kCtld, 18, kNoLastMajor},
    {"grpc-auth-mtls-allowed-substrings", FlagFamily::kServerAuth, kTablet | kGate | kCtld, 18,
     kNoLastMajor},
    {"tablet-grpc-ca", FlagFamily::kTabletClient, kTablet | kGate | kCtld, 18, kNoLastMajor},
    {"tablet-grpc-cert", FlagFamily::kTabletClient, kTablet | kGate | kCtld, 18, kNoLastMajor},
    {"tablet-grpc-key", FlagFamily::kTabletClient, kTablet | kGate | kCtld, 18, kNoLastMajor},
    {"tablet-grpc-crl", FlagFamily::kTabletClient, kTablet | kGate | kCtld, 18, kNoLastMajor},
    {"tablet-grpc-server-name", FlagFamily::kTabletClient, kTablet | kGate | kCtld, 18,
     kNoLastMajor},
    {"tablet-manager-grpc-ca", FlagFamily::kTabletManagerClient,
     kTablet | kCtld | kOrc | kBackup | kOperator, 18, kNoLastMajor},
    {"tablet-manager-grpc-cert", FlagFamily::kTabletManagerClient, kTablet | kCtld | kOrc | kBackup,
     18, kNoLastMajor},
    {"tablet-manager-grpc-key", FlagFamily::kTabletManagerClient, kTablet | kCtld | kOrc | kBackup,
     18, kNoLastMajor},
    {"tablet-manager-grpc-crl", FlagFamily::kTabletManagerClient, kTablet | kCtld | kOrc | kBackup,
     18, kNoLastMajor},
    {"tablet-manager-grpc-server-name", FlagFamily::kTabletManagerClient,
     kTablet | kCtld | kOrc | kBackup | kOperator, 18, kNoLastMajor},
    {"binlog-player-grpc-ca", FlagFamily::kBinlogPlayerClient, kTablet, 18, kNoLastMajor},
    {"binlog-player-grpc-cert", FlagFamily::kBinlogPlayerClient, kTablet, 18, kNoLastMajor},
    {"binlog-player-grpc-key", FlagFamily::kBinlogPlayerClient, kTablet, 18, kNoLastMajor},
    {"binlog-player-grpc-crl", FlagFamily::kBinlogPlayerClient, kTablet, 18, kNoLastMajor},
    {"binlog-player-grpc-server-name", FlagFamily::kBinlogPlayerClient, kTablet, 18, kNoLastMajor},
    {"db-ssl-ca", FlagFamily::kDatabase, kTablet | kBackup, 18, kNoLastMajor},
    {"db-ssl-ca-path", FlagFamily::kDatabase, kTablet | kBackup, 18, kNoLastMajor},
    {"db-ssl-cert", FlagFamily::kDatabase, kTablet | kBackup, 18, kNoLastMajor},
    {"db-ssl-key", FlagFamily::kDatabase, kTablet | kBackup, 18, kNoLastMajor},
    {"db-ssl-mode", FlagFamily::kDatabase, kTablet | kBackup, 18, kNoLastMajor},
    {"db-tls-min-version", FlagFamily::kDatabase, kTablet | kBackup, 18, kNoLastMajor},
};

// Each fix names catalogue flags dashed; SpellFlagsIn rewrites them for the version at hand.
constexpr BogusFlag kBogusFlags[] = {
    {"vreplication-ssl-ca", 0,
     "set tablet-grpc-ca and tablet-grpc-server-name on the clients and grpc-cert/grpc-key on "
     "vttablet"},
    {"vreplication-ssl-cert", 0,
     "set grpc-cert on vttablet; client certificates use tablet-grpc-cert"},
    {"vreplication-ssl-key", 0, "set grpc-key on vttablet; client keys use tablet-grpc-key"},
    {"vreplication-tablet-type", 20,
     "pass --tablet-types to the workflow (vtctldclient ... create)"},
    {"grpc-ssl-min-version", 0, "remove it: Vitess gRPC already requires TLS 1.2 or newer"},
    {"grpc-tls-min-version", 0, "remove it: Vitess gRPC already requires TLS 1.2 or newer"},
    {"grpc-min-tls-version", 0, "remove it: Vitess gRPC already requires TLS 1.2 or newer"},
    {"tls-min-version", 0, "remove it: Vitess gRPC already requires TLS 1.2 or newer"},
    {"tablet-grpc-tls-min-version", 0, "remove it: Vitess gRPC already requires TLS 1.2 or newer"},
    {"tls-reload-interval", 0,
     "remove it: Vitess reads certificates at start-up, so restart the pods to reload them"},
    {"grpc-tls-reload-interval", 0,
     "remove it: Vitess reads certificates at start-up, so restart the pods to reload them"},
};

constexpr std::array<std::string_view, 6> kComponentNames = {
    "vttablet", "vtgate", "vtctld", "vtorc", "vtbackup", "vitess-operator"};

}  // namespace

std::string_view ComponentName(Component component) {
  return kComponentNames[static_cast<std::size_t>(component)];
}

std::optional<Component> ParseComponentName(std::string_view name) {
  for (std::size_t i = 0; i < kComponentNames.size(); ++i) {
    if (kComponentNames[i] == name) return static_cast<Component>(i);
  }
  return std::nullopt;
}

std::span<const FlagInfo> TlsFlagCatalogue() { return kCatalogue; }

std::string CanonicalFlagName(std::string_view key) {
  while (!key.empty() && key.front() == '-') key.remove_prefix(1);
  std::string name(key);
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

bool FlagKeysEqual(std::string_view a, std::string_view b) {
  // Compares in place, because the admission path calls this for every key of every
  // extraFlags map.
  while (!a.empty() && a.front() == '-') a.remove_prefix(1);
  while (!b.empty() && b.front() == '-') b.remove_prefix(1);
  auto dashed = [](char c) { return c == '_' ? '-' : c; };
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [&](char x, char y) { return dashed(x) == dashed(y); });
}

std::optional<Spelling> SpellingOf(std::string_view key) {
  while (!key.empty() && key.front() == '-') key.remove_prefix(1);
  if (key.find('_') != std::string_view::npos) return Spelling::kUnderscore;
  if (key.find('-') != std::string_view::npos) return Spelling::kDash;
  return std::nullopt;
}

std::string SpellFlag(std::string_view canonical_name, Spelling spelling) {
  std::string name = CanonicalFlagName(canonical_name);
  if (spelling == Spelling::kUnderscore) std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

std::string SpellFlagsIn(std::string_view text, Spelling spelling) {
  auto is_name_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  };
  std::string result;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_name_char(text[i])) {
      result += text[i++];
      continue;
    }
    std::size_t start = i;
    while (i < text.size() && is_name_char(text[i])) ++i;
    std::string_view word = text.substr(start, i - start);
    // A word with leading dashes is a command-line option as written and stays as it is.
    bool is_flag = word.front() != '-' && FindTlsFlag(word) != nullptr;
    result += is_flag ? SpellFlag(word, spelling) : std::string(word);
  }
  return result;
}

const FlagInfo* FindTlsFlag(std::string_view key) {
  std::string name = CanonicalFlagName(key);
  for (const FlagInfo& flag : kCatalogue) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

bool VersionAcceptsSpelling(int major, Spelling spelling) {
  // Dashed names arrived in v23; underscores were removed in v25.
  if (spelling == Spelling::kDash) return major >= 23;
  return major <= 24;
}

Spelling PreferredSpelling(int major) {
  return major >= 23 ? Spelling::kDash : Spelling::kUnderscore;
}

bool ComponentAcceptsFlag(Component component, const FlagInfo& flag, int major) {
  if ((flag.components & ComponentBit(component)) == 0) return false;
  // The catalogue starts at the oldest checked version; older releases are not bounded below.
  bool after_first = flag.first_major <= kOldestKnownMajor || major >= flag.first_major;
  return after_first && major <= flag.last_major;
}

const BogusFlag* FindBogusFlag(std::string_view key) {
  std::string name = CanonicalFlagName(key);
  for (const BogusFlag& flag : kBogusFlags) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

bool BogusFlagAcceptedBy(const BogusFlag& flag, int major) {
  return flag.removed_in_major != 0 && major < flag.removed_in_major;
}

}  // namespace vtguard::vitess
