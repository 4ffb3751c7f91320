// What each leaf certificate of a cluster must contain, and whether an existing leaf Secret
// still satisfies it. Pure functions of their inputs and a time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/pki/pki.h"
#include "common/vitess/policy.h"
#include "operator/secret_data.h"

namespace vtguard::op {

// The certificate request for `component` of the VitessCluster `cluster` in `ns`:
//   subject CN=<component>, OU=<cluster>, O=vtguard (a distinct identity per component and
//   cluster, for --grpc-auth-mode=mtls);
//   vttablet: server + client usage, SANs = the policy's server name and the tablet Service
//   names; vtgate, vtctld, vtorc: client usage only.
pki::LeafRequest LeafRequestFor(const vitess::TlsPolicy& policy, std::string_view ns,
                                std::string_view cluster, vitess::Component component);

// The DNS names of a vttablet certificate besides the policy's server name.
std::vector<std::string> TabletServiceNames(std::string_view ns, std::string_view cluster);

pki::KeySpec ToKeySpec(const vitess::PrivateKeySpec& spec);

enum class LeafAction {
  kKeep,          // Nothing to do.
  kUpdateBundle,  // Same certificate and key, new ca.crt or crl.pem.
  kIssue,         // New key and certificate.
};

struct LeafDecision {
  LeafAction action = LeafAction::kKeep;
  // PascalCase reason for events and logs: DoesNotExist, InvalidData, Revoked, IssuerChanged,
  // SpecChanged, Renewing, BundleChanged, CrlChanged.
  std::string reason;
};

struct LeafObservation {
  std::optional<SecretData> data;  // nullopt when the Secret does not exist.
  std::string name;                // "<namespace>/<secret>", the renewal jitter seed.
};

// Decides what to do with one leaf Secret. `renew_before` comes from the policy. A leaf whose
// serial is in `revoked_serials` (normalized, sorted) is issued again with a new key.
LeafDecision DecideLeaf(const LeafObservation& observed, const pki::LeafRequest& request,
                        const pki::CertifiedKey& signer, const std::string& bundle_pem,
                        Seconds renew_before, SystemTime now,
                        const std::vector<std::string>& revoked_serials = {});

// The renewal time of the leaf in `data`, or nullopt when it cannot be read.
std::optional<SystemTime> LeafRenewalTime(const SecretData& data, Seconds renew_before,
                                          std::string_view name);

}  // namespace vtguard::op
