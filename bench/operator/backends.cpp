#include "bench/operator/backends.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <vector>

#include "bench/operator/api_server_process.h"
#include "common/kube/informer.h"
#include "common/vitess/yaml_json.h"
#include "operator/allocator.h"
#include "operator/cache_projection.h"
#include "operator/kube_store.h"
#include "tests/apiserver/api_server.h"
#include "tests/operator/test_env.h"

namespace vtguard::op::bench {

namespace {

constexpr char kNamespace[] = "example";

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

Json ClusterNamed(const Json& example, int i) {
  Json cluster = example;
  cluster["metadata"]["name"] = ClusterName(i);
  cluster["metadata"]["namespace"] = kNamespace;
  return cluster;
}

Json Policy() {
  return {{"apiVersion", "vtguard.io/v1alpha1"},
          {"kind", "VitessTLSPolicy"},
          {"metadata", {{"name", "tls"}, {"namespace", kNamespace}}},
          {"spec", Json::object()}};
}

Json NamespaceObject(const char* name) {
  return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
}

std::string VitessClusterCrdPath() {
  return std::string(VTGUARD_SHARED_DATA_DIR) +
         "/data/vitess-operator/crds/planetscale.com_vitessclusters.yaml";
}

long CurrentRssKib() { return ProcStatusKib("self", "VmRSS"); }

std::int64_t Writes(const MemoryStore& store, const char* plural) {
  auto counts = store.WriteCounts();
  auto it = counts.find(plural);
  return it == counts.end() ? 0 : it->second;
}

// The operator's side of a real API: the client, the informers the vtguard-operator binary
// runs (policies, VitessClusters, vtguard's Secrets, Vitess pods), the KubeStore reading from
// their caches and the aggregating event recorder.
class KubeSide {
 public:
  explicit KubeSide(std::shared_ptr<kube::Client> client)
      : client_(client),
        store_(client),
        events_(std::make_shared<kube::EventRecorder>(client, kube::EventRecorderOptions{})) {}
  ~KubeSide() {
    for (auto& informer : informers_) informer->Stop();
  }

  bool StartAndSync() {
    Inform(kPolicyKind, "");
    Inform(kVitessClusterKind, "");
    Inform(kSecretKind, "app.kubernetes.io/managed-by=vtguard");
    Inform(kPodKind, "planetscale.com/cluster");
    for (auto& informer : informers_) {
      if (!informer->WaitForSync(std::chrono::seconds(120))) return false;
    }
    // As vtguard-operator does once its informers have synced.
    ReleaseFreeMemory();
    return true;
  }

  void Fill(Backend& backend) {
    backend.store = &store_;
    backend.events = &events_;
    backend.connect = [this](Operator& op) {
      std::lock_guard<std::mutex> lock(mu_);
      connected_ = &op;
    };
    backend.disconnect = [this] {
      std::lock_guard<std::mutex> lock(mu_);
      connected_ = nullptr;
    };
  }

 private:
  void Inform(const ResourceKind& kind, const std::string& selector) {
    informers_.push_back(
        std::make_unique<kube::Informer>(client_, OperatorInformerOptions(kind, selector)));
    auto notify = [this, &kind](const Json& object) {
      std::lock_guard<std::mutex> lock(mu_);
      if (connected_ != nullptr) connected_->OnEvent(kind, WatchEventType::kModified, object);
    };
    informers_.back()->AddHandlers(
        {notify, [notify](const Json&, const Json& object) { notify(object); }, notify});
    store_.UseInformer(kind, informers_.back().get());
    informers_.back()->Start();
  }

  std::shared_ptr<kube::Client> client_;
  KubeStore store_;
  KubeEventRecorder events_;
  std::vector<std::unique_ptr<kube::Informer>> informers_;
  std::mutex mu_;
  Operator* connected_ = nullptr;
};

// Writes the objects of the benchmark as JSON documents of a YAML stream, at most 500
// VitessClusters per file (the test API server reads files of up to 16 MiB).
Result<std::vector<std::filesystem::path>> WriteSeedFiles(const std::filesystem::path& dir,
                                                          int clusters) {
  const Json example = LoadExampleCluster();
  std::vector<std::filesystem::path> files = {VitessClusterCrdPath()};
  std::vector<Json> head = {NamespaceObject(kNamespace), NamespaceObject("vtguard-system"),
                            testing::PolicyCrd()};
  constexpr int kClustersPerFile = 500;
  for (int first = 0; first == 0 || first < clusters; first += kClustersPerFile) {
    files.push_back(dir / ("objects-" + std::to_string(first) + ".yaml"));
    std::ofstream out(files.back());
    for (const Json& object : head) out << "---\n" << object.dump() << "\n";
    head.clear();
    for (int i = first; i < std::min(clusters, first + kClustersPerFile); ++i) {
      out << "---\n" << ClusterNamed(example, i).dump() << "\n";
    }
    if (first + kClustersPerFile >= clusters) out << "---\n" << Policy().dump() << "\n";
    if (!out) return Internal("writing " + files.back().string() + " failed");
  }
  return files;
}

}  // namespace

std::string ClusterName(int i) {
  char name[32];
  std::snprintf(name, sizeof(name), "cluster-%04d", i);
  return name;
}

int RunInMemory(const BenchOptions& options, const MeasureFunction& measure) {
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
  backend.description = "MemoryStore in this process";
  backend.store = &store;
  backend.events = &events;
  backend.object_writes = [&] { return store.TotalWrites() - Writes(store, "events"); };
  backend.event_writes = [&] { return Writes(store, "events"); };
  backend.connect = [&](Operator& op) {
    std::lock_guard<std::mutex> lock(mu);
    connected = &op;
  };
  backend.disconnect = [&] {
    std::lock_guard<std::mutex> lock(mu);
    connected = nullptr;
  };
  backend.loaded_rss_kib = CurrentRssKib();
  return measure(backend);
}

int RunInProcessApiServer(const BenchOptions& options, const MeasureFunction& measure) {
  vtguard::testing::TestApiServerOptions server_options;
  server_options.event_window = 200000;
  auto server = vtguard::testing::TestApiServer::Start(server_options);
  if (!server.ok()) return 2;
  if (!(*server)->ApplyYamlFile(VitessClusterCrdPath()).ok() ||
      !(*server)->CreateObject(testing::PolicyCrd()).ok()) {
    return 2;
  }
  for (const char* ns : {kNamespace, "vtguard-system"}) {
    (void)(*server)->CreateObject(NamespaceObject(ns));
  }
  const Json example = LoadExampleCluster();
  for (int i = 0; i < options.clusters; ++i) {
    if (!(*server)->CreateObject(ClusterNamed(example, i)).ok()) return 2;
  }
  if (!(*server)->CreateObject(Policy()).ok()) return 2;
  (*server)->ClearRequestLog();

  auto client = kube::Client::Create((*server)->ClientConfig());
  if (!client.ok()) return 2;
  KubeSide side(*client);
  if (!side.StartAndSync()) return 2;
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
  backend.description = "test API server in this process, over HTTPS";
  side.Fill(backend);
  backend.object_writes = [&] { return count(false); };
  backend.event_writes = [&] { return count(true); };
  backend.loaded_rss_kib = CurrentRssKib();
  return measure(backend);
}

int RunApiServerProcess(const BenchOptions& options, const MeasureFunction& measure) {
  char dir_template[] = "/tmp/operator-cold-start-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) return 2;
  const std::filesystem::path dir = dir_template;
  Result<std::vector<std::filesystem::path>> files = WriteSeedFiles(dir, options.clusters);
  if (!files.ok()) {
    std::fprintf(stderr, "%s\n", files.status().ToString().c_str());
    return 2;
  }
  int result = 2;
  {
    auto server = ApiServerProcess::Start(options.api_server_binary, dir, *files);
    if (!server.ok()) {
      std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
      return 2;
    }
    auto config = kube::LoadKubeconfig((*server)->kubeconfig().string());
    if (!config.ok()) return 2;
    auto client = kube::Client::Create(*config);
    if (!client.ok()) return 2;
    KubeSide side(*client);
    if (!side.StartAndSync()) return 2;
    auto count = [&](bool events_only) -> std::int64_t {
      Result<RequestCounts> counts = (*server)->CountWrites();
      if (!counts.ok()) {
        std::fprintf(stderr, "%s\n", counts.status().ToString().c_str());
        std::exit(2);
      }
      return events_only ? counts->event_writes : counts->object_writes;
    };
    Backend backend;
    backend.description = "vtguard-test-apiserver in a separate process, over HTTPS";
    side.Fill(backend);
    backend.object_writes = [&] { return count(false); };
    backend.event_writes = [&] { return count(true); };
    backend.api_server_peak_kib = [&] { return (*server)->PeakRssKib(); };
    backend.loaded_rss_kib = CurrentRssKib();
    result = measure(backend);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return result;
}

}  // namespace vtguard::op::bench
