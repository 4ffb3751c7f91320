// The state of one ClusterReconciler::Reconcile call, shared by the files that implement it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/vitess/admission.h"
#include "operator/cluster_reconciler.h"
#include "operator/rollout.h"

namespace vtguard::op {

struct LeafState {
  std::string secret_name;
  std::optional<Json> secret;  // As read, or as written by this pass.
  std::optional<pki::Certificate> certificate;
  SystemTime renewal_time{};
};

struct ClusterReconciler::Pass {
  Pass(const vitess::TlsPolicy& p, std::string_view n, std::string_view c)
      : policy(p), ns(n), name(c) {}

  const vitess::TlsPolicy& policy;
  std::string ns;
  std::string name;
  SystemTime now{};
  Json cluster;
  std::vector<Json> pods;
  // The components that get a leaf (LeafComponentsOf), set by EnsureLeaves.
  std::vector<vitess::Component> leaf_components;

  // The CA: our own Secret when self-signed (ca_secret is set), or the user's.
  std::optional<CaMaterial> ca;
  std::optional<Json> ca_secret;
  bool rotation_enabled = false;
  std::optional<SystemTime> ca_renewal;
  std::string bundle_pem;
  std::string crl_pem;                    // The crl.pem every leaf carries; "" without CRLs.
  std::optional<SystemTime> crl_renewal;  // When crl_pem must be signed again.

  std::map<vitess::Component, LeafState> leaves;
  std::int64_t revision = 0;                // The revision the cluster should run.
  std::optional<SystemTime> revision_time;  // When the newest leaf content was written.
  bool wrote_leaves = false;
  bool patched_cluster = false;
  RolloutProgress rollout;
  std::string migration_step;

  // What this pass changed, as (reason, message); Reconcile records them as one Event.
  std::vector<std::pair<std::string, std::string>> notes;
  void Note(std::string reason, std::string message) {
    notes.emplace_back(std::move(reason), std::move(message));
  }

  std::vector<vitess::Violation> violations;
  std::string failure_reason;
  ClusterOutcome outcome;
};

}  // namespace vtguard::op
