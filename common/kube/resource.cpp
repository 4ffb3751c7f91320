#include "common/kube/resource.h"

#include <cstdio>

namespace vtguard::kube {

bool IsValidNamespaceName(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  auto is_alphanumeric = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!is_alphanumeric(name.front()) || !is_alphanumeric(name.back())) return false;
  for (char c : name) {
    if (!is_alphanumeric(c) && c != '-') return false;
  }
  return true;
}

std::string Resource::ApiVersion() const { return group.empty() ? version : group + "/" + version; }

std::string Resource::GroupVersionPath() const {
  return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
}

std::string Resource::CollectionPath(std::string_view ns) const {
  std::string path = GroupVersionPath();
  if (namespaced && !ns.empty()) {
    path += "/namespaces/";
    path += ns;
  }
  return path + "/" + plural;
}

std::string Resource::ObjectPath(std::string_view ns, std::string_view name,
                                 std::string_view subresource) const {
  std::string path = CollectionPath(ns) + "/" + std::string(name);
  if (!subresource.empty()) {
    path += "/";
    path += subresource;
  }
  return path;
}

#define VTG_RESOURCE(function, group, version, plural, kind, namespaced)      \
  const Resource& function() {                                                \
    static const Resource resource{group, version, plural, kind, namespaced}; \
    return resource;                                                          \
  }

VTG_RESOURCE(SecretsResource, "", "v1", "secrets", "Secret", true)
VTG_RESOURCE(ConfigMapsResource, "", "v1", "configmaps", "ConfigMap", true)
VTG_RESOURCE(NamespacesResource, "", "v1", "namespaces", "Namespace", false)
VTG_RESOURCE(PodsResource, "", "v1", "pods", "Pod", true)
VTG_RESOURCE(ServicesResource, "", "v1", "services", "Service", true)
VTG_RESOURCE(LeasesResource, "coordination.k8s.io", "v1", "leases", "Lease", true)
VTG_RESOURCE(EventsResource, "events.k8s.io", "v1", "events", "Event", true)
VTG_RESOURCE(CoreEventsResource, "", "v1", "events", "Event", true)
VTG_RESOURCE(MutatingWebhookConfigurationsResource, "admissionregistration.k8s.io", "v1",
             "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false)
VTG_RESOURCE(ValidatingWebhookConfigurationsResource, "admissionregistration.k8s.io", "v1",
             "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false)
VTG_RESOURCE(CustomResourceDefinitionsResource, "apiextensions.k8s.io", "v1",
             "customresourcedefinitions", "CustomResourceDefinition", false)
VTG_RESOURCE(VitessClustersResource, "planetscale.com", "v2", "vitessclusters", "VitessCluster",
             true)
VTG_RESOURCE(VitessTlsPoliciesResource, "vtguard.io", "v1alpha1", "vitesstlspolicies",
             "VitessTLSPolicy", true)

#undef VTG_RESOURCE

std::string EscapeQueryValue(std::string_view value) {
  std::string out;
  for (unsigned char c : value) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
      continue;
    }
    char hex[4];
    std::snprintf(hex, sizeof(hex), "%%%02X", c);
    out += hex;
  }
  return out;
}

}  // namespace vtguard::kube
