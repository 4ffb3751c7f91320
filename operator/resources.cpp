#include "operator/resources.h"

namespace vtguard::op {

namespace {

// True when a keyspace of `cluster` sets vitessOrchestrator to anything but null.
bool RunsVtorc(const nlohmann::json& cluster) {
  if (!cluster.is_object()) return false;
  auto spec = cluster.find("spec");
  if (spec == cluster.end() || !spec->is_object()) return false;
  auto keyspaces = spec->find("keyspaces");
  if (keyspaces == spec->end() || !keyspaces->is_array()) return false;
  for (const nlohmann::json& keyspace : *keyspaces) {
    if (!keyspace.is_object()) continue;
    auto orchestrator = keyspace.find("vitessOrchestrator");
    if (orchestrator != keyspace.end() && !orchestrator->is_null()) return true;
  }
  return false;
}

}  // namespace

std::vector<vitess::Component> LeafComponentsOf(const nlohmann::json& cluster) {
  std::vector<vitess::Component> components(kLeafComponents.begin(), kLeafComponents.end());
  if (!RunsVtorc(cluster)) std::erase(components, vitess::Component::kVtorc);
  return components;
}

std::string CaSecretName(std::string_view owner) { return std::string(owner) + "-vtguard-ca"; }

}  // namespace vtguard::op
