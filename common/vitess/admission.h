// Admission decisions for Vitess objects: the pure core that the webhook, the operator and the
// CLI share. Nothing here does I/O.
//
//   Result<TlsPolicy> policy = ParsePolicy(policy_json);
//   AdmissionDecision decision = Decide(&*policy, {.kind = ObjectKind::kVitessCluster,
//                                                  .operation = "CREATE",
//                                                  .stage = AdmissionStage::kMutate},
//                                       cluster_json);
//   // decision.patch is an RFC 6902 JSON Patch as JSON text, empty when nothing changes.
//
// Flags injected per component (spelled for each component's Vitess version):
//   vttablet  server grpc-cert, grpc-key (+ grpc-ca with clientAuth Required, + grpc-crl with
//             Required and CRLs, + grpc-enable-optional-tls during an OptionalTLS migration);
//             clients tablet-grpc-ca/-server-name and tablet-manager-grpc-ca/-server-name
//   vtgate    tablet-grpc-ca, tablet-grpc-server-name
//   vtctld    tablet-grpc-* and tablet-manager-grpc-* (ca, server-name)
//   vtorc     tablet-manager-grpc-ca, tablet-manager-grpc-server-name
//   clientAuth Required adds each client's -cert and -key; crl.enabled adds each client's -crl.
// Each component also gets the Secret volume `vtguard-tls` mounted read-only at
// /vt/vtguard/tls and VTGUARD_TLS_REVISION in extraEnv.
// A cluster whose tablets serve the user's own certificate (grpc-cert outside /vt/vtguard/tls)
// gets none of the above for tablet connections: see tablet_trust.h.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "common/vitess/flags.h"
#include "common/vitess/json_patch.h"
#include "common/vitess/policy.h"
#include "common/vitess/version.h"

namespace vtguard::vitess {

// Names shared with the operator and the webhook.
inline constexpr std::string_view kTlsVolumeName = "vtguard-tls";
inline constexpr std::string_view kTlsMountPath = "/vt/vtguard/tls";
inline constexpr std::string_view kRevisionEnvName = "VTGUARD_TLS_REVISION";
inline constexpr std::string_view kInjectedAnnotation = "vtguard.io/injected";
inline constexpr std::string_view kInjectLabel = "vtguard.io/inject";
// Written by the operator on a VitessCluster during an OptionalTLS migration:
// "servers" (rollout 1), "clients" (rollout 2) or "complete".
inline constexpr std::string_view kMigrationStepAnnotation = "vtguard.io/migration-step";

// The leaf Secret of a component: "<cluster>-vtguard-<component>".
std::string LeafSecretName(std::string_view cluster, Component component);

// The migration of a live plaintext cluster to TLS (three rollouts).
enum class MigrationStep {
  kServersOptional,  // Tablets serve TLS and plaintext; no client uses TLS yet.
  kClientsOptional,  // Every client dials with TLS; tablets still accept plaintext.
  kComplete,         // TLS only. New clusters start here.
};
std::string_view ToString(MigrationStep step);
std::optional<MigrationStep> ParseMigrationStep(std::string_view text);

struct MutationOptions {
  // VTGUARD_TLS_REVISION to write. The operator passes its revision. Without one, the value in
  // the object is kept, else the one in old_object, so a re-apply that dropped it never
  // restarts pods. The last fallback is "1".
  std::optional<std::string> revision = std::nullopt;
  // Overrides the step read from the kMigrationStepAnnotation; ignored under migration Direct.
  std::optional<MigrationStep> migration_step = std::nullopt;
  // Overrides metadata.name as the cluster part of the leaf Secret names.
  std::optional<std::string> cluster_name = std::nullopt;
};

// kInfo marks a note on how an object was read, not a problem; only DescribeAssumedVersions
// returns it.
enum class Severity { kError, kWarning, kInfo };

// One problem found in an object.
struct Violation {
  std::string path;     // JSON Pointer into the object, e.g. "/spec/cells/0/gateway/extraFlags".
  std::string message;  // The problem, naming the flag and version.
  std::string fix;      // The change that resolves it.
  Severity severity = Severity::kError;

  friend bool operator==(const Violation&, const Violation&) = default;
};

struct MutationResult {
  JsonPatch patch;                    // RFC 6902 operations; empty = no change.
  std::vector<std::string> warnings;  // Each at most kMaxWarningLength bytes.
  // The same warnings in full, with their paths, for reports without a length limit.
  std::vector<Violation> notes;
  // Not OK when part of the object could not be mutated, for example an image without a
  // version and no spec.vitessVersion. The patch still covers every other component.
  Status status;

  bool changed() const { return !patch.empty(); }
};

// Adds the TLS configuration that `policy` requires to a VitessCluster (planetscale.com/v2).
// `old_object` is the stored object on UPDATE, nullptr on CREATE.
MutationResult MutateVitessCluster(const TlsPolicy& policy, const nlohmann::json& object,
                                   const nlohmann::json* old_object,
                                   const MutationOptions& options = {});
// The same for an object the caller gives up: it becomes the patch builder's working copy, so
// the object is not copied.
MutationResult MutateVitessCluster(const TlsPolicy& policy, nlohmann::json&& object,
                                   const nlohmann::json* old_object,
                                   const MutationOptions& options = {});

// The components with a site in `cluster` that carries VTGUARD_TLS_REVISION in extraEnv, in
// site order without repeats. Only their pods restart when the revision changes: a site that
// reads none of vtguard's files (tablets serving the user's certificate) gets no revision.
std::vector<Component> ComponentsWithRevision(const nlohmann::json& cluster);

// Adds the TLS volume and mounts to a Pod on CREATE. Pods that vitess-operator manages
// (planetscale.com owner or `planetscale.com/component` label) get only volumes and mounts
// because vitess-operator rewrites their args and env; pods labelled vtguard.io/inject=true
// and managed by no operator also get flags. On UPDATE nothing under /spec is patched.
MutationResult MutatePod(const TlsPolicy& policy, const nlohmann::json& pod,
                         std::string_view operation, const MutationOptions& options = {});

// The arguments that let vitess-operator dial TLS tablets: --tablet-manager-grpc-ca=<ca_file>
// and --tablet-manager-grpc-server-name=<policy serverName>. vitess-operator v2.17.0 registers
// exactly these two TLS client flags, dashed and underscored; it cannot present a client
// certificate.
std::vector<std::string> VitessOperatorTlsArgs(const TlsPolicy& policy, std::string_view ca_file);

// Every problem of a VitessCluster under `policy`, in object order.
std::vector<Violation> ValidateVitessCluster(const TlsPolicy& policy, const nlohmann::json& object);
// Every problem of a Pod under `policy`. Only pods that vtguard configures with flags
// (vtguard.io/inject=true, no operator) must carry TLS flags; every pod is checked for flags
// that make Vitess exit.
std::vector<Violation> ValidatePod(const TlsPolicy& policy, const nlohmann::json& pod);

inline constexpr std::size_t kMaxWarningLength = 120;
// "message (at path)" in at most kMaxWarningLength bytes, with the path shortened (no "/spec",
// no "/equal/shardTemplate", at most 44 bytes) and the message cut at a UTF-8 boundary with
// "..." when it does not fit.
std::string FormatWarning(const Violation& violation);
// "path: message (fix)" without a length limit, for logs, status and the CLI.
std::string FormatViolation(const Violation& violation);

enum class ObjectKind { kVitessCluster, kPod };
// "VitessCluster" or "Pod" (the AdmissionReview kind.kind), else nullopt.
std::optional<ObjectKind> ParseObjectKind(std::string_view kind);

// One kInfo note per image field without a version whose Vitess version is taken from the
// policy's spec.vitessVersion, for reports such as `vtguard check`: "/spec/images/vttablet: no
// image is set; assumed Vitess v24.0.0 from the VitessTLSPolicy's spec.vitessVersion".
// Pods get notes only when vtguard configures them (see ValidatePod).
std::vector<Violation> DescribeAssumedVersions(const TlsPolicy& policy, ObjectKind kind,
                                               const nlohmann::json& object);

enum class AdmissionStage { kMutate, kValidate };

struct AdmissionRequestInfo {
  ObjectKind kind = ObjectKind::kVitessCluster;
  std::string_view operation = "CREATE";  // CREATE, UPDATE, DELETE, CONNECT.
  AdmissionStage stage = AdmissionStage::kValidate;
  bool dry_run = false;
};

// The response to one admission request.
struct AdmissionDecision {
  bool allowed = true;
  int code = 200;       // HTTP-style status for denials (403), as AdmissionResponse.status.
  std::string message;  // Denial message listing every error; empty when allowed.
  JsonPatch patch;      // Mutate stage only.
  std::vector<std::string> warnings;  // Each at most kMaxWarningLength bytes.
  std::vector<Violation> violations;  // Every problem found, whatever the enforcement.
  // True when the violations should be recorded (Audit or Warn, and not a dry run).
  bool record = false;
};

// Combines mutation, validation and the policy's enforcement for one admission request.
// - policy == nullptr (no policy selects the object) or DELETE/CONNECT: allowed, no patch.
// - kMutate: returns the mutation patch and its warnings; always allowed, because denials
//   belong to the validating webhook (failurePolicy Fail).
// - kValidate: validates the object. Enforce denies when an error-level violation exists and
//   lists them all in `message`; Warn allows with one warning per violation; Audit allows and
//   only fills `violations`. Warning-level violations never deny.
AdmissionDecision Decide(const TlsPolicy* policy, const AdmissionRequestInfo& request,
                         const nlohmann::json& object, const nlohmann::json* old_object,
                         const MutationOptions& options = {});
// The same for an object the caller gives up, which a VitessCluster mutation uses without
// copying it. `old_object` must not point into `object`.
AdmissionDecision Decide(const TlsPolicy* policy, const AdmissionRequestInfo& request,
                         nlohmann::json&& object, const nlohmann::json* old_object,
                         const MutationOptions& options = {});

}  // namespace vtguard::vitess
