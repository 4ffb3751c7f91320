// Typed-by-resource Kubernetes API client over JSON objects.
//
//   auto client = kube::Client::Create(*kube::LoadKubeconfig(path));
//   Result<nlohmann::json> secret = (*client)->Get(kube::SecretsResource(), "ns1", "ca");
//   if (!secret.ok() && secret.status().code() == ErrorCode::kNotFound) { ... }
//
// Errors are decoded from the server's Status object (see api_error.h).
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/base/status.h"
#include "common/kube/config.h"
#include "common/kube/resource.h"
#include "common/kube/transport.h"

namespace vtguard::kube {

struct ListOptions {
  std::string label_selector;  // "app.kubernetes.io/managed-by=vtguard,vtguard.io/cluster".
  std::string field_selector;  // "metadata.name=example".
  int64_t limit = 0;           // Page size; 0 means no limit.
  std::string continue_token;
  std::string resource_version;
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // Start after this version.
  bool allow_bookmarks = true;
  int timeout_seconds = 300;  // Server-side end of the watch.
};

struct DeleteOptions {
  std::string precondition_uid;
  std::string precondition_resource_version;
  std::string propagation_policy;  // "Background", "Foreground", "Orphan" or empty.
  bool dry_run = false;
};

enum class PatchType {
  kMerge,           // application/merge-patch+json (RFC 7396)
  kJson,            // application/json-patch+json (RFC 6902)
  kStrategicMerge,  // application/strategic-merge-patch+json (built-in kinds only)
};

struct WriteOptions {
  bool dry_run = false;
  std::string field_manager;
};

class Client {
 public:
  static Result<std::shared_ptr<Client>> Create(const ClientConfig& config,
                                                const TransportOptions& options = {});

  Result<nlohmann::json> Get(const Resource& resource, const std::string& ns,
                             const std::string& name);
  // One page; follow metadata.continue for more, or use ListAll.
  Result<nlohmann::json> List(const Resource& resource, const std::string& ns,
                              const ListOptions& options = {});
  // Every page, merged into one list object whose metadata.resourceVersion is the last page's.
  Result<nlohmann::json> ListAll(const Resource& resource, const std::string& ns,
                                 const ListOptions& options = {});
  // Namespace comes from `ns` (object metadata.namespace is ignored by the path).
  Result<nlohmann::json> Create(const Resource& resource, const std::string& ns,
                                const nlohmann::json& object, const WriteOptions& options = {});
  // Replaces the object; metadata.resourceVersion makes it fail with kConflict when stale.
  Result<nlohmann::json> Update(const Resource& resource, const std::string& ns,
                                const nlohmann::json& object, const WriteOptions& options = {});
  Result<nlohmann::json> UpdateStatus(const Resource& resource, const std::string& ns,
                                      const nlohmann::json& object,
                                      const WriteOptions& options = {});
  Result<nlohmann::json> Patch(const Resource& resource, const std::string& ns,
                               const std::string& name, PatchType type, const nlohmann::json& patch,
                               const std::string& subresource = "",
                               const WriteOptions& options = {});
  Status Delete(const Resource& resource, const std::string& ns, const std::string& name,
                const DeleteOptions& options = {});

  // Starts a watch; the stream yields newline-delimited JSON events (see watch.h).
  Result<std::unique_ptr<ResponseStream>> OpenWatch(const Resource& resource, const std::string& ns,
                                                    const WatchOptions& options);

  // Sends a request for any path, returning the decoded JSON body or the decoded error.
  Result<nlohmann::json> Do(const std::string& method, const std::string& target,
                            const std::string& content_type, const std::string& body);

  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  std::chrono::milliseconds timeout() const { return timeout_; }

 private:
  explicit Client(std::shared_ptr<Transport> transport) : transport_(std::move(transport)) {}

  std::shared_ptr<Transport> transport_;
  std::chrono::milliseconds timeout_{30000};
};

}  // namespace vtguard::kube
