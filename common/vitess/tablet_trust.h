// Tablet trust: the source of the certificate that a cluster's tablets serve, and the checks
// that keep every client of those tablets on the matching CA and server name.
//
// A tablet pool whose grpc-cert or grpc-key names a file outside /vt/vtguard/tls serves the
// user's certificate. Then the whole cluster uses user-managed trust for tablet connections,
// because every client dials every tablet (vtgate, vtctld and vtorc by pod IP, tablets for
// VReplication and VDiff). vtguard adds no server flags there, and none of its own CA or
// server name to any tablet client. On a tablet pod, a missing client family is copied from the
// other family of the same pod (tablet-manager-grpc-ca from tablet-grpc-ca), since both read files
// of that pod. vtgate, vtctld and vtorc do not mount the user's files, so validation reports what
// they lack.
//
// NOTE: vitess-operator's own tablet-manager client, when configured with vtguard's trust
// bundle, verifies only vtguard's CAs. It cannot drain or reparent tablets that serve the
// user's certificate unless it is given a CA file that also contains the user's CA.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/vitess/admission.h"
#include "common/vitess/cluster_sites.h"
#include "common/vitess/flag_checks.h"
#include "common/vitess/tls_config.h"

namespace vtguard::vitess {

enum class TabletTrust {
  kVtguard,  // Tablets serve vtguard's certificate (or no certificate yet).
  kUser,     // At least one tablet pool serves a certificate that the user provides.
};

// The certificate that the tablets of one cluster serve.
struct TabletServerTrust {
  TabletTrust trust = TabletTrust::kVtguard;
  // Under kUser: the first user grpc-cert (or grpc-key) value, e.g. "/vt/tls/tls.crt".
  std::string user_certificate;
  // Under kUser: the spelling of the key the user wrote for that certificate, so that a fix
  // addressed to another component names vttablet's flags as vttablet reads them.
  Spelling user_certificate_spelling = Spelling::kDash;
  // Under kUser: the CA and server name that tablet pools give their own tablet clients, when
  // every pool that sets them uses the same value. They tell users what the other clients need.
  std::optional<std::string> user_ca;
  std::optional<std::string> user_server_name;

  bool user() const { return trust == TabletTrust::kUser; }
};

// The client flag families that dial tablets, as flag name prefixes.
inline constexpr std::string_view kTabletClientPrefixes[] = {"tablet-grpc-",
                                                             "tablet-manager-grpc-"};

// True when `path` names a file that vtguard mounts (under /vt/vtguard/tls/).
bool IsVtguardFile(std::string_view path);

// Reads the server certificate of every tablet pool among `sites` of `cluster`.
TabletServerTrust ReadTabletTrust(const nlohmann::json& cluster,
                                  const std::vector<ClusterSite>& sites);

// Reads the trust of a Pod that vtguard configures with flags (no operator): kUser when it is a
// vttablet whose own grpc-cert or grpc-key names a file outside /vt/vtguard/tls. Other Pods do
// not show what the tablets they dial serve, so they get kVtguard.
TabletServerTrust ReadPodTrust(Component component, const std::vector<FlagEntry>& flags);

// Returns the flags vtguard adds to a site under kUser: on vttablet, each tablet client flag that
// the pod's other client family sets with a CA of the user's (tablet-manager-grpc-ca and
// -server-name from tablet-grpc-ca and -server-name, and the reverse); nothing elsewhere.
std::vector<DesiredFlag> UserTrustFlags(Component component, const std::vector<FlagEntry>& flags);

// Removes from `desired` the client families whose CA the site already sets to a file of the
// user's, so that vtguard never pairs the user's CA with its own server name or certificate.
std::vector<DesiredFlag> DropUserClientFamilies(std::vector<DesiredFlag> desired,
                                                const std::vector<FlagEntry>& flags);

// True when a value in `flags` names a file under /vt/vtguard/tls.
bool ReadsVtguardFiles(const std::vector<FlagEntry>& flags);

// Reports the first flag of `flags` that reads a file under /vt/vtguard/tls where that file
// would not come from vtguard's Secret volume (see FindTlsMountProblem), at `path`. Under the
// user's trust, tablet client flags are left to CheckTabletTrust, whose fix is the user's CA.
void CheckTlsMountReaders(const std::vector<FlagEntry>& flags, const TabletServerTrust& trust,
                          const nlohmann::json* volumes, const nlohmann::json* mounts,
                          const std::string& path, std::vector<Violation>& violations);

// Reports client flags whose CA or server name does not match the certificate the tablets
// serve. Also reports a tablet pool that serves vtguard's certificate beside pools that serve the
// user's, and, under kUser, the tablet client and server flags that a component lacks.
void CheckTabletTrust(const std::vector<FlagEntry>& flags, const CheckedComponent& checked,
                      const TlsPolicy& policy, const TabletServerTrust& trust,
                      const std::string& missing_path, std::vector<Violation>& violations);

}  // namespace vtguard::vitess
