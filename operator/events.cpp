#include "operator/events.h"

#include <cstdio>

#include "common/base/json_fields.h"
#include "common/base/log.h"

namespace vtguard::op {

void StoreEventRecorder::Record(const Json& regarding, EventType type, std::string_view reason,
                                std::string_view message) {
  std::uint64_t sequence = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sequence = ++sequence_;
  }
  const std::string name = MetadataString(regarding, "name");
  const std::string ns = MetadataString(regarding, "namespace");
  const std::string now = FormatRfc3339(clock_.Now());
  char suffix[32];
  std::snprintf(suffix, sizeof(suffix), ".%llx%llx",
                static_cast<unsigned long long>(clock_.Now().time_since_epoch().count()),
                static_cast<unsigned long long>(sequence));
  Json event = {{"apiVersion", "v1"},
                {"kind", "Event"},
                {"metadata", {{"name", name + suffix}, {"namespace", ns.empty() ? "default" : ns}}},
                {"involvedObject",
                 {{"apiVersion", StringMember(regarding, "apiVersion")},
                  {"kind", StringMember(regarding, "kind")},
                  {"name", name},
                  {"namespace", ns},
                  {"uid", MetadataString(regarding, "uid")}}},
                {"reason", reason},
                {"message", message},
                {"type", type == EventType::kWarning ? "Warning" : "Normal"},
                {"source", {{"component", "vtguard-operator"}}},
                {"firstTimestamp", now},
                {"lastTimestamp", now},
                {"count", 1}};
  Result<Json> created = store_.Create(kEventKind, event);
  if (!created.ok()) {
    log::Warn("Recording an event failed.", {{log::Key::kReason, reason},
                                             {log::Key::kName, name},
                                             {log::Key::kError, created.status().ToString()}});
  }
}

void MemoryEventRecorder::Record(const Json& regarding, EventType type, std::string_view reason,
                                 std::string_view message) {
  std::lock_guard<std::mutex> lock(mu_);
  events_.push_back({StringMember(regarding, "kind") + " " +
                         MetadataString(regarding, "namespace") + "/" +
                         MetadataString(regarding, "name"),
                     type, std::string(reason), std::string(message)});
}

std::vector<MemoryEventRecorder::Event> MemoryEventRecorder::events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

int MemoryEventRecorder::Count(std::string_view reason) const {
  std::lock_guard<std::mutex> lock(mu_);
  int count = 0;
  for (const Event& event : events_) count += event.reason == reason ? 1 : 0;
  return count;
}

}  // namespace vtguard::op
