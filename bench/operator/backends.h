// The three APIs the cold-start benchmark runs the operator against, each loaded with the same
// N VitessClusters and one default VitessTLSPolicy in namespace "example".
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "operator/events.h"
#include "operator/object_store.h"
#include "operator/operator.h"

namespace vtguard::op::bench {

enum class Api {
  kMemory,     // MemoryStore in this process: no HTTPS, no JSON on a wire, no informer caches.
  kInProcess,  // The test API server in this process, reached over HTTPS through informers.
  kProcess,    // vtguard-test-apiserver as a separate process; this process holds the operator.
};

struct BenchOptions {
  int clusters = 1000;
  int workers = 2;
  int quiet_seconds = 5;
  Api api = Api::kMemory;
  std::string api_server_binary;  // For Api::kProcess.
};

// The API under test: where objects live and how writes are counted.
struct Backend {
  std::string description;
  ObjectStore* store = nullptr;
  EventRecorder* events = nullptr;
  std::function<std::int64_t()> object_writes;  // Writes other than Events.
  std::function<std::int64_t()> event_writes;
  // Connects object changes to the operator's OnEvent, and disconnects them.
  std::function<void(Operator&)> connect;
  std::function<void()> disconnect;
  // RSS of this process once the objects were loaded (and, with an API server, once the
  // informers had synced), before the operator started.
  long loaded_rss_kib = 0;
  // Peak RSS of the API server process in KiB, or -1 when the server is in this process.
  std::function<long()> api_server_peak_kib = [] { return -1L; };
};

using MeasureFunction = std::function<int(Backend&)>;

// Each loads the objects, builds the Backend, calls `measure` and returns its result (2 when
// the setup failed).
int RunInMemory(const BenchOptions& options, const MeasureFunction& measure);
int RunInProcessApiServer(const BenchOptions& options, const MeasureFunction& measure);
int RunApiServerProcess(const BenchOptions& options, const MeasureFunction& measure);

// "cluster-0000" ... for i = 0 ...
std::string ClusterName(int i);

}  // namespace vtguard::op::bench
