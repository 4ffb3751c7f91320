// Records Kubernetes Events (events.k8s.io/v1) about objects, folding repeats into one Event.
//
// An Event repeated for the same regarding object, type, reason and note within the
// aggregation window is not created again: the recorder patches the existing Event's
// series.count and series.lastObservedTime instead, as client-go's event broadcaster does.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "common/base/time.h"
#include "common/kube/client.h"

namespace vtguard::kube {

struct ObjectReference {
  std::string api_version;
  std::string kind;
  std::string ns;
  std::string name;
  std::string uid;

  static ObjectReference FromObject(const nlohmann::json& object);
  nlohmann::json ToJson() const;
};

enum class EventType { kNormal, kWarning };

struct EventRecorderOptions {
  std::string reporting_controller = "vtguard.io/operator";
  std::string reporting_instance;  // Usually the pod name.
  std::chrono::seconds aggregation_window{360};
};

class EventRecorder {
 public:
  EventRecorder(std::shared_ptr<Client> client, EventRecorderOptions options,
                const Clock& clock = RealClock::Get());

  // Creates the Event, or bumps the series of an identical recent one. `reason` is PascalCase
  // ("CertificateIssued"); `action` says what was done ("Issue"); `note` is for people and must
  // not contain secrets (a note that holds a PEM private key is replaced).
  Status Record(const ObjectReference& regarding, EventType type, const std::string& reason,
                const std::string& action, const std::string& note);

 private:
  struct Series {
    std::string ns;
    std::string name;
    int count = 1;
    SystemTime last_seen;
  };

  Status CreateEvent(const ObjectReference& regarding, EventType type, const std::string& reason,
                     const std::string& action, const std::string& note, Series* series);

  std::shared_ptr<Client> client_;
  EventRecorderOptions options_;
  const Clock& clock_;
  std::mutex mu_;
  std::map<std::string, Series> series_;  // Aggregation key -> existing Event.
  uint64_t sequence_ = 0;
};

}  // namespace vtguard::kube
