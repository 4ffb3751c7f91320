// Kubernetes resource kinds and the object names, labels and annotations the operator uses.
// The names are part of vtguard's contract with the webhook, the chart and the CLI.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/vitess/flags.h"

namespace vtguard::op {

// Identifies a REST resource: group/version/plural as in the API path, plus the kind.
struct ResourceKind {
  std::string_view group;  // "" for the core group.
  std::string_view version;
  std::string_view plural;
  std::string_view kind;
  bool namespaced = true;
  bool has_status_subresource = false;

  std::string ApiVersion() const {
    return group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
  }
  friend bool operator==(const ResourceKind& a, const ResourceKind& b) {
    return a.group == b.group && a.plural == b.plural;
  }
};

inline constexpr ResourceKind kSecretKind{"", "v1", "secrets", "Secret", true, false};
inline constexpr ResourceKind kPodKind{"", "v1", "pods", "Pod", true, true};
inline constexpr ResourceKind kEventKind{"", "v1", "events", "Event", true, false};
inline constexpr ResourceKind kVitessClusterKind{"planetscale.com", "v2", "vitessclusters",
                                                 "VitessCluster",   true, true};
inline constexpr ResourceKind kPolicyKind{"vtguard.io",      "v1alpha1", "vitesstlspolicies",
                                          "VitessTLSPolicy", true,       true};
inline constexpr ResourceKind kMutatingWebhookKind{
    "admissionregistration.k8s.io", "v1",  "mutatingwebhookconfigurations",
    "MutatingWebhookConfiguration", false, false};
inline constexpr ResourceKind kValidatingWebhookKind{
    "admissionregistration.k8s.io",   "v1",  "validatingwebhookconfigurations",
    "ValidatingWebhookConfiguration", false, false};
inline constexpr ResourceKind kLeaseKind{
    "coordination.k8s.io", "v1", "leases", "Lease", true, false};

// Labels on every Secret vtguard creates.
inline constexpr std::string_view kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr std::string_view kManagedByValue = "vtguard";
inline constexpr std::string_view kClusterLabel = "vtguard.io/cluster";
inline constexpr std::string_view kComponentLabel = "vtguard.io/component";
inline constexpr std::string_view kPolicyLabel = "vtguard.io/policy";

// Labels vitess-operator puts on the pods it creates.
inline constexpr std::string_view kVitessClusterPodLabel = "planetscale.com/cluster";
inline constexpr std::string_view kVitessComponentPodLabel = "planetscale.com/component";

// Annotations vtguard writes on its own Secrets.
//   revision: the VTGUARD_TLS_REVISION at which a leaf Secret's content was last written.
inline constexpr std::string_view kRevisionAnnotation = "vtguard.io/revision";
//   revision-time: when that content was written (confirms a Manual rollout by pod start time).
inline constexpr std::string_view kRevisionTimeAnnotation = "vtguard.io/revision-time";
//   rotation state of a CA Secret, so a restarted operator resumes where it stopped.
inline constexpr std::string_view kRotationPhaseAnnotation = "vtguard.io/rotation-phase";
inline constexpr std::string_view kRotationPhaseTimeAnnotation = "vtguard.io/rotation-phase-time";
inline constexpr std::string_view kRotationTokenAnnotation = "vtguard.io/rotation-token";
// Annotation a user sets on a VitessCluster to request a CA key rotation. Any new value starts
// one rotation; the CA Secret records the value it acted on.
inline constexpr std::string_view kRotateCaAnnotation = "vtguard.io/rotate-ca";

// Environment variable in every Vitess component's extraEnv whose change makes vitess-operator
// restart the pods, so that they read the new files.
inline constexpr std::string_view kRevisionEnv = "VTGUARD_TLS_REVISION";

// Keys of the CA Secret. `tls.crt`/`tls.key` hold the CA that signs leaves. During a rotation
// `next.crt`/`next.key` hold the new CA before it signs, and `previous.crt` the old CA
// certificate that is still trusted until every leaf it signed is gone.
inline constexpr std::string_view kCertKey = "tls.crt";
inline constexpr std::string_view kPrivateKeyKey = "tls.key";
inline constexpr std::string_view kBundleKey = "ca.crt";
inline constexpr std::string_view kCrlKey = "crl.pem";
inline constexpr std::string_view kNextCertKey = "next.crt";
inline constexpr std::string_view kNextPrivateKeyKey = "next.key";
inline constexpr std::string_view kPreviousCertKey = "previous.crt";

// The Vitess components that receive a leaf certificate, in the order they are issued.
inline constexpr std::array<vitess::Component, 4> kLeafComponents = {
    vitess::Component::kVttablet, vitess::Component::kVtgate, vitess::Component::kVtctld,
    vitess::Component::kVtorc};

// The components of `cluster` (a VitessCluster) that get a leaf: kLeafComponents without vtorc
// when no keyspace sets vitessOrchestrator, because vitess-operator then runs no vtorc.
std::vector<vitess::Component> LeafComponentsOf(const nlohmann::json& cluster);

// "<cluster>-vtguard-ca"; also "<policy>-vtguard-ca" for a policy-wide CA.
std::string CaSecretName(std::string_view owner);

inline constexpr std::string_view kOperatorTrustBundleSecret = "vtguard-operator-trust-bundle";
inline constexpr std::string_view kWebhookCaSecret = "vtguard-webhook-ca";

}  // namespace vtguard::op
