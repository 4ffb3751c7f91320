// Cold start of the operator over N VitessClusters (the vitess-operator 101 example renamed):
// wall time until every cluster is Secured, API writes per cluster, peak RSS, and the writes
// of a quiet period in which nothing changes (must be zero).
//
//   operator_cold_start [--clusters N] [--workers W] [--quiet-seconds S] [--api-server 1]
//
// By default the API is vtguard's in-memory ObjectStore (MemoryStore), which applies the API
// server's resourceVersion and status rules but has no network, TLS or JSON wire cost. With
// --api-server 1 the operator talks HTTPS to the in-process test API server through the real
// client and informers, as the vtguard-operator binary does.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "common/base/log.h"
#include "common/kube/informer.h"
#include "common/vitess/yaml_json.h"
#include "operator/kube_store.h"
#include "operator/operator.h"
#include "tests/apiserver/api_server.h"
#include "tests/operator/test_env.h"

namespace vtguard::op {
namespace {

struct Options {
  int clusters = 1000;
  int workers = 2;
  int quiet_seconds = 5;
  bool api_server = false;
};

Options ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    int value = std::atoi(argv[i + 1]);
    if (flag == "--clusters") options.clusters = value;
    if (flag == "--workers") options.workers = value;
    if (flag == "--quiet-seconds") options.quiet_seconds = value;
    if (flag == "--api-server") options.api_server = value != 0;
  }
  return options;
}

Json LoadExampleCluster() {
  std::ifstream in(std::string(VTGUARD_SHARED_DATA_DIR) +
                   "/data/vitess-operator/101_initial_cluster.yaml");
  std::stringstream text;
  text << in.rdbuf();
  auto documents = vitess::ParseYamlDocuments(text.str());
  if (!documents.ok()) {
    std::fprintf(stderr, "cannot read the example manifest: %s\n",
                 documents.status().ToString().c_str());
    std::exit(2);
  }
  for (const auto& document : *documents) {
    if (document.value("kind", "") == "VitessCluster") return Json::parse(document.dump());
  }
  std::fprintf(stderr, "the example manifest has no VitessCluster\n");
  std::exit(2);
}

long PeakRssKib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

std::int64_t Writes(const MemoryStore& store, const char* plural) {
  auto counts = store.WriteCounts();
  auto it = counts.find(plural);
  return it == counts.end() ? 0 : it->second;
}

// The API under test: where objects live and how writes are counted.
struct Backend {
  ObjectStore* store = nullptr;
  EventRecorder* events = nullptr;
  std::function<std::int64_t()> object_writes;  // Writes other than Events.
  std::function<std::int64_t()> event_writes;
  std::function<std::size_t()> stored_bytes;
  // Connects object changes to the operator's OnEvent.
  std::function<void(Operator&)> connect;
  std::function<void()> disconnect;
};

Json ClusterNamed(const Json& example, int i) {
  Json cluster = example;
  char name[32];
  std::snprintf(name, sizeof(name), "cluster-%04d", i);
  cluster["metadata"]["name"] = name;
  cluster["metadata"]["namespace"] = "example";
  return cluster;
}

Json Policy() {
  return {{"apiVersion", "vtguard.io/v1alpha1"},
          {"kind", "VitessTLSPolicy"},
          {"metadata", {{"name", "tls"}, {"namespace", "example"}}},
          {"spec", Json::object()}};
}

int Measure(const Options& options, Backend& backend, long store_rss_kib) {
  OperatorMetrics metrics;
  Operator op(*backend.store, *backend.events, &metrics, RealClock::Get(), OperatorOptions{});
  const std::int64_t setup_writes = backend.object_writes();
  backend.connect(op);

  const auto started = std::chrono::steady_clock::now();
  if (!op.ResyncAll().ok()) return 2;
  op.Start(options.workers);
  int secured = 0;
  while (secured < options.clusters) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    secured = 0;
    for (int i = 0; i < options.clusters; ++i) {
      char name[32];
      std::snprintf(name, sizeof(name), "cluster-%04d", i);
      auto status = op.ClusterStatusOf("example", name);
      if (status && status->phase == ClusterPhase::kSecured) ++secured;
    }
    if (std::chrono::steady_clock::now() - started > std::chrono::minutes(5)) {
      std::fprintf(stderr, "timed out with %d of %d clusters secured\n", secured, options.clusters);
      return 1;
    }
  }
  const double cold_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // Let batched writes (policy status, trust bundle) and the follow-up reconciles finish:
  // wait until no write happened for three seconds.
  for (std::int64_t last = -1; last != backend.object_writes();) {
    last = backend.object_writes();
    std::this_thread::sleep_for(std::chrono::seconds(3));
  }
  const std::int64_t object_writes = backend.object_writes() - setup_writes;
  const std::int64_t event_writes = backend.event_writes();

  // Quiet period: a full resync every second, nothing changes.
  const std::int64_t before_quiet = backend.object_writes() + backend.event_writes();
  for (int s = 0; s < options.quiet_seconds; ++s) {
    if (!op.ResyncAll().ok()) return 2;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  const std::int64_t quiet_writes = backend.object_writes() + backend.event_writes() - before_quiet;
  op.Stop();
  backend.disconnect();

  std::printf("API                      %s\n",
              options.api_server ? "in-process test API server over HTTPS" : "MemoryStore");
  std::printf("clusters                 %d\n", options.clusters);
  std::printf("workers                  %d\n", options.workers);
  std::printf("cold start to Secured    %.2f s\n", cold_seconds);
  std::printf("object writes            %lld (%.2f per cluster)\n",
              static_cast<long long>(object_writes),
              static_cast<double>(object_writes) / options.clusters);
  std::printf("event writes             %lld (%.2f per cluster)\n",
              static_cast<long long>(event_writes),
              static_cast<double>(event_writes) / options.clusters);
  std::printf("quiet-period writes      %lld over %d resyncs\n",
              static_cast<long long>(quiet_writes), options.quiet_seconds);
  std::printf("peak RSS                 %.1f MiB\n", PeakRssKib() / 1024.0);
  std::printf("  serialized size of every stored object: %.1f MiB\n",
              static_cast<double>(backend.stored_bytes()) / (1024 * 1024));
  std::printf("  RSS with the store loaded, before the operator started: %.1f MiB\n",
              store_rss_kib / 1024.0);
  return quiet_writes == 0 ? 0 : 1;
}

int RunInMemory(const Options& options) {
  MemoryStore store;
  StoreEventRecorder events(store, RealClock::Get());
  const Json example = LoadExampleCluster();
  for (int i = 0; i < options.clusters; ++i) {
    if (!store.Create(kVitessClusterKind, ClusterNamed(example, i)).ok()) return 2;
  }
  if (!store.Create(kPolicyKind, Policy()).ok()) return 2;
  Operator* connected = nullptr;
  std::mutex mu;
  store.AddWatcher([&](const ResourceKind& kind, WatchEventType type, const Json& object) {
    std::lock_guard<std::mutex> lock(mu);
    if (connected != nullptr) connected->OnEvent(kind, type, object);
  });
  Backend backend;
  backend.store = &store;
  backend.events = &events;
  backend.object_writes = [&] { return store.TotalWrites() - Writes(store, "events"); };
  backend.event_writes = [&] { return Writes(store, "events"); };
  backend.stored_bytes = [&] {
    std::size_t bytes = 0;
    for (const ResourceKind* kind :
         {&kVitessClusterKind, &kSecretKind, &kEventKind, &kPolicyKind}) {
      Result<std::vector<Json>> objects = store.List(*kind, "", {});
      if (!objects.ok()) continue;
      for (const Json& object : *objects) bytes += object.dump().size();
    }
    return bytes;
  };
  backend.connect = [&](Operator& op) {
    std::lock_guard<std::mutex> lock(mu);
    connected = &op;
  };
  backend.disconnect = [&] {
    std::lock_guard<std::mutex> lock(mu);
    connected = nullptr;
  };
  return Measure(options, backend, PeakRssKib());
}

int RunAgainstApiServer(const Options& options) {
  vtguard::testing::TestApiServerOptions server_options;
  server_options.event_window = 200000;
  auto server = vtguard::testing::TestApiServer::Start(server_options);
  if (!server.ok()) return 2;
  if (!(*server)
           ->ApplyYamlFile(std::string(VTGUARD_SHARED_DATA_DIR) +
                           "/data/vitess-operator/crds/planetscale.com_vitessclusters.yaml")
           .ok() ||
      !(*server)->CreateObject(testing::PolicyCrd()).ok()) {
    return 2;
  }
  for (const char* ns : {"example", "vtguard-system"}) {
    (void)(*server)->CreateObject(
        {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
  }
  const Json example = LoadExampleCluster();
  for (int i = 0; i < options.clusters; ++i) {
    if (!(*server)->CreateObject(ClusterNamed(example, i)).ok()) return 2;
  }
  if (!(*server)->CreateObject(Policy()).ok()) return 2;
  const long store_rss_kib = PeakRssKib();
  (*server)->ClearRequestLog();

  auto client = kube::Client::Create((*server)->ClientConfig());
  if (!client.ok()) return 2;
  KubeStore store(*client);
  KubeEventRecorder events(
      std::make_shared<kube::EventRecorder>(*client, kube::EventRecorderOptions{}));
  std::vector<std::unique_ptr<kube::Informer>> informers;
  Operator* connected = nullptr;
  std::mutex mu;
  auto inform = [&](const ResourceKind& kind, const std::string& selector) {
    kube::InformerOptions informer_options;
    informer_options.resource = ToKubeResource(kind);
    informer_options.label_selector = selector;
    informers.push_back(std::make_unique<kube::Informer>(*client, informer_options));
    auto notify = [&mu, &connected, &kind](const Json& object) {
      std::lock_guard<std::mutex> lock(mu);
      if (connected != nullptr) connected->OnEvent(kind, WatchEventType::kModified, object);
    };
    informers.back()->AddHandlers(
        {notify, [notify](const Json&, const Json& object) { notify(object); }, notify});
    store.UseInformer(kind, informers.back().get());
    informers.back()->Start();
  };
  inform(kPolicyKind, "");
  inform(kVitessClusterKind, "");
  inform(kSecretKind, "app.kubernetes.io/managed-by=vtguard");
  inform(kPodKind, "planetscale.com/cluster");
  for (auto& informer : informers) {
    if (!informer->WaitForSync(std::chrono::seconds(60))) return 2;
  }
  auto count = [&](bool events_only) {
    std::int64_t writes = 0;
    for (const auto& record : (*server)->RequestLog()) {
      bool write = record.verb == "create" || record.verb == "update" || record.verb == "patch";
      bool event = record.resource == "events";
      if (write && event == events_only) ++writes;
    }
    return writes;
  };
  Backend backend;
  backend.store = &store;
  backend.events = &events;
  backend.object_writes = [&] { return count(false); };
  backend.event_writes = [&] { return count(true); };
  backend.stored_bytes = [&] {
    std::size_t bytes = 0;
    for (const ResourceKind* kind : {&kVitessClusterKind, &kSecretKind, &kPolicyKind}) {
      Result<std::vector<Json>> objects = store.List(*kind, "", {});
      if (!objects.ok()) continue;
      for (const Json& object : *objects) bytes += object.dump().size();
    }
    return bytes;
  };
  backend.connect = [&](Operator& op) {
    std::lock_guard<std::mutex> lock(mu);
    connected = &op;
  };
  backend.disconnect = [&] {
    std::lock_guard<std::mutex> lock(mu);
    connected = nullptr;
  };
  int result = Measure(options, backend, store_rss_kib);
  for (auto& informer : informers) informer->Stop();
  return result;
}

int Run(const Options& options) {
  log::SetLevel(log::Level::kWarn);
  return options.api_server ? RunAgainstApiServer(options) : RunInMemory(options);
}

}  // namespace
}  // namespace vtguard::op

int main(int argc, char** argv) { return vtguard::op::Run(vtguard::op::ParseOptions(argc, argv)); }
