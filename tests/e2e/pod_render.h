// A stand-in for vitess-operator: renders the Pods it would create for a VitessCluster.
//
// The end-to-end tests have no vitess-operator and no kubelet, so this code plays their part
// closely enough to prove that what vtguard injects into a VitessCluster reaches each Vitess
// process as the right flags, environment and Secret mounts. It follows
// planetscale/vitess-operator v2.17.0 (pkg/operator/vttablet, vtgate, vtctld, vtorc and the
// VitessShard/VitessCell/VitessCluster controllers that merge spec.extraVitessFlags into every
// component's extraFlags before the component's own extraFlags):
//   - args are the operator's base flags, then extraVitessFlags, then extraFlags, each key with
//     its leading dashes stripped, sorted by key and written as "--key=value";
//   - extraEnv, extraVolumes and extraVolumeMounts replace entries of the same name or are
//     appended;
//   - vttablet: one Pod per tablet (partitions x pools x replicas), tablet UID = first 32 bits
//     of MD5("<cell> <keyspace> <shard> <type> <index>\n"), as vitess-operator computes it;
//   - vtgate: one per cell. vtctld: one per cell of vitessDashboard.cells, or per cell of the
//     cluster when that list is empty. vtorc: one per shard and cell with a replica pool, only
//     in keyspaces that set vitessOrchestrator.
// The base flags are spelled as v2.17.0 spells them for every Vitess version (mostly with
// underscores, which v23 and v24 accept).
//
// NOTE: Pod names omit the hash suffix vitess-operator appends, the global lock server address
// omits the hash in the etcd Service name, and only the vttablet container of a tablet Pod is
// rendered (no mysqld, no init containers). Replica counts above one for vtgate and vtctld
// render one Pod, since replicas are identical.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace vtguard::e2e {

// Container names in rendered Pods, as vitess-operator names them.
inline constexpr char kVttabletContainer[] = "vttablet";
inline constexpr char kVtgateContainer[] = "vtgate";
inline constexpr char kVtctldContainer[] = "vtctld";
inline constexpr char kVtorcContainer[] = "vtorc";

// Renders one vttablet Pod (Pod JSON with metadata.labels, spec.volumes and a "vttablet"
// container with args, env and volumeMounts) per tablet of every keyspace, for equal
// partitionings (parts x pools x replicas) and custom ones (shards x pools x replicas).
Result<std::vector<nlohmann::json>> RenderTabletPods(const nlohmann::json& vitess_cluster);

// Renders one vtgate Pod per cell.
Result<std::vector<nlohmann::json>> RenderVtgatePods(const nlohmann::json& vitess_cluster);

// Renders one vtctld Pod per dashboard cell.
Result<std::vector<nlohmann::json>> RenderVtctldPods(const nlohmann::json& vitess_cluster);

// Renders one vtorc Pod per shard and cell in keyspaces with vitessOrchestrator.
Result<std::vector<nlohmann::json>> RenderVtorcPods(const nlohmann::json& vitess_cluster);

// Renders every Pod above, tablets first.
Result<std::vector<nlohmann::json>> RenderClusterPods(const nlohmann::json& vitess_cluster);

// The component label (planetscale.com/component) of a rendered Pod, e.g. "vttablet".
std::string PodComponent(const nlohmann::json& pod);

// The name of a rendered Pod.
std::string PodName(const nlohmann::json& pod);

// Returns the shard names of an equal partitioning into `parts` parts ("-" for one part,
// "-80", "80-" for two), as Vitess key.GenerateShardRanges computes them with 2 hex digits up
// to 256 parts and 4 above.
std::vector<std::string> EqualShardRanges(int parts);

// Returns the tablet UID vitess-operator v2.17.0 assigns to a tablet.
std::uint32_t TabletUid(const std::string& cell, const std::string& keyspace,
                        const std::string& shard, const std::string& pool_type, int index);

}  // namespace vtguard::e2e
