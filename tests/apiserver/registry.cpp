#include "tests/apiserver/registry.h"

#include <algorithm>

namespace vtguard::testing {
namespace {

ServedResource Builtin(const kube::Resource& resource, const std::string& singular,
                       std::vector<std::string> short_names, bool has_status) {
  ServedResource served;
  served.resource = resource;
  served.singular = singular;
  served.short_names = std::move(short_names);
  served.has_status = has_status;
  return served;
}

nlohmann::json Verbs() { return {"create", "delete", "get", "list", "patch", "update", "watch"}; }

}  // namespace

ResourceRegistry::ResourceRegistry() {
  Add(Builtin(kube::NamespacesResource(), "namespace", {"ns"}, true));
  Add(Builtin(kube::SecretsResource(), "secret", {}, false));
  Add(Builtin(kube::ConfigMapsResource(), "configmap", {"cm"}, false));
  Add(Builtin(kube::PodsResource(), "pod", {"po"}, true));
  Add(Builtin(kube::ServicesResource(), "service", {"svc"}, true));
  Add(Builtin(kube::CoreEventsResource(), "event", {"ev"}, false));
  Add(Builtin(kube::EventsResource(), "event", {"ev"}, false));
  Add(Builtin(kube::LeasesResource(), "lease", {}, false));
  Add(Builtin(kube::MutatingWebhookConfigurationsResource(), "mutatingwebhookconfiguration", {},
              false));
  Add(Builtin(kube::ValidatingWebhookConfigurationsResource(), "validatingwebhookconfiguration", {},
              false));
  Add(Builtin(kube::CustomResourceDefinitionsResource(), "customresourcedefinition",
              {"crd", "crds"}, true));
}

void ResourceRegistry::Add(ServedResource resource) {
  for (ServedResource& existing : resources_) {
    if (existing.resource.group == resource.resource.group &&
        existing.resource.version == resource.resource.version &&
        existing.resource.plural == resource.resource.plural) {
      existing = std::move(resource);
      return;
    }
  }
  resources_.push_back(std::move(resource));
}

std::optional<ServedResource> ResourceRegistry::Find(const std::string& group,
                                                     const std::string& version,
                                                     const std::string& plural) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const ServedResource& served : resources_) {
    if (served.resource.group == group && served.resource.version == version &&
        served.resource.plural == plural) {
      return served;
    }
  }
  return std::nullopt;
}

std::vector<ServedResource> ResourceRegistry::All() const {
  std::lock_guard<std::mutex> lock(mu_);
  return resources_;
}

Status ResourceRegistry::RegisterCrd(const nlohmann::json& crd) {
  const nlohmann::json spec = crd.value("spec", nlohmann::json::object());
  const nlohmann::json names = spec.value("names", nlohmann::json::object());
  const std::string group = spec.value("group", "");
  const std::string plural = names.value("plural", "");
  const std::string kind = names.value("kind", "");
  if (group.empty() || plural.empty() || kind.empty()) {
    return InvalidArgument("spec.group, spec.names.plural and spec.names.kind are required");
  }
  if (crd["metadata"].value("name", "") != plural + "." + group) {
    return InvalidArgument("metadata.name must be spec.names.plural+\".\"+spec.group (\"" + plural +
                           "." + group + "\")");
  }
  const nlohmann::json versions = spec.value("versions", nlohmann::json::array());
  if (versions.empty()) return InvalidArgument("spec.versions must list at least one version");
  std::lock_guard<std::mutex> lock(mu_);
  for (const nlohmann::json& version : versions) {
    if (!version.value("served", false)) continue;
    ServedResource served;
    served.resource = {group, version.value("name", ""), plural, kind,
                       spec.value("scope", "Namespaced") == "Namespaced"};
    served.singular = names.value("singular", "");
    for (const auto& name : names.value("shortNames", nlohmann::json::array())) {
      served.short_names.push_back(name.get<std::string>());
    }
    for (const auto& name : names.value("categories", nlohmann::json::array())) {
      served.categories.push_back(name.get<std::string>());
    }
    served.has_status =
        version.contains("subresources") && version["subresources"].contains("status");
    served.from_crd = true;
    Add(std::move(served));
  }
  return Status::Ok();
}

void ResourceRegistry::UnregisterCrd(const nlohmann::json& crd) {
  const std::string group = crd["spec"].value("group", "");
  const std::string plural = crd["spec"]["names"].value("plural", "");
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(resources_, [&](const ServedResource& served) {
    return served.from_crd && served.resource.group == group && served.resource.plural == plural;
  });
}

nlohmann::json ResourceRegistry::ApiVersions() const {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs",
           {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", "127.0.0.1"}}}}};
}

nlohmann::json ResourceRegistry::ApiGroupList() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, std::vector<std::string>> versions;
  std::vector<std::string> order;
  for (const ServedResource& served : resources_) {
    const std::string& group = served.resource.group;
    if (group.empty()) continue;
    if (!versions.count(group)) order.push_back(group);
    auto& list = versions[group];
    if (std::find(list.begin(), list.end(), served.resource.version) == list.end()) {
      list.push_back(served.resource.version);
    }
  }
  nlohmann::json groups = nlohmann::json::array();
  for (const std::string& group : order) {
    nlohmann::json entry = {{"name", group}, {"versions", nlohmann::json::array()}};
    for (const std::string& version : versions[group]) {
      entry["versions"].push_back({{"groupVersion", group + "/" + version}, {"version", version}});
    }
    entry["preferredVersion"] = entry["versions"][0];
    groups.push_back(entry);
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

std::optional<nlohmann::json> ResourceRegistry::ApiGroup(const std::string& group) const {
  for (const nlohmann::json& entry : ApiGroupList()["groups"]) {
    if (entry["name"] == group) {
      nlohmann::json out = entry;
      out["kind"] = "APIGroup";
      out["apiVersion"] = "v1";
      return out;
    }
  }
  return std::nullopt;
}

std::optional<nlohmann::json> ResourceRegistry::ResourceList(const std::string& group,
                                                             const std::string& version) const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json resources = nlohmann::json::array();
  for (const ServedResource& served : resources_) {
    if (served.resource.group != group || served.resource.version != version) continue;
    nlohmann::json entry = {{"name", served.resource.plural},
                            {"singularName", served.singular},
                            {"namespaced", served.resource.namespaced},
                            {"kind", served.resource.kind},
                            {"verbs", Verbs()}};
    if (!served.short_names.empty()) entry["shortNames"] = served.short_names;
    if (!served.categories.empty()) entry["categories"] = served.categories;
    resources.push_back(entry);
    if (served.has_status) {
      resources.push_back({{"name", served.resource.plural + "/status"},
                           {"singularName", ""},
                           {"namespaced", served.resource.namespaced},
                           {"kind", served.resource.kind},
                           {"verbs", {"get", "patch", "update"}}});
    }
  }
  if (resources.empty()) return std::nullopt;
  return nlohmann::json{{"kind", "APIResourceList"},
                        {"apiVersion", "v1"},
                        {"groupVersion", group.empty() ? version : group + "/" + version},
                        {"resources", resources}};
}

nlohmann::json ResourceRegistry::OpenApiV3Root() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json paths = nlohmann::json::object();
  for (const ServedResource& served : resources_) {
    std::string path = served.resource.GroupVersionPath().substr(1);
    paths[path] = {{"serverRelativeURL", "/openapi/v3/" + path + "?hash=0"}};
  }
  return {{"paths", paths}};
}

std::optional<nlohmann::json> ResourceRegistry::OpenApiV3Document(
    const std::string& group, const std::string& version) const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json paths = nlohmann::json::object();
  for (const ServedResource& served : resources_) {
    const kube::Resource& resource = served.resource;
    if (resource.group != group || resource.version != version) continue;
    std::string path = resource.GroupVersionPath();
    if (resource.namespaced) path += "/namespaces/{namespace}";
    path += "/" + resource.plural + "/{name}";
    nlohmann::json gvk = {
        {"group", resource.group}, {"version", resource.version}, {"kind", resource.kind}};
    nlohmann::json parameters = nlohmann::json::array(
        {{{"name", "fieldValidation"}, {"in", "query"}, {"schema", {{"type", "string"}}}},
         {{"name", "dryRun"}, {"in", "query"}, {"schema", {{"type", "string"}}}}});
    nlohmann::json operation = {{"x-kubernetes-group-version-kind", gvk},
                                {"x-kubernetes-action", "patch"},
                                {"parameters", parameters},
                                {"responses", {{"200", {{"description", "OK"}}}}}};
    paths[path] = {{"patch", operation}};
  }
  if (paths.empty()) return std::nullopt;
  return nlohmann::json{{"openapi", "3.0.0"},
                        {"info", {{"title", "Kubernetes"}, {"version", "v1.32.0"}}},
                        {"paths", paths},
                        {"components", {{"schemas", nlohmann::json::object()}}}};
}

}  // namespace vtguard::testing
