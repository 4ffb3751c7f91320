// vtguard-operator: issues, renews and rotates the TLS certificates of the VitessClusters that
// VitessTLSPolicies select, and keeps their TLS configuration in step. See operator/operator.h
// for the reconcile keys and operator/rotation.h for the CA rotation phases.
#include <boost/asio/io_context.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include "common/base/log.h"
#include "common/http/server.h"
#include "common/kube/informer.h"
#include "common/kube/leader_election.h"
#include "operator/allocator.h"
#include "operator/cache_projection.h"
#include "operator/kube_store.h"
#include "operator/offset_clock.h"
#include "operator/operator.h"
#include "operator/operator_flags.h"

namespace vtguard::op {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

http::Response TextResponse(boost::beast::http::status status, std::string body,
                            const char* content_type = "text/plain; charset=utf-8") {
  http::Response response(status, 11);
  response.set(boost::beast::http::field::content_type, content_type);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

struct Informers {
  std::vector<std::unique_ptr<kube::Informer>> all;
  // `ns` empty: every namespace.
  kube::Informer* Add(std::shared_ptr<kube::Client> client, const ResourceKind& kind,
                      std::string label_selector = "", std::string field_selector = "",
                      std::string ns = "") {
    kube::InformerOptions options =
        OperatorInformerOptions(kind, std::move(label_selector), std::move(field_selector));
    options.ns = std::move(ns);
    all.push_back(std::make_unique<kube::Informer>(std::move(client), options));
    return all.back().get();
  }
  bool Synced() const {
    for (const auto& informer : all) {
      if (!informer->HasSynced()) return false;
    }
    return true;
  }
};

int Run(const OperatorFlags& flags) {
  log::Level level;
  if (!log::ParseLevel(flags.log_level, &level)) {
    std::cerr << "--log-level: invalid value \"" << flags.log_level
              << "\"; use debug, info, warn or error\n";
    return 2;
  }
  log::SetLevel(level);

  Result<kube::ClientConfig> config = flags.kubeconfig.empty()
                                          ? kube::LoadInClusterConfig()
                                          : kube::LoadKubeconfig(flags.kubeconfig);
  if (!config.ok()) {
    log::Error("Loading the Kubernetes configuration failed.",
               {{log::Key::kError, config.status().ToString()}});
    return 2;
  }
  Result<std::shared_ptr<kube::Client>> client = kube::Client::Create(*config);
  if (!client.ok()) {
    log::Error("Creating the Kubernetes client failed.",
               {{log::Key::kError, client.status().ToString()}});
    return 2;
  }

  std::unique_ptr<OffsetClock> offset_clock;
  const Clock* clock = &RealClock::Get();
  if (!flags.clock_offset_file.empty()) {
    log::Warn("Running with a clock offset file; use this only in tests and demonstrations.",
              {{log::Key::kFile, flags.clock_offset_file}});
    offset_clock = std::make_unique<OffsetClock>(flags.clock_offset_file, RealClock::Get());
    clock = offset_clock.get();
  }

  KubeStore store(*client);
  kube::EventRecorderOptions event_options;
  event_options.reporting_controller = "vtguard.io/operator";
  KubeEventRecorder events(std::make_shared<kube::EventRecorder>(*client, event_options, *clock));
  OperatorMetrics metrics;
  OperatorOptions options;
  options.namespace_ = flags.namespace_;
  options.trust_bundle_namespace = flags.trust_bundle_namespace;
  options.webhook_service = flags.webhook_service;
  options.webhook_secret = flags.webhook_secret;
  options.webhook_configuration = flags.webhook_configuration;
  options.manage_webhook_certificate = flags.manage_webhook_certificate;
  Operator op(store, events, &metrics, *clock, options);

  // Informers: what the reconcilers read, and the changes that trigger them.
  Informers informers;
  auto watch = [&](const ResourceKind& kind, kube::Informer* informer, bool cache_reads) {
    informer->AddHandlers(
        {[&op, &kind](const Json& o) { op.OnEvent(kind, WatchEventType::kAdded, o); },
         [&op, &kind](const Json&, const Json& o) {
           op.OnEvent(kind, WatchEventType::kModified, o);
         },
         [&op, &kind](const Json& o) { op.OnEvent(kind, WatchEventType::kDeleted, o); }});
    if (cache_reads) store.UseInformer(kind, informer);
  };
  // With --watch-namespace these four informers list and watch one namespace only, so a Role
  // in that namespace is enough for them.
  const std::string& scope = flags.watch_namespace;
  watch(kPolicyKind, informers.Add(*client, kPolicyKind, "", "", scope), true);
  watch(kVitessClusterKind, informers.Add(*client, kVitessClusterKind, "", "", scope), true);
  watch(kSecretKind,
        informers.Add(*client, kSecretKind, "app.kubernetes.io/managed-by=vtguard", "", scope),
        true);
  watch(kPodKind, informers.Add(*client, kPodKind, "planetscale.com/cluster", "", scope), true);
  // The webhook configurations matter only while the operator writes their caBundle.
  if (flags.manage_webhook_certificate) {
    const std::string by_name = "metadata.name=" + flags.webhook_configuration;
    watch(kMutatingWebhookKind, informers.Add(*client, kMutatingWebhookKind, "", by_name), false);
    watch(kValidatingWebhookKind, informers.Add(*client, kValidatingWebhookKind, "", by_name),
          false);
  }
  if (scope.empty()) {
    log::Info("Watching policies, VitessClusters, Secrets and Pods in every namespace.");
  } else {
    log::Info("Watching policies, VitessClusters, Secrets and Pods in one namespace.",
              {{log::Key::kNamespace, scope}});
  }
  for (auto& informer : informers.all) informer->Start();

  // Metrics and health endpoints (plain HTTP).
  boost::asio::io_context ioc;
  http::Router metrics_router;
  metrics_router.Add({boost::beast::http::verb::get, "/metrics", "", [&](const http::Request&) {
                        return TextResponse(boost::beast::http::status::ok, metrics.Serialize(),
                                            "text/plain; version=0.0.4; charset=utf-8");
                      }});
  http::Router health_router;
  health_router.Add({boost::beast::http::verb::get, "/healthz", "", [](const http::Request&) {
                       return TextResponse(boost::beast::http::status::ok, "ok\n");
                     }});
  health_router.Add({boost::beast::http::verb::get, "/readyz", "", [&](const http::Request&) {
                       return informers.Synced()
                                  ? TextResponse(boost::beast::http::status::ok, "ok\n")
                                  : TextResponse(boost::beast::http::status::service_unavailable,
                                                 "informers not synced\n");
                     }});
  http::Server metrics_server(ioc, {"metrics", {}, nullptr}, metrics_router, nullptr);
  http::Server health_server(ioc, {"health", {}, nullptr}, health_router, nullptr);
  for (auto [server, address] : {std::pair{&metrics_server, flags.metrics_address},
                                 std::pair{&health_server, flags.health_address}}) {
    Status listening = server->Listen(address);
    if (!listening.ok()) {
      log::Error("Listening failed.",
                 {{log::Key::kAddress, address}, {log::Key::kError, listening.ToString()}});
      return 2;
    }
    server->Start();
  }
  std::thread http_thread([&ioc] { ioc.run(); });

  // Work starts once the caches are filled, and only on the leader.
  std::atomic<bool> leading{false};
  std::atomic<bool> lost_leadership{false};
  auto start_work = [&] {
    while (!informers.Synced() && !g_stop)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    // The initial lists leave freed pages behind; return them before the reconcilers start.
    ReleaseFreeMemory();
    leading = true;
    metrics.SetLeader(true);
    (void)op.ResyncAll();
    op.Start(flags.workers);
    log::Info("Started reconciling.", {{log::Key::kCount, flags.workers}});
  };
  std::unique_ptr<kube::LeaderElector> elector;
  if (flags.leader_elect) {
    kube::LeaderElectionConfig election;
    election.lease_namespace = flags.leader_election_namespace;
    election.lease_name = flags.lease_name;
    const char* pod = std::getenv("POD_NAME");
    election.identity = pod != nullptr ? pod : "vtguard-operator-" + std::to_string(::getpid());
    election.on_started_leading = start_work;
    election.on_stopped_leading = [&] {
      // A replica that lost the Lease must stop at once; the process exits and restarts as a
      // candidate, as controller-runtime does.
      op.Stop();
      metrics.SetLeader(false);
      lost_leadership = true;
      g_stop = true;
    };
    Result<std::unique_ptr<kube::LeaderElector>> created =
        kube::LeaderElector::Create(*client, election);
    if (!created.ok()) {
      log::Error("Leader election setup failed.",
                 {{log::Key::kError, created.status().ToString()}});
      return 2;
    }
    elector = std::move(*created);
    elector->Start();
  } else {
    start_work();
  }

  // A full resync every five minutes, and at once when the test clock jumps.
  auto last_resync = std::chrono::steady_clock::now();
  Seconds last_offset = offset_clock ? offset_clock->Offset() : Seconds(0);
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    Seconds offset = offset_clock ? offset_clock->Offset() : Seconds(0);
    bool due = std::chrono::steady_clock::now() - last_resync > std::chrono::minutes(5);
    if (leading && (due || offset != last_offset)) {
      (void)op.ResyncAll();
      ReleaseFreeMemory();
      last_resync = std::chrono::steady_clock::now();
      last_offset = offset;
    }
  }

  log::Info("Shutting down.");
  op.Stop();
  if (elector) elector->Stop();
  for (auto& informer : informers.all) informer->Stop();
  metrics_server.Shutdown();
  health_server.Shutdown();
  ioc.stop();
  http_thread.join();
  return lost_leadership ? 1 : 0;
}

}  // namespace
}  // namespace vtguard::op

int main(int argc, char** argv) {
  vtguard::op::ConfigureAllocator();
  std::signal(SIGTERM, vtguard::op::OnSignal);
  std::signal(SIGINT, vtguard::op::OnSignal);
  std::vector<std::string> args(argv + 1, argv + argc);
  vtguard::Result<vtguard::op::OperatorFlags> flags = vtguard::op::ParseOperatorFlags(args);
  if (!flags.ok()) {
    std::cerr << "vtguard-operator: " << flags.status().message() << "\n";
    return 2;
  }
  if (flags->help) {
    std::cout << vtguard::op::OperatorUsage();
    return 0;
  }
  return vtguard::op::Run(*flags);
}
