// Test fixtures for the operator: real VitessCluster manifests in a MemoryStore, a policy, and
// a simulated vitess-operator that restarts pods when a cluster's TLS revision changes and
// copies the Secrets' files into each pod's "mounted" snapshot at start.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/base/time.h"
#include "common/pki/pki.h"
#include "operator/memory_store.h"
#include "operator/secret_data.h"

namespace vtguard::op::testing {

inline constexpr char kNamespace[] = "example";

// Reads every document of a YAML file under the shared vitess-operator data folder.
std::vector<Json> LoadManifest(const std::string& file_name);
// The first VitessCluster of that file, renamed to `name` when non-empty.
Json LoadCluster(const std::string& file_name, const std::string& name = "");

// A VitessTLSPolicy object in kNamespace with `spec` merged over an empty spec.
Json MakePolicy(const std::string& name, const Json& spec = Json::object());

// One simulated Vitess pod: its component and the files it read at start.
struct SimulatedPod {
  std::string name;
  std::string component;  // vttablet, vtgate, vtctld, vtorc
  std::string revision;
  SecretData mounted;  // tls.crt, tls.key, ca.crt as read at start
};

// Plays vitess-operator for one cluster: keeps Pod objects in the store (labels, env with
// VTGUARD_TLS_REVISION, Ready) and restarts them one at a time when the VitessCluster's
// revision changes.
class FakeVitessOperator {
 public:
  FakeVitessOperator(MemoryStore& store, std::string ns, std::string cluster, int tablets = 3);

  // Creates the pods at the cluster's current revision. Pods of a cluster that is not
  // configured yet start without TLS files.
  void CreatePods();
  // Restarts one pod whose revision differs from the cluster's; returns false when every pod
  // already runs it.
  bool RestartOnePod();
  // Restarts pods until all run the cluster's revision.
  int RollAll();

  const std::vector<SimulatedPod>& pods() const { return pods_; }
  std::vector<SimulatedPod>& mutable_pods() { return pods_; }
  std::string ClusterRevisionValue() const;

  // Returns a description of every (client, server) pair in which the client's mounted bundle
  // does not trust the server's leaf or the server's bundle does not trust the client's leaf;
  // empty when every pair can connect. `server_name` is the name clients check.
  std::vector<std::string> TrustGaps(const std::string& server_name, const Clock& clock) const;

 private:
  void WritePod(const SimulatedPod& pod);
  SecretData ReadLeaf(const std::string& component) const;

  MemoryStore& store_;
  std::string ns_;
  std::string cluster_;
  std::vector<SimulatedPod> pods_;
};

}  // namespace vtguard::op::testing
