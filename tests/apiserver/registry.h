// The resource types the test API server serves: built-in kinds plus those of registered
// CustomResourceDefinitions, and the discovery documents that describe them.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/kube/resource.h"

namespace vtguard::testing {

struct ServedResource {
  kube::Resource resource;
  std::string singular;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  bool has_status = false;  // Serves the status subresource.
  bool from_crd = false;
  // Storage key shared by every version of one group/resource.
  std::string StorageKey() const { return resource.group + "/" + resource.plural; }
};

class ResourceRegistry {
 public:
  ResourceRegistry();

  std::optional<ServedResource> Find(const std::string& group, const std::string& version,
                                     const std::string& plural) const;
  std::vector<ServedResource> All() const;

  // Registers the served versions of a CustomResourceDefinition object.
  Status RegisterCrd(const nlohmann::json& crd);
  void UnregisterCrd(const nlohmann::json& crd);

  nlohmann::json ApiVersions() const;                                      // GET /api
  nlohmann::json ApiGroupList() const;                                     // GET /apis
  std::optional<nlohmann::json> ApiGroup(const std::string& group) const;  // GET /apis/<g>
  // GET /api/v1 or /apis/<g>/<v>; nullopt when nothing is served there.
  std::optional<nlohmann::json> ResourceList(const std::string& group,
                                             const std::string& version) const;
  // GET /openapi/v3: one entry per served group/version.
  nlohmann::json OpenApiV3Root() const;
  // GET /openapi/v3/api/v1 or /openapi/v3/apis/<g>/<v>: PATCH operations that declare the
  // fieldValidation parameter, which is how kubectl detects server-side field validation.
  // NOTE: no schemas are included, so kubectl falls back to its built-in patch metadata.
  std::optional<nlohmann::json> OpenApiV3Document(const std::string& group,
                                                  const std::string& version) const;

 private:
  void Add(ServedResource resource);

  mutable std::mutex mu_;
  std::vector<ServedResource> resources_;
};

}  // namespace vtguard::testing
