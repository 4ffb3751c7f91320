// Reconciles one VitessCluster that a VitessTLSPolicy selects: its CA, its leaf Secrets (vtorc's
// only where a keyspace runs vtorc), the trust bundle in each, the TLS configuration and revision
// in the VitessCluster, the CA rotation and plaintext migration phases, and the audit of its TLS
// flags.
//
// Each call reads the current objects, decides with pure functions (DecideLeaf,
// NextRotationPhase, vitess::MutateVitessCluster) and writes only what differs, so it is
// level-triggered and idempotent: calling it again with nothing changed writes nothing.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "common/base/time.h"
#include "common/vitess/policy.h"
#include "operator/ca_material.h"
#include "operator/cluster_status.h"
#include "operator/events.h"
#include "operator/leaf_plan.h"
#include "operator/metrics.h"
#include "operator/object_store.h"

namespace vtguard::op {

struct ClusterOutcome {
  ClusterStatus status;
  // When to look again (renewal, a rollout in progress); nullopt when only a change of an
  // object should trigger the next reconcile.
  std::optional<Seconds> requeue_after;
  // A failure the caller retries with backoff.
  Status error;
  bool deleted = false;  // The VitessCluster no longer exists.
};

class ClusterReconciler {
 public:
  // `metrics` may be null.
  ClusterReconciler(ObjectStore& store, EventRecorder& events, OperatorMetrics* metrics,
                    const Clock& clock);

  ClusterOutcome Reconcile(const vitess::TlsPolicy& policy, std::string_view ns,
                           std::string_view name);

  // How often a cluster whose pods are still rolling out is looked at again. Pod changes also
  // trigger a reconcile; this bounds the wait when a watch event is missed.
  static constexpr Seconds kRolloutPollInterval{15};

 private:
  struct Pass;  // The state of one Reconcile call.

  Status EnsureCa(Pass& pass);
  Status EnsureSelfSignedCa(Pass& pass, std::string_view ca_ns, std::string_view ca_name);
  Status ReadUserCa(Pass& pass);
  Status EnsureLeaves(Pass& pass);
  Status WriteLeaf(Pass& pass, vitess::Component component, const LeafDecision& decision);
  // Decides and signs the crl.pem of every leaf; marks leaves whose copy differs for a write.
  Status PlanCrl(Pass& pass, std::map<vitess::Component, LeafDecision>& decisions);
  Status EnsureClusterConfiguration(Pass& pass);
  Status AdvanceRotation(Pass& pass);
  // The rotation of a policy-wide CA: each phase waits for every cluster of the policy.
  Status AdvancePolicyRotation(Pass& pass);
  // Sets `converged` and `rolled_out` over every cluster that shares the policy-wide CA.
  Status MeasurePolicyClusters(Pass& pass, bool* converged, bool* rolled_out);
  // Writes the CA Secret for the move to `next`; `token` is recorded when a rotation starts.
  Status MoveRotation(Pass& pass, RotationPhase next, const std::string& token);
  void Audit(Pass& pass);
  void RecordChanges(Pass& pass);
  void FillStatus(Pass& pass);
  Status WriteCaSecret(Pass& pass, const CaMaterial& ca, std::string_view token);

  ObjectStore& store_;
  EventRecorder& events_;
  OperatorMetrics* metrics_;
  const Clock& clock_;
};

// The highest VTGUARD_TLS_REVISION value anywhere in a VitessCluster, 0 when there is none.
std::int64_t ClusterRevision(const Json& cluster);

}  // namespace vtguard::op
