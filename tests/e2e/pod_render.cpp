#include "tests/e2e/pod_render.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <map>

namespace vtguard::e2e {
namespace {

using nlohmann::json;

// Flag maps as vitess-operator keeps them: key without leading dashes -> value as text.
using FlagMap = std::map<std::string, std::string>;

constexpr char kLabelPrefix[] = "planetscale.com/";

std::string ValueText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

// Sets every entry of `extra` (a JSON object of flag -> value) on `flags`, stripping leading
// dashes from the keys as vitess-operator does.
void MergeFlags(FlagMap& flags, const json& extra) {
  if (!extra.is_object()) return;
  for (const auto& [key, value] : extra.items()) {
    size_t first = key.find_first_not_of('-');
    if (first == std::string::npos) continue;
    flags[key.substr(first)] = ValueText(value);
  }
}

std::vector<std::string> FormatArgs(const FlagMap& flags) {
  std::vector<std::string> args;
  for (const auto& [key, value] : flags) args.push_back("--" + key + "=" + value);
  return args;
}

// Replaces entries of `list` that have the same "name" as an entry of `extra`, appends the
// rest, as vitess-operator's update.Env/Volumes/VolumeMounts do.
void UpsertByName(json& list, const json& extra) {
  if (!extra.is_array()) return;
  for (const json& item : extra) {
    std::string name = item.value("name", "");
    auto same = std::find_if(list.begin(), list.end(), [&](const json& existing) {
      return existing.value("name", "") == name;
    });
    if (same != list.end()) {
      *same = item;
    } else {
      list.push_back(item);
    }
  }
}

json ArrayOrEmpty(const json& parent, const char* key) {
  if (parent.is_object() && parent.contains(key) && parent[key].is_array()) return parent[key];
  return json::array();
}

json ObjectOrEmpty(const json& parent, const char* key) {
  if (parent.is_object() && parent.contains(key) && parent[key].is_object()) return parent[key];
  return json::object();
}

// The global lock server flags of a cluster that uses the default etcd, in v2.17.0 spelling.
FlagMap TopoFlags(const json& cluster) {
  std::string name = cluster["metadata"].value("name", "");
  std::string ns = cluster["metadata"].value("namespace", "default");
  return {{"topo_implementation", "etcd2"},
          {"topo_global_server_address", name + "-etcd-client." + ns + ".svc:2379"},
          {"topo_global_root", "/vitess/" + name + "/global"}};
}

// Assembles a Pod from the component's merged flags and its extra env, volumes and mounts.
json MakePod(const json& cluster, const std::string& name, const std::string& container,
             json labels, const FlagMap& flags, json env, const json& component_spec) {
  json volumes = json::array();
  json mounts = json::array();
  UpsertByName(env, ArrayOrEmpty(component_spec, "extraEnv"));
  UpsertByName(volumes, ArrayOrEmpty(component_spec, "extraVolumes"));
  UpsertByName(mounts, ArrayOrEmpty(component_spec, "extraVolumeMounts"));

  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
  pod["metadata"] = {{"name", name},
                     {"namespace", cluster["metadata"].value("namespace", "default")},
                     {"labels", std::move(labels)}};
  pod["spec"]["volumes"] = std::move(volumes);
  std::string image = ObjectOrEmpty(cluster["spec"], "images").value(container, "");
  pod["spec"]["containers"] = json::array({{{"name", container},
                                            {"image", image},
                                            {"args", FormatArgs(flags)},
                                            {"env", std::move(env)},
                                            {"volumeMounts", std::move(mounts)}}});
  return pod;
}

json ComponentLabels(const json& cluster, const std::string& component) {
  return {{std::string(kLabelPrefix) + "cluster", cluster["metadata"].value("name", "")},
          {std::string(kLabelPrefix) + "component", component}};
}

// One shard of a keyspace with the tablet pools that serve it.
struct ShardPools {
  std::string shard;  // Vitess key range text, e.g. "-80".
  json pools;
};

std::string SafeShardName(const std::string& shard) {
  size_t dash = shard.find('-');
  std::string start = shard.substr(0, dash);
  std::string end = dash == std::string::npos ? "" : shard.substr(dash + 1);
  return (start.empty() ? "x" : start) + "-" + (end.empty() ? "x" : end);
}

std::vector<ShardPools> KeyspaceShards(const json& keyspace) {
  std::vector<ShardPools> shards;
  for (const json& partitioning : ArrayOrEmpty(keyspace, "partitionings")) {
    if (partitioning.contains("equal")) {
      const json& equal = partitioning["equal"];
      json pools = ArrayOrEmpty(ObjectOrEmpty(equal, "shardTemplate"), "tabletPools");
      for (const std::string& range : EqualShardRanges(equal.value("parts", 1))) {
        shards.push_back({range, pools});
      }
    }
    if (partitioning.contains("custom")) {
      for (const json& shard : ArrayOrEmpty(partitioning["custom"], "shards")) {
        json range = ObjectOrEmpty(shard, "keyRange");
        shards.push_back({range.value("start", "") + "-" + range.value("end", ""),
                          ArrayOrEmpty(shard, "tabletPools")});
      }
    }
  }
  return shards;
}

json TabletPod(const json& cluster, const json& keyspace, const ShardPools& shard, const json& pool,
               int index) {
  std::string keyspace_name = keyspace.value("name", "");
  std::string cell = pool.value("cell", "");
  std::string type = pool.value("type", "replica");
  std::string alias =
      cell + "-" + std::to_string(TabletUid(cell, keyspace_name, shard.shard, type, index));
  FlagMap flags = TopoFlags(cluster);
  flags.insert({{"logtostderr", "true"},
                {"grpc_max_message_size", "67108864"},
                {"service_map", "grpc-queryservice,grpc-tabletmanager,grpc-updatestream"},
                {"port", "15000"},
                {"grpc_port", "15999"},
                {"tablet-path", alias},
                {"tablet_hostname", "$(POD_IP)"},
                {"init_keyspace", keyspace_name},
                {"init_shard", shard.shard},
                {"init_tablet_type", type == "rdonly" ? "rdonly" : "replica"},
                {"health_check_interval", "5s"}});
  json vttablet = ObjectOrEmpty(pool, "vttablet");
  MergeFlags(flags, ObjectOrEmpty(cluster["spec"], "extraVitessFlags"));
  MergeFlags(flags, ObjectOrEmpty(vttablet, "extraFlags"));
  flags.try_emplace("builtinbackup-incremental-restore-path", "/vt/vtdataroot");

  json labels = ComponentLabels(cluster, kVttabletContainer);
  labels[std::string(kLabelPrefix) + "keyspace"] = keyspace_name;
  labels[std::string(kLabelPrefix) + "shard"] = SafeShardName(shard.shard);
  labels[std::string(kLabelPrefix) + "cell"] = cell;
  labels[std::string(kLabelPrefix) + "tablet-type"] = type;
  labels[std::string(kLabelPrefix) + "tablet-index"] = std::to_string(index);
  json env = json::array(
      {{{"name", "POD_IP"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "status.podIP"}}}}}}});
  std::string name = cluster["metadata"].value("name", "") + "-vttablet-" + alias;
  // extraEnv, extraVolumes and extraVolumeMounts of a tablet pool sit on the pool itself.
  return MakePod(cluster, name, kVttabletContainer, std::move(labels), flags, std::move(env), pool);
}

std::vector<std::string> ClusterCells(const json& cluster) {
  std::vector<std::string> cells;
  for (const json& cell : ArrayOrEmpty(cluster["spec"], "cells")) {
    cells.push_back(cell.value("name", ""));
  }
  return cells;
}

// Runs `render` and turns a JSON type error from a malformed VitessCluster into a Status.
template <typename Render>
Result<std::vector<json>> Guarded(const json& cluster, Render render) {
  if (!cluster.is_object() || !cluster.contains("spec") || !cluster.contains("metadata")) {
    return InvalidArgument("VitessCluster has no metadata or spec; pass the whole object");
  }
  try {
    std::vector<json> pods;
    render(pods);
    return pods;
  } catch (const json::exception& e) {
    return InvalidArgument(std::string("VitessCluster has a field of the wrong type: ") + e.what());
  }
}

}  // namespace

std::vector<std::string> EqualShardRanges(int parts) {
  if (parts <= 1) return {"-"};
  int max_shards = parts <= 256 ? 256 : 65536;
  auto hex = [&](int value) {
    char text[8];
    if (parts <= 256) {
      std::snprintf(text, sizeof(text), "%02x", value);
    } else {
      std::snprintf(text, sizeof(text), "%04x", value);
    }
    return std::string(text);
  };
  std::vector<std::string> ranges;
  double size = static_cast<double>(max_shards) / parts;
  int start = 0;
  for (int i = 1; i <= parts; ++i) {
    // Truncation, as Vitess does, spreads the rounding loss over the shards.
    int end = static_cast<int>(i * size);
    ranges.push_back((start == 0 ? "" : hex(start)) + "-" + (end == max_shards ? "" : hex(end)));
    start = end;
  }
  return ranges;
}

std::uint32_t TabletUid(const std::string& cell, const std::string& keyspace,
                        const std::string& shard, const std::string& pool_type, int index) {
  // Go's fmt.Fprintln separates operands with spaces and ends with a newline.
  std::string input =
      cell + " " + keyspace + " " + shard + " " + pool_type + " " + std::to_string(index) + "\n";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(input.data(), input.size(), digest, &length, EVP_md5(), nullptr);
  return (std::uint32_t{digest[0]} << 24) | (std::uint32_t{digest[1]} << 16) |
         (std::uint32_t{digest[2]} << 8) | std::uint32_t{digest[3]};
}

Result<std::vector<json>> RenderTabletPods(const json& vitess_cluster) {
  return Guarded(vitess_cluster, [&](std::vector<json>& pods) {
    for (const json& keyspace : ArrayOrEmpty(vitess_cluster["spec"], "keyspaces")) {
      for (const ShardPools& shard : KeyspaceShards(keyspace)) {
        for (const json& pool : shard.pools) {
          for (int index = 1; index <= pool.value("replicas", 0); ++index) {
            pods.push_back(TabletPod(vitess_cluster, keyspace, shard, pool, index));
          }
        }
      }
    }
  });
}

Result<std::vector<json>> RenderVtgatePods(const json& vitess_cluster) {
  return Guarded(vitess_cluster, [&](std::vector<json>& pods) {
    std::vector<std::string> all_cells = ClusterCells(vitess_cluster);
    std::string cells_to_watch;
    for (const std::string& cell : all_cells) {
      cells_to_watch += (cells_to_watch.empty() ? "" : ",") + cell;
    }
    for (const json& cell : ArrayOrEmpty(vitess_cluster["spec"], "cells")) {
      std::string cell_name = cell.value("name", "");
      json gateway = ObjectOrEmpty(cell, "gateway");
      FlagMap flags = TopoFlags(vitess_cluster);
      flags.insert({{"cell", cell_name},
                    {"cells_to_watch", cells_to_watch},
                    {"logtostderr", "true"},
                    {"grpc_max_message_size", "67108864"},
                    {"mysql_server_port", "3306"},
                    {"service_map", "grpc-vtgateservice"},
                    {"port", "15000"},
                    {"grpc_port", "15999"}});
      MergeFlags(flags, ObjectOrEmpty(vitess_cluster["spec"], "extraVitessFlags"));
      MergeFlags(flags, ObjectOrEmpty(gateway, "extraFlags"));
      json labels = ComponentLabels(vitess_cluster, kVtgateContainer);
      labels[std::string(kLabelPrefix) + "cell"] = cell_name;
      std::string name = vitess_cluster["metadata"].value("name", "") + "-" + cell_name + "-vtgate";
      pods.push_back(MakePod(vitess_cluster, name, kVtgateContainer, std::move(labels), flags,
                             json::array(), gateway));
    }
  });
}

Result<std::vector<json>> RenderVtctldPods(const json& vitess_cluster) {
  return Guarded(vitess_cluster, [&](std::vector<json>& pods) {
    json dashboard = ObjectOrEmpty(vitess_cluster["spec"], "vitessDashboard");
    std::vector<std::string> cells;
    for (const json& cell : ArrayOrEmpty(dashboard, "cells"))
      cells.push_back(cell.get<std::string>());
    if (cells.empty()) cells = ClusterCells(vitess_cluster);
    for (const std::string& cell : cells) {
      FlagMap flags = TopoFlags(vitess_cluster);
      flags.insert({{"cell", cell},
                    {"port", "15000"},
                    {"grpc_port", "15999"},
                    {"service_map", "grpc-vtctl,grpc-vtctld"},
                    {"logtostderr", "true"}});
      MergeFlags(flags, ObjectOrEmpty(vitess_cluster["spec"], "extraVitessFlags"));
      MergeFlags(flags, ObjectOrEmpty(dashboard, "extraFlags"));
      json labels = ComponentLabels(vitess_cluster, kVtctldContainer);
      labels[std::string(kLabelPrefix) + "cell"] = cell;
      std::string name = vitess_cluster["metadata"].value("name", "") + "-" + cell + "-vtctld";
      pods.push_back(MakePod(vitess_cluster, name, kVtctldContainer, std::move(labels), flags,
                             json::array(), dashboard));
    }
  });
}

Result<std::vector<json>> RenderVtorcPods(const json& vitess_cluster) {
  return Guarded(vitess_cluster, [&](std::vector<json>& pods) {
    for (const json& keyspace : ArrayOrEmpty(vitess_cluster["spec"], "keyspaces")) {
      if (!keyspace.contains("vitessOrchestrator")) continue;
      json vtorc = ObjectOrEmpty(keyspace, "vitessOrchestrator");
      std::string keyspace_name = keyspace.value("name", "");
      for (const ShardPools& shard : KeyspaceShards(keyspace)) {
        std::vector<std::string> cells_done;
        for (const json& pool : shard.pools) {
          std::string cell = pool.value("cell", "");
          bool seen = std::find(cells_done.begin(), cells_done.end(), cell) != cells_done.end();
          if (pool.value("type", "") != "replica" || seen) continue;
          cells_done.push_back(cell);

          FlagMap flags = TopoFlags(vitess_cluster);
          flags.insert({{"port", "15000"},
                        {"clusters_to_watch", keyspace_name + "/" + shard.shard},
                        {"logtostderr", "true"}});
          MergeFlags(flags, ObjectOrEmpty(vitess_cluster["spec"], "extraVitessFlags"));
          MergeFlags(flags, ObjectOrEmpty(vtorc, "extraFlags"));
          json labels = ComponentLabels(vitess_cluster, kVtorcContainer);
          labels[std::string(kLabelPrefix) + "keyspace"] = keyspace_name;
          labels[std::string(kLabelPrefix) + "shard"] = SafeShardName(shard.shard);
          labels[std::string(kLabelPrefix) + "cell"] = cell;
          std::string name = vitess_cluster["metadata"].value("name", "") + "-" + keyspace_name +
                             "-" + SafeShardName(shard.shard) + "-" + cell + "-vtorc";
          pods.push_back(MakePod(vitess_cluster, name, kVtorcContainer, std::move(labels), flags,
                                 json::array(), vtorc));
        }
      }
    }
  });
}

Result<std::vector<json>> RenderClusterPods(const json& vitess_cluster) {
  std::vector<json> all;
  for (auto render : {RenderTabletPods, RenderVtgatePods, RenderVtctldPods, RenderVtorcPods}) {
    VTG_ASSIGN_OR_RETURN(std::vector<json> pods, render(vitess_cluster));
    all.insert(all.end(), pods.begin(), pods.end());
  }
  return all;
}

std::string PodComponent(const json& pod) {
  try {
    return pod.at("metadata").at("labels").value(std::string(kLabelPrefix) + "component", "");
  } catch (const json::exception&) {
    return "";
  }
}

std::string PodName(const json& pod) {
  try {
    return pod.at("metadata").value("name", "");
  } catch (const json::exception&) {
    return "";
  }
}

}  // namespace vtguard::e2e
