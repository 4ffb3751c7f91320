#include "operator/cache_projection.h"

#include "common/base/json_fields.h"
#include "operator/kube_store.h"

namespace vtguard::op {

namespace {

Json RevisionEnv(const Json& container) {
  Json kept = Json::array();
  auto env = container.find("env");
  if (env == container.end() || !env->is_array()) return kept;
  for (const Json& entry : *env) {
    if (entry.is_object() && StringMember(entry, "name") == kRevisionEnv) kept.push_back(entry);
  }
  return kept;
}

Json ContainersProjection(const Json& pod) {
  Json containers = Json::array();
  auto spec = pod.find("spec");
  if (spec == pod.end() || !spec->is_object()) return containers;
  auto list = spec->find("containers");
  if (list == spec->end() || !list->is_array()) return containers;
  for (const Json& container : *list) {
    if (!container.is_object()) continue;
    containers.push_back(
        {{"name", StringMember(container, "name")}, {"env", RevisionEnv(container)}});
  }
  return containers;
}

Json StatusProjection(const Json& pod) {
  Json status = Json::object();
  auto current = pod.find("status");
  if (current == pod.end() || !current->is_object()) return status;
  if (auto start = current->find("startTime"); start != current->end()) {
    status["startTime"] = *start;
  }
  auto conditions = current->find("conditions");
  if (conditions == current->end() || !conditions->is_array()) return status;
  Json ready = Json::array();
  for (const Json& condition : *conditions) {
    if (condition.is_object() && StringMember(condition, "type") == "Ready")
      ready.push_back(condition);
  }
  status["conditions"] = std::move(ready);
  return status;
}

}  // namespace

kube::InformerOptions OperatorInformerOptions(const ResourceKind& kind, std::string label_selector,
                                              std::string field_selector) {
  kube::InformerOptions options;
  options.resource = ToKubeResource(kind);
  options.label_selector = std::move(label_selector);
  options.field_selector = std::move(field_selector);
  if (kind == kPodKind) {
    options.transform = ProjectPod;
  } else {
    options.transform = kube::StripManagedFields;
  }
  // The operator's update handlers read only the new object.
  options.old_object = kube::ObjectCache::Previous::kMetadata;
  return options;
}

void ProjectPod(Json& pod) {
  Json projected = {{"apiVersion", StringMember(pod, "apiVersion", "v1")},
                    {"kind", StringMember(pod, "kind", "Pod")},
                    {"metadata", MemberOr(pod, "metadata", Json::object())},
                    {"spec", {{"containers", ContainersProjection(pod)}}},
                    {"status", StatusProjection(pod)}};
  kube::StripManagedFields(projected);
  pod = std::move(projected);
}

}  // namespace vtguard::op
