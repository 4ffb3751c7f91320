// Building blocks of the end-to-end flow shared by e2e_test and the demo program: the policy
// and manifests it applies, what it reads back (injected flags, Secrets, certificates) and a
// fleet of rendered Pods that restart the way vitess-operator restarts them.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/kube/client.h"
#include "tests/e2e/mounts.h"

namespace vtguard::e2e {

inline constexpr char kExampleNamespace[] = "example";
inline constexpr char kPolicyName[] = "vtguard";

// Returns a VitessTLSPolicy named "vtguard" in namespace "example" that selects every
// VitessCluster there, with `enforcement` (Enforce, Warn or Audit) and vitessVersion "24" for
// image tags that carry no version.
nlohmann::json FlowPolicy(const std::string& enforcement);

// A copy of `original` (a VitessCluster) named `name` in namespace "example", with `flags` added
// to the extraFlags of its first keyspace's first tablet pool.
nlohmann::json ClusterWithTabletFlags(const nlohmann::json& original, const std::string& name,
                                      const nlohmann::json& flags);

// An admission.k8s.io/v1 AdmissionReview asking to CREATE the VitessCluster `object`.
nlohmann::json CreateReview(const nlohmann::json& object, const std::string& uid);

// Loads a vitess-operator example manifest from <shared>/data/vitess-operator/<file> and
// returns its documents, each with metadata.namespace defaulted to "example".
Result<std::vector<nlohmann::json>> LoadExampleManifest(const std::filesystem::path& shared,
                                                        const std::string& file);

// The flags vtguard added to one component of a VitessCluster: the keys of `mutated`'s
// extraFlags map at `pointer` that `original` does not have.
struct InjectedFlags {
  std::string component;  // "vttablet", "vtgate", "vtctld" or "vtorc".
  std::string pointer;    // JSON pointer of the extraFlags map.
  std::map<std::string, std::string> flags;
};

// Lists the extraFlags maps of every component of `mutated` with the flags not in `original`.
// vtorc maps exist only in keyspaces that set vitessOrchestrator.
std::vector<InjectedFlags> FindInjectedFlags(const nlohmann::json& original,
                                             const nlohmann::json& mutated);

// The documented flag names of `program` in Vitess `major` (e.g. 24), one per line in
// <shared>/data/vitess-flags/v<major>/<program>.txt.
Result<std::set<std::string>> LoadDocumentedFlags(const std::filesystem::path& shared, int major,
                                                  const std::string& program);

// Lists the Secrets vtguard created for `cluster` (label vtguard.io/cluster).
Result<std::vector<nlohmann::json>> ListClusterSecrets(kube::Client& client, const std::string& ns,
                                                       const std::string& cluster);

// What a leaf Secret holds, read with the certificate core.
struct CertificateSummary {
  std::string secret;
  std::string subject;
  std::string issuer;
  std::vector<std::string> dns_names;
  std::string not_after;  // RFC 3339.
  std::string serial;
  std::string chain_error;   // Empty when tls.crt verifies against ca.crt.
  bool key_matches = false;  // tls.key is the private key of tls.crt.
};

// Summarizes a kubernetes.io/tls Secret; kInvalidArgument when tls.crt has no certificate.
// `verify_time` is when the chain is checked (seconds since the epoch).
Result<CertificateSummary> SummarizeTlsSecret(const nlohmann::json& secret,
                                              std::time_t verify_time);

// The rendered Pods of a set of VitessClusters and the files each process read at its start.
//
// vitess-operator recreates a Pod only when its rendered specification changes (args, env,
// volumes); with vtguard that is when VTGUARD_TLS_REVISION in extraEnv changes. A process reads
// its certificate files once at start (Vitess through v24 has no reload), so a Pod whose
// specification is unchanged keeps the files it started with even after the Secret changed.
class PodFleet {
 public:
  explicit PodFleet(std::filesystem::path root) : root_(std::move(root)) {}

  // Renders the Pods of `clusters`; Pods that are new or whose specification changed are
  // (re)started with the current `secrets`, the others keep their files. Pods that no longer
  // exist are dropped.
  Status Roll(const std::vector<nlohmann::json>& clusters,
              const std::vector<nlohmann::json>& secrets);

  // Every Pod's current view, in rendering order.
  std::vector<MaterializedPod> Views() const;

  // The views of the Pods of one VitessCluster (label planetscale.com/cluster).
  std::vector<MaterializedPod> ClusterViews(const std::string& cluster) const;

  // The view of the first Pod with `component` whose labels match every entry of `labels`.
  Result<MaterializedPod> Find(const std::string& component,
                               const std::map<std::string, std::string>& labels) const;

  // Writes the Pods to the API as vitess-operator and the kubelet would: each Pod restarted by
  // the last Roll is deleted and created again, then marked Running and Ready with a start
  // time; Pods gone from the rendering are deleted. The operator reads these Pods to confirm a
  // rollout of a TLS revision.
  Status Publish(kube::Client& client);

  // Names of the Pods (re)started by the last Roll.
  const std::vector<std::string>& restarted() const { return restarted_; }

 private:
  struct Entry {
    nlohmann::json pod;
    MaterializedPod view;
  };
  std::filesystem::path root_;
  int generation_ = 0;
  std::vector<std::string> order_;
  std::map<std::string, Entry> pods_;
  std::vector<std::string> restarted_;
  std::vector<std::string> removed_;  // Pods gone from the last Roll, as JSON text.
};

}  // namespace vtguard::e2e
