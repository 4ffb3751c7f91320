#include "common/kube/client.h"

#include "common/base/json_fields.h"
#include "common/kube/api_error.h"

namespace vtguard::kube {
namespace {

void AddQuery(std::string* target, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  *target += target->find('?') == std::string::npos ? '?' : '&';
  *target += key;
  *target += '=';
  *target += EscapeQueryValue(value);
}

void AddWriteQuery(std::string* target, const WriteOptions& options) {
  if (options.dry_run) AddQuery(target, "dryRun", "All");
  AddQuery(target, "fieldManager", options.field_manager);
}

std::string NameOf(const nlohmann::json& object) {
  if (!object.contains("metadata") || !object["metadata"].is_object()) return "";
  return StringMember(object["metadata"], "name");
}

const char* ContentType(PatchType type) {
  switch (type) {
    case PatchType::kMerge:
      return "application/merge-patch+json";
    case PatchType::kJson:
      return "application/json-patch+json";
    case PatchType::kStrategicMerge:
      return "application/strategic-merge-patch+json";
  }
  return "application/merge-patch+json";
}

}  // namespace

Result<std::shared_ptr<Client>> Client::Create(const ClientConfig& config,
                                               const TransportOptions& options) {
  VTG_ASSIGN_OR_RETURN(std::shared_ptr<Transport> transport, Transport::Create(config, options));
  return std::shared_ptr<Client>(new Client(std::move(transport)));
}

Result<nlohmann::json> Client::Do(const std::string& method, const std::string& target,
                                  const std::string& content_type, const std::string& body) {
  HttpRequest request;
  request.method = method;
  request.target = target;
  request.content_type = content_type;
  request.body = body;
  request.timeout = timeout_;
  const std::string what = method + " " + target;
  VTG_ASSIGN_OR_RETURN(HttpResponse response, transport_->RoundTrip(request));
  if (response.status < 200 || response.status >= 300) {
    return StatusFromHttpError(response.status, response.body, response.Header("retry-after"),
                               what);
  }
  if (response.body.empty()) return nlohmann::json::object();
  nlohmann::json decoded =
      nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (decoded.is_discarded()) return Internal(what + ": response body is not valid JSON");
  return decoded;
}

Result<nlohmann::json> Client::Get(const Resource& resource, const std::string& ns,
                                   const std::string& name) {
  return Do("GET", resource.ObjectPath(ns, name), "", "");
}

Result<nlohmann::json> Client::List(const Resource& resource, const std::string& ns,
                                    const ListOptions& options) {
  std::string target = resource.CollectionPath(ns);
  AddQuery(&target, "labelSelector", options.label_selector);
  AddQuery(&target, "fieldSelector", options.field_selector);
  if (options.limit > 0) AddQuery(&target, "limit", std::to_string(options.limit));
  AddQuery(&target, "continue", options.continue_token);
  AddQuery(&target, "resourceVersion", options.resource_version);
  return Do("GET", target, "", "");
}

Result<nlohmann::json> Client::ListAll(const Resource& resource, const std::string& ns,
                                       const ListOptions& options) {
  ListOptions page_options = options;
  nlohmann::json merged;
  // Bounded so that a server that keeps returning a continue token cannot loop forever.
  for (int page = 0; page < 100000; ++page) {
    VTG_ASSIGN_OR_RETURN(nlohmann::json list, List(resource, ns, page_options));
    if (merged.is_null()) {
      merged = list;
    } else {
      for (auto& item : list["items"]) merged["items"].push_back(std::move(item));
      merged["metadata"] = list["metadata"];
    }
    std::string next = StringMember(list["metadata"], "continue");
    if (next.empty()) {
      merged["metadata"].erase("continue");
      return merged;
    }
    page_options.continue_token = next;
  }
  return ResourceExhausted("list of " + resource.plural + " did not end after 100000 pages");
}

Result<nlohmann::json> Client::Create(const Resource& resource, const std::string& ns,
                                      const nlohmann::json& object, const WriteOptions& options) {
  std::string target = resource.CollectionPath(ns);
  AddWriteQuery(&target, options);
  return Do("POST", target, "application/json", object.dump());
}

Result<nlohmann::json> Client::Update(const Resource& resource, const std::string& ns,
                                      const nlohmann::json& object, const WriteOptions& options) {
  std::string target = resource.ObjectPath(ns, NameOf(object));
  AddWriteQuery(&target, options);
  return Do("PUT", target, "application/json", object.dump());
}

Result<nlohmann::json> Client::UpdateStatus(const Resource& resource, const std::string& ns,
                                            const nlohmann::json& object,
                                            const WriteOptions& options) {
  std::string target = resource.ObjectPath(ns, NameOf(object), "status");
  AddWriteQuery(&target, options);
  return Do("PUT", target, "application/json", object.dump());
}

Result<nlohmann::json> Client::Patch(const Resource& resource, const std::string& ns,
                                     const std::string& name, PatchType type,
                                     const nlohmann::json& patch, const std::string& subresource,
                                     const WriteOptions& options) {
  std::string target = resource.ObjectPath(ns, name, subresource);
  AddWriteQuery(&target, options);
  return Do("PATCH", target, ContentType(type), patch.dump());
}

Status Client::Delete(const Resource& resource, const std::string& ns, const std::string& name,
                      const DeleteOptions& options) {
  nlohmann::json body = {{"apiVersion", "v1"}, {"kind", "DeleteOptions"}};
  if (!options.precondition_uid.empty()) body["preconditions"]["uid"] = options.precondition_uid;
  if (!options.precondition_resource_version.empty()) {
    body["preconditions"]["resourceVersion"] = options.precondition_resource_version;
  }
  if (!options.propagation_policy.empty()) {
    body["propagationPolicy"] = options.propagation_policy;
  }
  if (options.dry_run) body["dryRun"] = nlohmann::json::array({"All"});
  return Do("DELETE", resource.ObjectPath(ns, name), "application/json", body.dump()).status();
}

Result<std::unique_ptr<ResponseStream>> Client::OpenWatch(const Resource& resource,
                                                          const std::string& ns,
                                                          const WatchOptions& options) {
  std::string target = resource.CollectionPath(ns);
  AddQuery(&target, "watch", "1");
  AddQuery(&target, "resourceVersion", options.resource_version);
  AddQuery(&target, "labelSelector", options.label_selector);
  AddQuery(&target, "fieldSelector", options.field_selector);
  if (options.allow_bookmarks) AddQuery(&target, "allowWatchBookmarks", "true");
  AddQuery(&target, "timeoutSeconds", std::to_string(options.timeout_seconds));
  HttpRequest request;
  request.target = target;
  request.timeout = timeout_;
  VTG_ASSIGN_OR_RETURN(auto stream, transport_->OpenStream(request));
  if (stream->status() == 200) return stream;
  Result<std::string> body = stream->ReadAll(timeout_, 1 << 20);
  return StatusFromHttpError(stream->status(), body.ok() ? *body : "", "", "WATCH " + target);
}

}  // namespace vtguard::kube
