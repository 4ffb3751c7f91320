#include "webhook/app.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <fstream>
#include <functional>
#include <thread>

#include "common/base/log.h"
#include "common/http/certificate_reloader.h"
#include "common/http/server.h"
#include "common/http/tls_context.h"
#include "common/kube/client.h"
#include "common/kube/config.h"
#include "webhook/allocator.h"
#include "webhook/metrics.h"
#include "webhook/policy_store.h"
#include "webhook/policy_watcher.h"
#include "webhook/webhook.h"

namespace vtguard::webhook {
namespace net = boost::asio;
namespace {

constexpr std::uintmax_t kMaxPolicyFileBytes = 4 * 1024 * 1024;
constexpr std::chrono::milliseconds kDrainPollInterval{10};

// Polls until both servers have no open connection or the deadline passes, then stops the
// loops.
void WaitForDrain(net::steady_timer& timer, std::chrono::steady_clock::time_point deadline,
                  const std::function<int()>& open_connections, http::EventLoops& loops) {
  const int open = open_connections();
  if (open == 0 || std::chrono::steady_clock::now() >= deadline) {
    if (open > 0) {
      log::Warn("Shutdown timeout reached with connections still open.",
                {{log::Key::kCount, open}});
    }
    loops.Stop();
    return;
  }
  timer.expires_after(kDrainPollInterval);
  timer.async_wait([&timer, deadline, &open_connections, &loops](const boost::system::error_code&) {
    WaitForDrain(timer, deadline, open_connections, loops);
  });
}

http::ServerOptions MakeServerOptions(const char* name, const WebhookOptions& options,
                                      WebhookMetrics& metrics) {
  http::ServerOptions server;
  server.name = name;
  server.limits.max_connections = options.max_connections;
  server.on_request_error = [&metrics](std::string_view reason) {
    metrics.CountRequestError(reason);
  };
  return server;
}

Result<std::shared_ptr<kube::Client>> MakeKubeClient(const WebhookOptions& options) {
  Result<kube::ClientConfig> config = options.kubeconfig.empty()
                                          ? kube::LoadInClusterConfig()
                                          : kube::LoadKubeconfig(options.kubeconfig);
  if (!config.ok()) {
    return config.status().WithContext(
        options.kubeconfig.empty()
            ? "loading the in-cluster configuration (outside a cluster pass --kubeconfig or "
              "--policy-file)"
            : "loading --kubeconfig " + options.kubeconfig);
  }
  return kube::Client::Create(*config);
}

// Loads --policy-file, or else starts the watch on VitessTLSPolicy objects and hands the
// running watcher to `watcher`.
Status LoadPolicies(const WebhookOptions& options, PolicyStore& store,
                    std::unique_ptr<PolicyWatcher>& watcher) {
  if (options.policy_file.empty()) {
    VTG_ASSIGN_OR_RETURN(std::shared_ptr<kube::Client> client, MakeKubeClient(options));
    watcher = std::make_unique<PolicyWatcher>(std::move(client), store, options.watch_namespace);
    // /readyz stays false until the first LIST of VitessTLSPolicies arrives.
    watcher->Start();
    if (options.watch_namespace.empty()) {
      log::Info("Watching VitessTLSPolicies of every namespace through the Kubernetes API.");
    } else {
      log::Info("Watching VitessTLSPolicies of one namespace through the Kubernetes API.",
                {{log::Key::kNamespace, options.watch_namespace}});
    }
    return Status::Ok();
  }
  // NOTE: the policy file is read once at start; a changed file takes effect after a restart.
  VTG_ASSIGN_OR_RETURN(std::vector<vitess::TlsPolicy> policies,
                       LoadPolicyFile(options.policy_file));
  log::Info("Loaded policies.", {{log::Key::kFile, options.policy_file},
                                 {log::Key::kCount, static_cast<std::int64_t>(policies.size())}});
  store.Replace(std::move(policies));
  return Status::Ok();
}

}  // namespace

Result<std::vector<vitess::TlsPolicy>> LoadPolicyFile(const std::filesystem::path& path) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return NotFound(path.string() + ": cannot read the policy file: " + ec.message());
  if (size > kMaxPolicyFileBytes) {
    return InvalidArgument(path.string() + ": policy file is larger than 4 MiB");
  }
  std::ifstream in(path, std::ios::binary);
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (!in) return NotFound(path.string() + ": cannot read the policy file");
  return vitess::ParsePolicyFile(text, path.string());
}

int RunWebhook(const WebhookOptions& options) {
  log::SetLevel(options.log_level);
  WebhookMetrics metrics;
  // Declared before the io_context, because the sessions it destroys call the trimmer.
  HeapTrimmer trimmer;
  PolicyStore policies;
  http::CertificateStore certificates;
  std::unique_ptr<PolicyWatcher> watcher;
  if (Status loaded = LoadPolicies(options, policies, watcher); !loaded.ok()) {
    log::Error("Loading policies failed.", {{log::Key::kError, loaded.ToString()}});
    return 1;
  }

  // The connections of the webhook port are spread over the loops.
  http::EventLoops loops(static_cast<unsigned>(options.threads));
  net::io_context& ioc = loops.main();
  http::CertificateReloader reloader(
      ioc, certificates, options.tls_cert_dir, options.cert_poll_interval,
      [&metrics](const Status& result) { metrics.CountCertificateReload(result.ok()); });
  // A missing certificate is not fatal: the Secret may be mounted after start, and /readyz
  // stays false until it is.
  reloader.CheckNow().IgnoreError();

  auto tls = http::MakeServerTlsContext(certificates);
  if (!tls.ok()) {
    log::Error("Creating the TLS context failed.", {{log::Key::kError, tls.status().ToString()}});
    return 1;
  }
  ReadinessCheck readiness = [&certificates, &policies]() -> Status {
    if (!certificates.HasCertificate()) return FailedPrecondition("no serving certificate loaded");
    if (!policies.known()) return FailedPrecondition("policies are not loaded yet");
    return Status::Ok();
  };
  Webhook webhook(MakePolicyHandler(policies), metrics, readiness);
  http::Server https(loops, MakeServerOptions("webhook", options, metrics), webhook.router(), *tls);
  http::Server plain(ioc, MakeServerOptions("metrics", options, metrics), webhook.metrics_router(),
                     nullptr);
  for (http::Server* server : {&https, &plain}) {
    server->set_on_connection_closed(
        [&trimmer](int open_connections) { trimmer.OnConnectionClosed(open_connections); });
  }
  for (auto [server, address] :
       {std::pair{&https, &options.listen_address}, std::pair{&plain, &options.metrics_address}}) {
    if (Status listening = server->Listen(*address); !listening.ok()) {
      log::Error("Starting the server failed.", {{log::Key::kError, listening.ToString()}});
      return 1;
    }
  }
  metrics.SetReady(readiness().ok());
  log::Info("Webhook started.", {{log::Key::kThreads, static_cast<int>(loops.size())},
                                 {log::Key::kAllocator, AllocatorName()}});
  https.Start();
  plain.Start();
  reloader.Start();

  net::signal_set signals(ioc, SIGTERM, SIGINT);
  net::steady_timer drain_timer(ioc);
  const std::function<int()> open_connections = [&https, &plain] {
    return https.open_connections() + plain.open_connections();
  };
  signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    log::Info("Received a stop signal; draining connections.",
              {{log::Key::kReason, signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
    https.Shutdown();
    plain.Shutdown();
    reloader.Stop();
    WaitForDrain(drain_timer, std::chrono::steady_clock::now() + options.shutdown_timeout,
                 open_connections, loops);
  });

  loops.Run();
  if (watcher) watcher->Stop();
  log::Info("Webhook stopped.");
  return 0;
}

}  // namespace vtguard::webhook
