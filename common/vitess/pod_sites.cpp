#include "common/vitess/pod_sites.h"

#include "common/base/json_fields.h"
#include "common/vitess/admission.h"
#include "common/vitess/cluster_sites.h"

namespace vtguard::vitess {
namespace {

std::optional<std::string> Label(const nlohmann::json& pod, const std::string& key) {
  return StringAt(pod, {"metadata", "labels", key});
}

bool CommandRuns(const nlohmann::json& container, std::string_view binary) {
  const nlohmann::json* command = FindAt(container, {"command"});
  if (command == nullptr || !command->is_array() || command->empty()) return false;
  const nlohmann::json& first = command->front();
  if (!first.is_string()) return false;
  std::string path = first.get<std::string>();
  std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  return base == binary;
}

// The index of the container that runs `component`: named after it, else running its binary.
std::optional<std::size_t> FindContainer(const nlohmann::json& pod, Component component) {
  const nlohmann::json* containers = FindAt(pod, {"spec", "containers"});
  if (containers == nullptr || !containers->is_array()) return std::nullopt;
  std::string_view name = ComponentName(component);
  for (std::size_t i = 0; i < containers->size(); ++i) {
    const nlohmann::json& container = (*containers)[i];
    if (container.is_object() && StringMember(container, "name") == name) return i;
  }
  for (std::size_t i = 0; i < containers->size(); ++i) {
    if ((*containers)[i].is_object() && CommandRuns((*containers)[i], name)) return i;
  }
  return std::nullopt;
}

}  // namespace

void CheckMetadataStrings(const nlohmann::json& object, std::span<const std::string_view> prefixes,
                          std::vector<Violation>& violations) {
  for (const char* map : {"labels", "annotations"}) {
    const nlohmann::json* entries = FindAt(object, {"metadata", map});
    if (entries == nullptr || !entries->is_object()) continue;
    for (const auto& [key, value] : entries->items()) {
      if (value.is_string()) continue;
      bool checked = prefixes.empty();
      for (std::string_view prefix : prefixes) checked = checked || key.rfind(prefix, 0) == 0;
      if (!checked) continue;
      violations.push_back(
          {"/metadata/" + std::string(map) + "/" + EscapePointerToken(key),
           std::string(map == std::string_view("labels") ? "label " : "annotation ") + key +
               " has the value " + value.dump() + ", which is not a string",
           "write the value in quotes, for example \"" +
               (value.is_primitive() && !value.is_null() ? value.dump() : "") + "\"",
           Severity::kError});
    }
  }
}

bool IsOperatorManagedPod(const nlohmann::json& pod) {
  if (Label(pod, "planetscale.com/component")) return true;
  const nlohmann::json* owners = FindAt(pod, {"metadata", "ownerReferences"});
  if (owners == nullptr || !owners->is_array()) return false;
  for (const nlohmann::json& owner : *owners) {
    if (!owner.is_object()) continue;
    std::string api_version = StringMember(owner, "apiVersion");
    if (api_version.rfind("planetscale.com/", 0) == 0) return true;
  }
  return false;
}

std::optional<PodTarget> FindPodTarget(const nlohmann::json& pod) {
  if (!pod.is_object()) return std::nullopt;
  PodTarget target;
  target.operator_managed = IsOperatorManagedPod(pod);
  target.opted_in = Label(pod, std::string(kInjectLabel)) == "true";
  if (!target.operator_managed && !target.opted_in) return std::nullopt;

  std::optional<std::string> component_name = Label(pod, "planetscale.com/component");
  if (!component_name) component_name = Label(pod, "vtguard.io/component");
  std::optional<Component> component;
  if (component_name) component = ParseComponentName(*component_name);
  if (!component) {
    // Opted-in pods without a label are recognised by their container.
    for (Component candidate :
         {Component::kVttablet, Component::kVtgate, Component::kVtctld, Component::kVtorc}) {
      if (FindContainer(pod, candidate)) {
        component = candidate;
        break;
      }
    }
  }
  if (!component || *component == Component::kVtbackup ||
      *component == Component::kVitessOperator) {
    return std::nullopt;
  }
  std::optional<std::size_t> index = FindContainer(pod, *component);
  if (!index) return std::nullopt;
  target.component = *component;
  target.container_index = *index;
  target.cluster =
      Label(pod, "planetscale.com/cluster").value_or(Label(pod, "vtguard.io/cluster").value_or(""));
  return target;
}

}  // namespace vtguard::vitess
