// A VitessCluster with every TLS flag that vtguard injects, and helpers that break it one
// field at a time, for the validation and message tests.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/vitess/admission.h"
#include "common/vitess/flags.h"

namespace vtguard::vitess::testing {

inline const std::string kPool =
    "/spec/keyspaces/0/partitionings/0/equal/shardTemplate/tabletPools/0";
inline const std::string kFlags = kPool + "/vttablet/extraFlags";

// One keyspace with one tablet pool, no cells, the dashboard defaulted, all on `image`, after
// vtguard's mutation under the default policy.
inline nlohmann::json SecuredCluster(const std::string& image = "vitess/lite:v24.0.4") {
  nlohmann::json cluster = {
      {"apiVersion", "planetscale.com/v2"},
      {"kind", "VitessCluster"},
      {"metadata", {{"name", "c1"}}},
      {"spec",
       {{"images", {{"vttablet", image}, {"vtgate", image}, {"vtctld", image}}},
        {"cells", nlohmann::json::array()},
        {"keyspaces",
         {{{"name", "ks"},
           {"partitionings",
            {{{"equal",
               {{"parts", 1},
                {"shardTemplate",
                 {{"tabletPools",
                   {{{"cell", "z1"}, {"vttablet", nlohmann::json::object()}}}}}}}}}}}}}}}}};
  return cluster.patch(MutateVitessCluster(DefaultPolicy(), cluster, nullptr).patch.ToJson());
}

// The value at JSON Pointer `pointer`, created as null when missing.
inline nlohmann::json& At(nlohmann::json& object, const std::string& pointer) {
  return object[nlohmann::json::json_pointer(pointer)];
}

// Removes the tablet pool's flag `name` in whatever spelling it was written.
inline void RemoveFlag(nlohmann::json& cluster, const std::string& name) {
  nlohmann::json& flags = At(cluster, kFlags);
  for (auto it = flags.begin(); it != flags.end(); ++it) {
    if (CanonicalFlagName(it.key()) == name) {
      flags.erase(it);
      return;
    }
  }
}

}  // namespace vtguard::vitess::testing
