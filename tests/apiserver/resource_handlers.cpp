// CRUD, patch and watch handlers of the test API server.
#include <charconv>
#include <thread>

#include "common/kube/base64.h"
#include "common/kube/selector.h"
#include "tests/apiserver/api_server.h"
#include "tests/apiserver/ids.h"
#include "tests/apiserver/patches.h"
#include "tests/apiserver/server_context.h"

namespace vtguard::testing {
namespace {

std::string ObjectKeyFor(const ServedResource& served, const std::string& ns,
                         const std::string& name) {
  return served.resource.namespaced ? ns + "/" + name : name;
}

std::map<std::string, std::string> Labels(const nlohmann::json& object) {
  std::map<std::string, std::string> labels;
  const nlohmann::json labels_json = object["metadata"].value("labels", nlohmann::json::object());
  for (const auto& [key, value] : labels_json.items()) {
    if (value.is_string()) labels[key] = value.get<std::string>();
  }
  return labels;
}

// A field selector: "metadata.name=x,metadata.namespace!=y", compared as strings.
struct FieldRequirement {
  std::vector<std::string> path;
  std::string value;
  bool equal = true;
};

Result<std::vector<FieldRequirement>> ParseFieldSelector(const std::string& text) {
  std::vector<FieldRequirement> requirements;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string term = text.substr(start, end - start);
    start = end + 1;
    FieldRequirement requirement;
    size_t op = term.find("!=");
    size_t skip = 2;
    if (op != std::string::npos) {
      requirement.equal = false;
    } else if ((op = term.find("==")) == std::string::npos) {
      op = term.find('=');
      skip = 1;
    }
    if (op == std::string::npos || op == 0) {
      return InvalidArgument("field selector term \"" + term + "\" is not key=value");
    }
    std::string field = term.substr(0, op);
    requirement.value = term.substr(op + skip);
    size_t dot_start = 0;
    while (dot_start <= field.size()) {
      size_t dot = field.find('.', dot_start);
      requirement.path.push_back(field.substr(dot_start, dot - dot_start));
      if (dot == std::string::npos) break;
      dot_start = dot + 1;
    }
    requirements.push_back(requirement);
  }
  return requirements;
}

bool MatchesFields(const std::vector<FieldRequirement>& requirements,
                   const nlohmann::json& object) {
  for (const FieldRequirement& requirement : requirements) {
    const nlohmann::json* node = &object;
    for (const std::string& part : requirement.path) {
      if (!node->is_object() || !node->contains(part)) {
        node = nullptr;
        break;
      }
      node = &(*node)[part];
    }
    std::string actual;
    if (node != nullptr) actual = node->is_string() ? node->get<std::string>() : node->dump();
    if ((actual == requirement.value) != requirement.equal) return false;
  }
  return true;
}

// The object without fields the server owns, to tell spec changes from metadata changes.
nlohmann::json SpecPart(nlohmann::json object) {
  object.erase("metadata");
  object.erase("status");
  object.erase("apiVersion");
  object.erase("kind");
  return object;
}

nlohmann::json WithoutVersion(nlohmann::json object) {
  object["metadata"].erase("resourceVersion");
  object["metadata"].erase("managedFields");
  return object;
}

// The API server folds a Secret's write-only stringData into data.
void FoldStringData(const ServedResource& served, nlohmann::json* object) {
  if (!served.resource.group.empty() || served.resource.plural != "secrets") return;
  if (!object->contains("stringData")) return;
  const nlohmann::json string_data = (*object)["stringData"];
  if (string_data.is_object()) {
    for (const auto& [key, value] : string_data.items()) {
      if (value.is_string()) (*object)["data"][key] = kube::Base64Encode(value.get<std::string>());
    }
  }
  object->erase("stringData");
}

bool HasFinalizers(const nlohmann::json& object) {
  const nlohmann::json& metadata = object["metadata"];
  auto finalizers = metadata.find("finalizers");
  return finalizers != metadata.end() && finalizers->is_array() && !finalizers->empty();
}

bool IsBeingDeleted(const nlohmann::json& object) {
  return object["metadata"].contains("deletionTimestamp");
}

// Applies the rules of metadata fields that only a DELETE may set: an update keeps the
// deletionTimestamp and deletionGracePeriodSeconds it found, and once an object is being deleted
// it may lose finalizers but not gain new ones.
Status CarryDeletionFields(const nlohmann::json& old_object, nlohmann::json* updated) {
  nlohmann::json& metadata = (*updated)["metadata"];
  for (const char* field : {"deletionTimestamp", "deletionGracePeriodSeconds"}) {
    metadata.erase(field);
    if (old_object["metadata"].contains(field)) metadata[field] = old_object["metadata"][field];
  }
  if (!IsBeingDeleted(old_object) || !metadata.contains("finalizers")) return Status::Ok();
  const nlohmann::json old_finalizers =
      old_object["metadata"].value("finalizers", nlohmann::json::array());
  const nlohmann::json& finalizers = metadata["finalizers"];
  if (!finalizers.is_array()) return InvalidArgument("metadata.finalizers: must be a list");
  for (size_t i = 0; i < finalizers.size(); ++i) {
    bool known = false;
    for (size_t j = 0; j < old_finalizers.size(); ++j)
      known = known || old_finalizers[j] == finalizers[i];
    if (!known) {
      return InvalidArgument(
          "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being "
          "deleted, found new finalizers " +
          finalizers[i].dump());
    }
  }
  return Status::Ok();
}

void SetTypeMeta(const ServedResource& served, nlohmann::json* object) {
  (*object)["apiVersion"] = served.resource.ApiVersion();
  (*object)["kind"] = served.resource.kind;
}

}  // namespace

void TestApiServer::ServeResource(Context& context) {
  const std::string& verb = context.record.verb;
  const std::string& sub = context.record.subresource;
  if (!sub.empty() && (sub != "status" || !context.served->has_status)) {
    Reply(context, 404,
          StatusBody(404, "NotFound", "the server could not find the requested resource"));
    return;
  }
  if (verb == "get") return ServeGet(context);
  if (verb == "list") return ServeList(context);
  if (verb == "watch") return ServeWatch(context);
  if (verb == "create") return ServeCreate(context);
  if (verb == "update") return ServeUpdate(context);
  if (verb == "patch") return ServePatch(context);
  if (verb == "delete") return ServeDelete(context);
  Reply(context, 405, StatusBody(405, "MethodNotAllowed", verb + " is not supported"));
}

void TestApiServer::ServeGet(Context& context) {
  const ServedResource& served = *context.served;
  std::optional<nlohmann::json> object =
      store_.Get(served.StorageKey(), ObjectKeyFor(served, context.record.ns, context.record.name));
  if (!object) {
    ReplyError(context, NotFound(Describe(served, context.record.name) + " not found"));
    return;
  }
  SetTypeMeta(served, &*object);
  Reply(context, 200, *object);
}

void TestApiServer::ServeList(Context& context) {
  const ServedResource& served = *context.served;
  Result<kube::LabelSelector> labels =
      kube::LabelSelector::Parse(context.request.Query("labelSelector"));
  Result<std::vector<FieldRequirement>> fields =
      ParseFieldSelector(context.request.Query("fieldSelector"));
  if (!labels.ok() || !fields.ok()) {
    Reply(context, 400,
          StatusBody(400, "BadRequest",
                     !labels.ok() ? labels.status().message() : fields.status().message()));
    return;
  }
  int64_t limit = 0;
  const std::string limit_text = context.request.Query("limit");
  std::from_chars(limit_text.data(), limit_text.data() + limit_text.size(), limit);
  const std::string continue_after = context.request.Query("continue");

  std::vector<nlohmann::json> objects;
  uint64_t version = 0;
  {
    std::lock_guard<std::mutex> lock(write_mu_);
    version = store_.CurrentVersion();
    objects = store_.List(served.StorageKey(), context.record.ns);
  }
  nlohmann::json items = nlohmann::json::array();
  std::string next;
  for (nlohmann::json& object : objects) {
    const std::string key = ObjectKeyFor(served, object["metadata"].value("namespace", ""),
                                         object["metadata"].value("name", ""));
    if (!continue_after.empty() && key <= continue_after) continue;
    if (!labels->Matches(Labels(object)) || !MatchesFields(*fields, object)) continue;
    if (limit > 0 && static_cast<int64_t>(items.size()) == limit) {
      next = ObjectKeyFor(served, items.back()["metadata"].value("namespace", ""),
                          items.back()["metadata"].value("name", ""));
      break;
    }
    SetTypeMeta(served, &object);
    items.push_back(std::move(object));
  }
  // NOTE: a continued list reads current data, not a snapshot at the first page's version.
  nlohmann::json metadata = {{"resourceVersion", std::to_string(version)}};
  if (!next.empty()) metadata["continue"] = next;
  Reply(context, 200,
        {{"apiVersion", served.resource.ApiVersion()},
         {"kind", served.resource.kind + "List"},
         {"metadata", metadata},
         {"items", items}});
}

void TestApiServer::ServeWatch(Context& context) {
  const ServedResource& served = *context.served;
  const ServerRequest& request = context.request;
  Result<kube::LabelSelector> labels = kube::LabelSelector::Parse(request.Query("labelSelector"));
  Result<std::vector<FieldRequirement>> fields = ParseFieldSelector(request.Query("fieldSelector"));
  uint64_t version = 0;
  const std::string version_text = request.Query("resourceVersion");
  auto [end, error] =
      std::from_chars(version_text.data(), version_text.data() + version_text.size(), version);
  if (!labels.ok() || !fields.ok() ||
      (!version_text.empty() &&
       (error != std::errc() || end != version_text.data() + version_text.size()))) {
    Reply(context, 400, StatusBody(400, "BadRequest", "invalid watch parameters"));
    return;
  }
  int timeout_seconds = 1800;
  const std::string timeout_text = request.Query("timeoutSeconds");
  std::from_chars(timeout_text.data(), timeout_text.data() + timeout_text.size(), timeout_seconds);
  const bool bookmarks = request.Query("allowWatchBookmarks") == "true";
  const uint64_t generation = watch_generation_;
  const uint64_t truncation = watch_truncation_;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);

  context.record.status = 200;
  LogRequest(context);
  ResponseWriter& writer = context.writer;
  writer.StartChunked(200, "application/json");
  auto selected = [&](const nlohmann::json& object) {
    if (!context.record.ns.empty() &&
        object["metadata"].value("namespace", "") != context.record.ns) {
      return false;
    }
    return labels->Matches(Labels(object)) && MatchesFields(*fields, object);
  };
  auto send = [&](const std::string& type, nlohmann::json object) {
    SetTypeMeta(served, &object);
    std::string line = nlohmann::json{{"type", type}, {"object", object}}.dump() + "\n";
    if (watch_truncation_ != truncation) {
      writer.WriteChunk(line.substr(0, line.size() / 2));
      writer.Abort();
      return false;
    }
    return writer.WriteChunk(line);
  };

  if (version == 0) {
    // No version: start with the current state as ADDED events.
    std::vector<nlohmann::json> objects;
    {
      std::lock_guard<std::mutex> lock(write_mu_);
      version = store_.CurrentVersion();
      objects = store_.List(served.StorageKey(), context.record.ns);
    }
    for (const nlohmann::json& object : objects) {
      if (selected(object) && !send("ADDED", object)) return;
    }
  }
  auto last_bookmark = std::chrono::steady_clock::now();
  for (;;) {
    if (watch_generation_ != generation) {
      writer.Abort();
      return;
    }
    std::vector<StoredEvent> events;
    uint64_t reached = version;
    Status status = store_.EventsSince(version, served.StorageKey(), &events, &reached);
    if (!status.ok()) {
      writer.WriteChunk(nlohmann::json{{"type", "ERROR"},
                                       {"object", StatusBody(410, "Expired", status.message())}}
                            .dump() +
                        "\n");
      writer.FinishChunked();
      return;
    }
    for (const StoredEvent& event : events) {
      if (selected(event.object) && !send(event.type, event.object)) return;
    }
    version = reached;
    auto now = std::chrono::steady_clock::now();
    if (writer.stopping()) return;
    if (now >= deadline) {
      writer.FinishChunked();
      return;
    }
    if (bookmarks && now - last_bookmark >= options_.bookmark_interval) {
      last_bookmark = now;
      nlohmann::json bookmark = {{"metadata", {{"resourceVersion", std::to_string(version)}}}};
      if (!send("BOOKMARK", bookmark)) return;
    }
    auto wait = std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(100),
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) +
            std::chrono::milliseconds(1));
    store_.WaitForChange(version, wait);
  }
}

Result<nlohmann::json> TestApiServer::CreateLocked(Context& context, nlohmann::json object) {
  const ServedResource& served = *context.served;
  if (!object.is_object()) return FailedPrecondition("the request body is not a JSON object");
  nlohmann::json& metadata = object["metadata"];
  if (!metadata.is_object()) metadata = nlohmann::json::object();
  const std::string& ns = context.record.ns;
  if (served.resource.namespaced) {
    if (ns.empty()) return FailedPrecondition("a namespaced object needs a namespace in the path");
    if (metadata.contains("namespace") && metadata["namespace"] != ns) {
      return FailedPrecondition(
          "the namespace of the provided object does not match the namespace sent on the "
          "request");
    }
    metadata["namespace"] = ns;
  } else {
    metadata.erase("namespace");
  }
  std::string name = metadata.value("name", "");
  if (name.empty() && metadata.contains("generateName")) {
    name = metadata["generateName"].get<std::string>() + RandomSuffix(5);
  }
  if (name.empty()) return InvalidArgument("metadata.name: Required value: name is required");
  metadata["name"] = name;
  const std::string key = ObjectKeyFor(served, ns, name);
  if (store_.Get(served.StorageKey(), key)) {
    return AlreadyExists(Describe(served, name) + " already exists");
  }
  if (served.resource.namespaced && !store_.Get("/namespaces", ns)) {
    return NotFound("namespaces \"" + ns + "\" not found");
  }
  SetTypeMeta(served, &object);
  FoldStringData(served, &object);
  if (served.resource.group.empty() && served.resource.plural == "namespaces") {
    metadata["labels"]["kubernetes.io/metadata.name"] = name;
    object["status"] = {{"phase", "Active"}};
  }
  if (served.has_status && served.from_crd) object.erase("status");

  AdmissionAttributes attributes{"CREATE",
                                 served,
                                 "",
                                 ns,
                                 name,
                                 object,
                                 nlohmann::json(),
                                 context.dry_run,
                                 context.record.user,
                                 context.groups};
  VTG_ASSIGN_OR_RETURN(object, admission_->Admit(attributes));
  nlohmann::json& final_metadata = object["metadata"];
  final_metadata["uid"] = NewUuid();
  final_metadata["creationTimestamp"] = NowRfc3339();
  final_metadata["generation"] = 1;
  final_metadata.erase("resourceVersion");
  final_metadata.erase("deletionTimestamp");
  final_metadata.erase("deletionGracePeriodSeconds");
  final_metadata["name"] = name;

  if (served.resource.group == "apiextensions.k8s.io") {
    VTG_RETURN_IF_ERROR(registry_.RegisterCrd(object));
    object["status"] = {
        {"conditions",
         {{{"type", "NamesAccepted"}, {"status", "True"}, {"reason", "NoConflicts"}},
          {{"type", "Established"}, {"status", "True"}, {"reason", "InitialNamesAccepted"}}}},
        {"acceptedNames", object["spec"]["names"]},
        {"storedVersions", nlohmann::json::array()}};
  }
  if (context.dry_run) return object;
  return store_.Put(served.StorageKey(), key, object);
}

Result<nlohmann::json> TestApiServer::UpdateLocked(Context& context,
                                                   const nlohmann::json& old_object,
                                                   nlohmann::json object) {
  const ServedResource& served = *context.served;
  if (!object.is_object()) return FailedPrecondition("the request body is not a JSON object");
  const std::string requested_version =
      object.contains("metadata") ? object["metadata"].value("resourceVersion", "") : "";
  nlohmann::json updated;
  if (context.record.subresource == "status") {
    updated = old_object;
    updated["status"] = object.value("status", nlohmann::json::object());
  } else {
    updated = object;
    if (served.has_status) {
      updated.erase("status");
      if (old_object.contains("status")) updated["status"] = old_object["status"];
    }
  }
  const std::string name = context.record.name;
  if (updated["metadata"].value("name", name) != name) {
    return FailedPrecondition("the name of the object (" + updated["metadata"].value("name", "") +
                              ") does not match the name on the URL (" + name + ")");
  }
  if (!requested_version.empty() &&
      requested_version != old_object["metadata"].value("resourceVersion", "")) {
    return Conflict("Operation cannot be fulfilled on " + Describe(served, name) +
                    ": the object has been modified; please apply your changes to the latest "
                    "version and try again");
  }
  FoldStringData(served, &updated);
  VTG_RETURN_IF_ERROR(CarryDeletionFields(old_object, &updated));
  nlohmann::json& metadata = updated["metadata"];
  for (const char* field : {"uid", "creationTimestamp", "namespace", "name"}) {
    if (old_object["metadata"].contains(field)) metadata[field] = old_object["metadata"][field];
  }
  const int64_t generation = old_object["metadata"].value("generation", int64_t{1});
  metadata["generation"] = SpecPart(updated) != SpecPart(old_object) ? generation + 1 : generation;
  metadata["resourceVersion"] = old_object["metadata"].value("resourceVersion", "");
  SetTypeMeta(served, &updated);

  AdmissionAttributes attributes{
      "UPDATE",   served,          context.record.subresource, context.record.ns, name, updated,
      old_object, context.dry_run, context.record.user,        context.groups};
  VTG_ASSIGN_OR_RETURN(updated, admission_->Admit(attributes));
  if (WithoutVersion(updated) == WithoutVersion(old_object)) return old_object;
  if (served.resource.group == "apiextensions.k8s.io") {
    VTG_RETURN_IF_ERROR(registry_.RegisterCrd(updated));
  }
  if (context.dry_run) return updated;
  const std::string key = ObjectKeyFor(served, context.record.ns, name);
  if (IsBeingDeleted(updated) && !HasFinalizers(updated)) {
    // The last finalizer is gone: the deletion that waited for it completes now, without the
    // update itself, so watchers see one DELETED event as kube-apiserver sends it.
    std::optional<nlohmann::json> removed = store_.Remove(served.StorageKey(), key);
    if (removed) CollectGarbageLocked(*removed, false);
    return updated;
  }
  return store_.Put(served.StorageKey(), key, updated);
}

void TestApiServer::ServeCreate(Context& context) {
  nlohmann::json object = nlohmann::json::parse(context.request.body, nullptr, false);
  Result<nlohmann::json> created = [&]() -> Result<nlohmann::json> {
    std::lock_guard<std::mutex> lock(write_mu_);
    return CreateLocked(context, object);
  }();
  if (!created.ok()) return ReplyError(context, created.status());
  Reply(context, 201, *created);
}

void TestApiServer::ServeUpdate(Context& context) {
  const ServedResource& served = *context.served;
  nlohmann::json object = nlohmann::json::parse(context.request.body, nullptr, false);
  std::lock_guard<std::mutex> lock(write_mu_);
  std::optional<nlohmann::json> old_object =
      store_.Get(served.StorageKey(), ObjectKeyFor(served, context.record.ns, context.record.name));
  if (!old_object) {
    return ReplyError(context, NotFound(Describe(served, context.record.name) + " not found"));
  }
  Result<nlohmann::json> updated = UpdateLocked(context, *old_object, object);
  if (!updated.ok()) return ReplyError(context, updated.status());
  Reply(context, 200, *updated);
}

void TestApiServer::ServePatch(Context& context) {
  const ServedResource& served = *context.served;
  nlohmann::json patch = nlohmann::json::parse(context.request.body, nullptr, false);
  if (patch.is_discarded()) {
    return ReplyError(context, FailedPrecondition("the patch is not valid JSON"));
  }
  std::string content_type = context.request.Header("content-type");
  content_type = content_type.substr(0, content_type.find(';'));
  std::lock_guard<std::mutex> lock(write_mu_);
  std::optional<nlohmann::json> old_object =
      store_.Get(served.StorageKey(), ObjectKeyFor(served, context.record.ns, context.record.name));
  if (!old_object) {
    return ReplyError(context, NotFound(Describe(served, context.record.name) + " not found"));
  }
  Result<nlohmann::json> patched = nlohmann::json();  // Replaced by every branch below.
  if (content_type == "application/merge-patch+json") {
    patched = ApplyMergePatch(*old_object, patch);
  } else if (content_type == "application/json-patch+json") {
    patched = ApplyJsonPatch(*old_object, patch);
  } else if (content_type == "application/strategic-merge-patch+json" && !served.from_crd) {
    patched = ApplyStrategicMergePatch(*old_object, patch);
  } else {
    Reply(context, 415,
          StatusBody(415, "UnsupportedMediaType",
                     "the body of the request was in an unknown format - accepted media types "
                     "include: application/json-patch+json, application/merge-patch+json" +
                         std::string(served.from_crd ? ""
                                                     : ", "
                                                       "application/strategic-merge-patch+"
                                                       "json")));
    return;
  }
  if (!patched.ok()) return ReplyError(context, patched.status());
  Result<nlohmann::json> updated = UpdateLocked(context, *old_object, *patched);
  if (!updated.ok()) return ReplyError(context, updated.status());
  Reply(context, 200, *updated);
}

Result<nlohmann::json> TestApiServer::DeleteLocked(const ServedResource& served,
                                                   const std::string& ns, const std::string& name,
                                                   const nlohmann::json& options,
                                                   Context* context) {
  const std::string key = ObjectKeyFor(served, ns, name);
  std::optional<nlohmann::json> old_object = store_.Get(served.StorageKey(), key);
  if (!old_object) return NotFound(Describe(served, name) + " not found");
  const nlohmann::json preconditions = options.value("preconditions", nlohmann::json::object());
  const std::string uid = (*old_object)["metadata"].value("uid", "");
  const std::string version = (*old_object)["metadata"].value("resourceVersion", "");
  if (preconditions.contains("uid") && preconditions["uid"] != uid) {
    return Conflict("Operation cannot be fulfilled on " + Describe(served, name) +
                    ": Precondition failed: UID in precondition: " +
                    preconditions["uid"].get<std::string>() + ", UID in object meta: " + uid);
  }
  if (preconditions.contains("resourceVersion") && preconditions["resourceVersion"] != version) {
    return Conflict("Operation cannot be fulfilled on " + Describe(served, name) +
                    ": Precondition failed: ResourceVersion in precondition: " +
                    preconditions["resourceVersion"].get<std::string>() +
                    ", ResourceVersion in object meta: " + version);
  }
  bool dry_run = false;
  if (context != nullptr) {
    dry_run = context->dry_run || options.value("dryRun", nlohmann::json::array()).size() > 0;
    AdmissionAttributes attributes{
        "DELETE",       served, "", ns, name, nullptr, *old_object, dry_run, context->record.user,
        context->groups};
    VTG_RETURN_IF_ERROR(admission_->Admit(attributes).status());
  }
  if (HasFinalizers(*old_object)) {
    // Graceful deletion: the object stays, marked, until its finalizers are removed.
    if (IsBeingDeleted(*old_object)) return *old_object;
    nlohmann::json marked = *old_object;
    marked["metadata"]["deletionTimestamp"] = NowRfc3339();
    marked["metadata"]["deletionGracePeriodSeconds"] = 0;
    if (dry_run) return marked;
    return store_.Put(served.StorageKey(), key, marked);
  }
  if (dry_run) return *old_object;
  std::optional<nlohmann::json> removed = store_.Remove(served.StorageKey(), key);
  if (!removed) return NotFound(Describe(served, name) + " not found");
  if (served.resource.group == "apiextensions.k8s.io") {
    registry_.UnregisterCrd(*removed);
    store_.DropResource((*removed)["spec"].value("group", "") + "/" +
                        (*removed)["spec"]["names"].value("plural", ""));
  }
  if (served.resource.group.empty() && served.resource.plural == "namespaces") {
    // The namespace controller's work, done at once: everything inside goes too.
    for (const auto& [storage_key, object] : store_.All()) {
      if (object["metadata"].value("namespace", "") != name) continue;
      const std::string key_inside = name + "/" + object["metadata"].value("name", "");
      if (!store_.Remove(storage_key, key_inside).has_value()) continue;
    }
  }
  CollectGarbageLocked(*removed, options.value("propagationPolicy", "") == "Orphan");
  return *removed;
}

void TestApiServer::CollectGarbageLocked(const nlohmann::json& owner, bool orphan) {
  const std::string owner_uid = owner["metadata"].value("uid", "");
  for (auto [storage_key, object] : store_.All()) {
    nlohmann::json& references = object["metadata"]["ownerReferences"];
    if (!references.is_array()) continue;
    nlohmann::json kept = nlohmann::json::array();
    for (const auto& reference : references) {
      if (reference.value("uid", "") != owner_uid) kept.push_back(reference);
    }
    if (kept.size() == references.size()) continue;
    const std::string ns = object["metadata"].value("namespace", "");
    const std::string name = object["metadata"].value("name", "");
    const std::string key = ns.empty() ? name : ns + "/" + name;
    if (orphan || !kept.empty()) {
      // NOTE: an object with other owners keeps them without checking they still exist.
      references = kept;
      if (kept.empty()) object["metadata"].erase("ownerReferences");
      store_.Put(storage_key, key, object);
      continue;
    }
    std::optional<nlohmann::json> removed = store_.Remove(storage_key, key);
    if (removed) CollectGarbageLocked(*removed, false);
  }
}

void TestApiServer::ServeDelete(Context& context) {
  nlohmann::json options = nlohmann::json::object();
  if (!context.request.body.empty()) {
    options = nlohmann::json::parse(context.request.body, nullptr, false);
    if (!options.is_object()) options = nlohmann::json::object();
  }
  if (context.request.Query("propagationPolicy").size() > 0) {
    options["propagationPolicy"] = context.request.Query("propagationPolicy");
  }
  std::lock_guard<std::mutex> lock(write_mu_);
  Result<nlohmann::json> removed =
      DeleteLocked(*context.served, context.record.ns, context.record.name, options, &context);
  if (!removed.ok()) return ReplyError(context, removed.status());
  SetTypeMeta(*context.served, &*removed);
  Reply(context, 200, *removed);
}

}  // namespace vtguard::testing
