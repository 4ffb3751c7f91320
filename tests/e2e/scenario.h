// The end-to-end scenario of vtguard on the built-in test API server, step by step. e2e_test
// asserts on what each step returns and vtguard-e2e-demo prints it.
//
//   1. Apply a VitessTLSPolicy and vitess-operator's example manifests: 101_initial_cluster
//      (cluster "example", keyspace commerce), then 201_customer_tablets (the same cluster
//      with keyspace customer, the MoveTables target; its image tags carry no version, so the
//      policy sets vitessVersion 24), and 101_initial_cluster_vtorc_vtadmin renamed
//      "example-vtadmin" so that it does not replace "example".
//   2. Read back what admission injected and the Secrets the operator issued.
//   3. Render the Pods, mount the Secrets and run real TLS handshakes between a commerce
//      tablet (source) and a customer tablet (target).
//   4. Try manifests that Enforce must deny, and the same under Warn.
//   5. Move the operator's clock past leaf renewal, then request a CA rotation, rolling the
//      Pods after every change and checking trust and handshakes at each intermediate state.
#pragma once

#include <chrono>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "tests/e2e/environment.h"
#include "tests/e2e/flow.h"
#include "tests/e2e/tls_handshake.h"
#include "tests/e2e/trust_invariant.h"

namespace vtguard::e2e {

// The clusters of step 1 and the manifest each stored object is compared with.
inline constexpr char kExampleCluster[] = "example";
inline constexpr char kVtadminCluster[] = "example-vtadmin";

// The outcome of applying one manifest through kubectl.
struct AdmissionAttempt {
  std::string description;
  bool admitted = false;
  std::string output;  // kubectl's stdout and stderr: the denial or the warnings.
};

// Handshakes between two tablets and the trust invariant over every rendered Pod.
struct HandshakeReport {
  std::string source_pod;
  std::string target_pod;
  HandshakeResult tls;        // target's tablet client -> source's gRPC port.
  HandshakeResult plaintext;  // plaintext client -> source's gRPC port.
  HandshakeResult other_ca;   // client trusting an unrelated CA -> source.
  std::vector<BrokenTrust> broken;
  int pods = 0;
};

// One observed state during renewal and rotation.
struct RotationStep {
  std::string trigger;         // What moved the operator: "clock +1500h", "rotate-ca", ...
  std::string rotation_phase;  // CA Secret annotation vtguard.io/rotation-phase.
  std::string revision;        // VTGUARD_TLS_REVISION of cluster "example".
  std::string ca_serial;       // Serial of the CA certificate that signs leaves.
  std::string tablet_issuer;   // Issuer of the vttablet leaf.
  std::vector<std::string> restarted;
  HandshakeReport handshake;
};

class Scenario {
 public:
  static Result<std::unique_ptr<Scenario>> Start(const EnvironmentPaths& paths);

  Environment& env() { return *env_; }

  // Step 1. Applies the policy (Enforce) and the three manifests, and waits until the operator
  // has issued the leaf Secrets of both clusters.
  Status ApplyPolicyAndManifests();

  // The manifest each stored cluster came from (after the renaming of step 1).
  const nlohmann::json& OriginalCluster(const std::string& name) const;

  // The stored VitessCluster.
  Result<nlohmann::json> GetCluster(const std::string& name);

  // Waits until status.clusters[] of the policy lists `cluster` in `phase`; returns the entry.
  Result<nlohmann::json> WaitForClusterPhase(const std::string& cluster, const std::string& phase,
                                             std::chrono::seconds timeout);

  // Step 3. Rolls the Pod fleet to the current objects and runs the handshakes. `verify_time`
  // is the time both sides check certificates at.
  Result<HandshakeReport> ProveHandshake(std::time_t verify_time);

  // Step 4. Applies `object` with kubectl and reports whether it was admitted.
  Result<AdmissionAttempt> TryApply(const std::string& description, const nlohmann::json& object);

  // Sets the policy's enforcement (Enforce, Warn, Audit). vtguard-webhook sees the change
  // through its watch shortly after, so callers retry admission for a few seconds.
  Status SetEnforcement(const std::string& enforcement);

  // Step 5. Moves the clock past leaf renewal, then rotates the CA of cluster "example".
  // Returns every state observed; an error when the operator stops moving for `step_timeout`.
  Result<std::vector<RotationStep>> RenewAndRotate(std::chrono::seconds step_timeout);

  PodFleet& fleet() { return fleet_; }

 private:
  Scenario(std::unique_ptr<Environment> env, std::filesystem::path fleet_root)
      : env_(std::move(env)), fleet_(std::move(fleet_root)) {}

  Result<std::vector<nlohmann::json>> CurrentClusters();
  Result<HandshakeReport> ProveHandshakeWith(const std::vector<nlohmann::json>& clusters,
                                             std::time_t verify_time);
  Result<std::vector<nlohmann::json>> CurrentSecrets();
  Result<RotationStep> ObserveStep(const std::string& trigger);
  Result<std::string> CaRotationPhase();
  Status WaitForWebhookPolicy(const std::vector<nlohmann::json>& manifest);

  std::unique_ptr<Environment> env_;
  PodFleet fleet_;
  std::map<std::string, nlohmann::json> originals_;
  std::filesystem::path other_ca_;
};

// The revision in the first extraEnv that sets VTGUARD_TLS_REVISION in `cluster`'s tablet
// pools, or "" when none does.
std::string ClusterRevision(const nlohmann::json& cluster);

}  // namespace vtguard::e2e
