// Cold start of the operator over N VitessClusters (the vitess-operator 101 example renamed):
// wall time until every cluster is Secured, API writes per cluster, peak RSS, and the writes
// of a quiet period in which nothing changes (must be zero).
//
//   operator_cold_start [--clusters N] [--workers W] [--quiet-seconds S]
//
// The API is vtguard's in-memory ObjectStore (MemoryStore), which applies the API server's
// resourceVersion and status rules but has no network, TLS or JSON wire cost.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "common/base/log.h"
#include "common/vitess/yaml_json.h"
#include "operator/operator.h"

namespace vtguard::op {
namespace {

struct Options {
  int clusters = 1000;
  int workers = 2;
  int quiet_seconds = 5;
};

Options ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    int value = std::atoi(argv[i + 1]);
    if (flag == "--clusters") options.clusters = value;
    if (flag == "--workers") options.workers = value;
    if (flag == "--quiet-seconds") options.quiet_seconds = value;
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

int Run(const Options& options) {
  log::SetLevel(log::Level::kWarn);
  MemoryStore store;
  StoreEventRecorder events(store, RealClock::Get());
  OperatorMetrics metrics;
  OperatorOptions operator_options;
  Operator op(store, events, &metrics, RealClock::Get(), operator_options);

  const Json example = LoadExampleCluster();
  for (int i = 0; i < options.clusters; ++i) {
    Json cluster = example;
    char name[32];
    std::snprintf(name, sizeof(name), "cluster-%04d", i);
    cluster["metadata"]["name"] = name;
    if (!store.Create(kVitessClusterKind, cluster).ok()) return 2;
  }
  Json policy = {{"apiVersion", "vtguard.io/v1alpha1"},
                 {"kind", "VitessTLSPolicy"},
                 {"metadata", {{"name", "tls"}, {"namespace", "example"}}},
                 {"spec", Json::object()}};
  if (!store.Create(kPolicyKind, policy).ok()) return 2;
  const std::int64_t setup_writes = store.TotalWrites();
  const long store_rss_kib = PeakRssKib();
  store.AddWatcher([&](const ResourceKind& kind, WatchEventType type, const Json& object) {
    op.OnEvent(kind, type, object);
  });

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
      std::fprintf(stderr, "timed out with %d of %d clusters secured\n", secured,
                   options.clusters);
      return 1;
    }
  }
  const double cold_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // Let batched writes (policy status, trust bundle) and the follow-up reconciles finish:
  // wait until no write happened for three seconds.
  for (std::int64_t last = -1; last != store.TotalWrites();) {
    last = store.TotalWrites();
    std::this_thread::sleep_for(std::chrono::seconds(3));
  }
  const std::int64_t event_writes = Writes(store, "events");
  const std::int64_t object_writes = store.TotalWrites() - setup_writes - event_writes;

  // Quiet period: a full resync every second, nothing changes.
  const std::int64_t before_quiet = store.TotalWrites();
  for (int s = 0; s < options.quiet_seconds; ++s) {
    if (!op.ResyncAll().ok()) return 2;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  const std::int64_t quiet_writes = store.TotalWrites() - before_quiet;
  op.Stop();
  std::size_t stored_bytes = 0;
  for (const ResourceKind* kind : {&kVitessClusterKind, &kSecretKind, &kEventKind, &kPolicyKind}) {
    Result<std::vector<Json>> objects = store.List(*kind, "", {});
    if (!objects.ok()) continue;
    for (const Json& object : *objects) stored_bytes += object.dump().size();
  }

  std::printf("clusters                 %d\n", options.clusters);
  std::printf("workers                  %d\n", options.workers);
  std::printf("cold start to Secured    %.2f s\n", cold_seconds);
  std::printf("object writes            %lld (%.2f per cluster)\n",
              static_cast<long long>(object_writes),
              static_cast<double>(object_writes) / options.clusters);
  std::printf("  secrets                %lld\n", static_cast<long long>(Writes(store, "secrets")));
  std::printf("  vitessclusters         %lld (including %d creations)\n",
              static_cast<long long>(Writes(store, "vitessclusters")), options.clusters);
  std::printf("  vitesstlspolicies      %lld (including 1 creation)\n",
              static_cast<long long>(Writes(store, "vitesstlspolicies")));
  std::printf("event writes             %lld (%.2f per cluster)\n",
              static_cast<long long>(event_writes),
              static_cast<double>(event_writes) / options.clusters);
  std::printf("quiet-period writes      %lld over %d resyncs\n",
              static_cast<long long>(quiet_writes), options.quiet_seconds);
  std::printf("peak RSS                 %.1f MiB\n", PeakRssKib() / 1024.0);
  std::printf("  serialized size of every stored object: %.1f MiB\n",
              static_cast<double>(stored_bytes) / (1024 * 1024));
  std::printf("  RSS with the store loaded, before the operator started: %.1f MiB\n",
              store_rss_kib / 1024.0);
  return quiet_writes == 0 ? 0 : 1;
}

}  // namespace
}  // namespace vtguard::op

int main(int argc, char** argv) {
  return vtguard::op::Run(vtguard::op::ParseOptions(argc, argv));
}
