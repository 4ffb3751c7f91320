// The narrow view of the Kubernetes API that the reconcilers use. One implementation adapts the
// Kubernetes client (reads from informer caches, writes to the API server); MemoryStore keeps
// objects in memory for tests, benchmarks and the standalone demonstration mode.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "operator/resources.h"

namespace vtguard::op {

using Json = nlohmann::json;
using LabelSelector = std::map<std::string, std::string>;  // Equality terms, all must match.

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Returns a copy of the object; kNotFound when it does not exist. Callers own the copy, so
  // changing it never changes a cached object.
  virtual Result<Json> Get(const ResourceKind& kind, std::string_view ns,
                           std::string_view name) = 0;
  // Lists the objects in `ns` ("" = every namespace) whose labels match `selector`.
  virtual Result<std::vector<Json>> List(const ResourceKind& kind, std::string_view ns,
                                         const LabelSelector& selector) = 0;
  // Creates the object; kAlreadyExists when the name is taken.
  virtual Result<Json> Create(const ResourceKind& kind, const Json& object) = 0;
  // Replaces the object (not its status). metadata.resourceVersion must match the stored one,
  // else kConflict.
  virtual Result<Json> Update(const ResourceKind& kind, const Json& object) = 0;
  // Applies an RFC 6902 JSON patch. A failed `test` operation returns kConflict, so a
  // `test` on /metadata/resourceVersion is an optimistic-concurrency precondition.
  virtual Result<Json> Patch(const ResourceKind& kind, std::string_view ns, std::string_view name,
                             const Json& patch) = 0;
  // Replaces the status subresource; resourceVersion must match, else kConflict.
  virtual Result<Json> UpdateStatus(const ResourceKind& kind, const Json& object) = 0;
  virtual Status Delete(const ResourceKind& kind, std::string_view ns, std::string_view name) = 0;

  // Lists like List, each object cut by ObjectMetadata, for callers that read only names and
  // labels. Stores that keep objects encoded override it so that only one full object is
  // decoded at a time.
  virtual Result<std::vector<Json>> ListMetadata(const ResourceKind& kind, std::string_view ns,
                                                 const LabelSelector& selector);
  // metadata.resourceVersion of the object; kNotFound when it does not exist. Stores that
  // keep objects encoded override it to read the version without decoding the object.
  virtual Result<std::string> GetResourceVersion(const ResourceKind& kind, std::string_view ns,
                                                 std::string_view name);
};

// The object cut to apiVersion, kind and metadata without managedFields, as the Kubernetes
// API's PartialObjectMetadata.
Json ObjectMetadata(const Json& object);

// True when every term of `selector` matches a label of `object`.
bool MatchesLabels(const Json& object, const LabelSelector& selector);

// metadata.<field> as a string, or "" when absent.
std::string MetadataString(const Json& object, std::string_view field);
// metadata.labels[key] / metadata.annotations[key], or "" when absent.
std::string Label(const Json& object, std::string_view key);
std::string Annotation(const Json& object, std::string_view key);

}  // namespace vtguard::op
