// Names of Kubernetes API resources and the REST paths that address them.
#pragma once

#include <string>
#include <string_view>

namespace vtguard::kube {

// One API resource type: group/version/resource plus the facts a client needs to build paths.
// The core group is the empty string ("" + "v1" is served under /api/v1).
struct Resource {
  std::string group;
  std::string version;
  std::string plural;  // "secrets", "vitessclusters".
  std::string kind;    // "Secret", "VitessCluster".
  bool namespaced = true;

  // "v1" for the core group, "<group>/<version>" otherwise.
  std::string ApiVersion() const;
  // "/api/v1" or "/apis/<group>/<version>".
  std::string GroupVersionPath() const;
  // The collection: ".../namespaces/<ns>/<plural>" or ".../<plural>" (all namespaces when
  // `ns` is empty or the resource is cluster-scoped).
  std::string CollectionPath(std::string_view ns) const;
  // One object, optionally a subresource such as "status".
  std::string ObjectPath(std::string_view ns, std::string_view name,
                         std::string_view subresource = "") const;
};

// True when `name` is a valid namespace name: an RFC 1123 DNS label of 1 to 63 lowercase
// letters, digits and '-', starting and ending with a letter or digit.
bool IsValidNamespaceName(std::string_view name);

// Resources that vtguard components address.
const Resource& SecretsResource();
const Resource& ConfigMapsResource();
const Resource& NamespacesResource();
const Resource& PodsResource();
const Resource& ServicesResource();
const Resource& LeasesResource();
const Resource& EventsResource();  // events.k8s.io/v1
const Resource& CoreEventsResource();
const Resource& MutatingWebhookConfigurationsResource();
const Resource& ValidatingWebhookConfigurationsResource();
const Resource& CustomResourceDefinitionsResource();
const Resource& VitessClustersResource();     // planetscale.com/v2
const Resource& VitessTlsPoliciesResource();  // vtguard.io/v1alpha1

// Escapes a query parameter value (RFC 3986 unreserved characters are kept).
std::string EscapeQueryValue(std::string_view value);

}  // namespace vtguard::kube
