// Kubernetes Events about vtguard's objects, with PascalCase reasons (Issued, Renewed,
// RotationPhaseChanged, PolicyViolation, IssuanceFailed, ...).
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/time.h"
#include "operator/object_store.h"

namespace vtguard::op {

enum class EventType { kNormal, kWarning };

class EventRecorder {
 public:
  virtual ~EventRecorder() = default;
  // Records an event about `regarding` (an object with apiVersion, kind and metadata).
  // Failures are logged, never returned: an event is a notification, not state.
  virtual void Record(const Json& regarding, EventType type, std::string_view reason,
                      std::string_view message) = 0;
};

// Writes core/v1 Events through an ObjectStore.
class StoreEventRecorder final : public EventRecorder {
 public:
  StoreEventRecorder(ObjectStore& store, const Clock& clock) : store_(store), clock_(clock) {}
  void Record(const Json& regarding, EventType type, std::string_view reason,
              std::string_view message) override;

 private:
  ObjectStore& store_;
  const Clock& clock_;
  std::mutex mu_;
  std::uint64_t sequence_ = 0;
};

// Keeps events in memory, for tests and the benchmark.
class MemoryEventRecorder final : public EventRecorder {
 public:
  struct Event {
    std::string object;  // "<Kind> <namespace>/<name>"
    EventType type;
    std::string reason;
    std::string message;
  };
  void Record(const Json& regarding, EventType type, std::string_view reason,
              std::string_view message) override;
  std::vector<Event> events() const;
  // Number of recorded events with `reason`.
  int Count(std::string_view reason) const;

 private:
  mutable std::mutex mu_;
  std::vector<Event> events_;
};

}  // namespace vtguard::op
