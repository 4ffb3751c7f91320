#include "common/kube/event_recorder.h"

#include <cstdio>

#include "common/base/json_fields.h"
#include "common/base/log.h"
#include "common/kube/leader_election.h"

namespace vtguard::kube {

ObjectReference ObjectReference::FromObject(const nlohmann::json& object) {
  ObjectReference reference;
  reference.api_version = StringMember(object, "apiVersion");
  reference.kind = StringMember(object, "kind");
  const nlohmann::json metadata = MemberOr(object, "metadata", nlohmann::json::object());
  reference.ns = StringMember(metadata, "namespace");
  reference.name = StringMember(metadata, "name");
  reference.uid = StringMember(metadata, "uid");
  return reference;
}

nlohmann::json ObjectReference::ToJson() const {
  nlohmann::json out = {{"apiVersion", api_version}, {"kind", kind}, {"name", name}};
  if (!ns.empty()) out["namespace"] = ns;
  if (!uid.empty()) out["uid"] = uid;
  return out;
}

EventRecorder::EventRecorder(std::shared_ptr<Client> client, EventRecorderOptions options,
                             const Clock& clock)
    : client_(std::move(client)), options_(std::move(options)), clock_(clock) {}

Status EventRecorder::CreateEvent(const ObjectReference& regarding, EventType type,
                                  const std::string& reason, const std::string& action,
                                  const std::string& note, Series* series) {
  SystemTime now = clock_.Now();
  // Names follow the "<object>.<unique suffix>" pattern of client-go.
  char suffix[32];
  std::snprintf(
      suffix, sizeof(suffix), "%llx%04llx",
      static_cast<unsigned long long>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count()),
      static_cast<unsigned long long>(++sequence_ & 0xffff));
  const std::string ns = regarding.ns.empty() ? "default" : regarding.ns;
  nlohmann::json event = {
      {"apiVersion", "events.k8s.io/v1"},
      {"kind", "Event"},
      {"metadata", {{"name", regarding.name + "." + suffix}, {"namespace", ns}}},
      {"eventTime", FormatMicroTime(now)},
      {"reportingController", options_.reporting_controller},
      {"reportingInstance", options_.reporting_instance},
      {"action", action},
      {"reason", reason},
      {"note", note},
      {"type", type == EventType::kWarning ? "Warning" : "Normal"},
      {"regarding", regarding.ToJson()}};
  VTG_ASSIGN_OR_RETURN(nlohmann::json created, client_->Create(EventsResource(), ns, event));
  series->ns = ns;
  series->name = StringMember(created["metadata"], "name");
  series->count = 1;
  series->last_seen = now;
  return Status::Ok();
}

Status EventRecorder::Record(const ObjectReference& regarding, EventType type,
                             const std::string& reason, const std::string& action,
                             const std::string& note_text) {
  std::string note = log::ContainsPrivateKey(note_text) ? "[redacted]" : note_text;
  // The API server limits an event note to 1 KiB.
  if (note.size() > 1024) note.resize(1024);
  const std::string key = regarding.api_version + "|" + regarding.kind + "|" + regarding.ns + "|" +
                          regarding.name + "|" + regarding.uid + "|" +
                          (type == EventType::kWarning ? "W" : "N") + "|" + reason + "|" + note;
  std::lock_guard<std::mutex> lock(mu_);
  SystemTime now = clock_.Now();
  auto it = series_.find(key);
  if (it != series_.end() && now - it->second.last_seen < options_.aggregation_window) {
    Series& series = it->second;
    nlohmann::json patch = {
        {"series", {{"count", series.count + 1}, {"lastObservedTime", FormatMicroTime(now)}}}};
    Status patched =
        client_->Patch(EventsResource(), series.ns, series.name, PatchType::kMerge, patch).status();
    if (patched.ok()) {
      ++series.count;
      series.last_seen = now;
      return Status::Ok();
    }
    if (patched.code() != ErrorCode::kNotFound) return patched;
    // The Event expired on the server; start a new one.
  }
  Series series;
  VTG_RETURN_IF_ERROR(CreateEvent(regarding, type, reason, action, note, &series));
  series_[key] = series;
  return Status::Ok();
}

}  // namespace vtguard::kube
