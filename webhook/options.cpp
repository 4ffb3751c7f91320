#include "webhook/options.h"

#include "cli/args.h"
#include "common/base/time.h"
#include "common/kube/resource.h"

namespace vtguard::webhook {
namespace {

const std::vector<cli::OptionSpec>& Specs() {
  static const std::vector<cli::OptionSpec> specs = {
      {"listen-address", "", true, false,
       "host:port of the HTTPS admission server (default 0.0.0.0:8443)"},
      {"metrics-address", "", true, false,
       "host:port of the plain-HTTP server for /metrics, /healthz and /readyz "
       "(default 0.0.0.0:8080)"},
      {"tls-cert-dir", "", true, false,
       "folder with tls.crt and tls.key, reloaded when they change "
       "(default /etc/vtguard/webhook-tls)"},
      {"policy-file", "", true, false,
       "YAML file with VitessTLSPolicy documents; without it policies come from the "
       "Kubernetes API"},
      {"kubeconfig", "", true, false, "kubeconfig file (default: in-cluster configuration)"},
      {"watch-namespace", "", true, false,
       "namespace whose VitessTLSPolicies are watched; the list and watch are then namespaced "
       "(default: every namespace)"},
      {"log-level", "", true, false, "debug, info, warn or error (default info)"},
      {"max-connections", "", true, false,
       "open connections per port; more are closed at accept (default 1024)"},
      {"threads", "", true, false,
       "event loops, one thread each, that serve the connections (default: the CPUs the "
       "process may use, at most its cgroup CPU limit rounded up)"},
      {"shutdown-timeout", "", true, false,
       "Go duration that requests in flight get to finish after SIGTERM (default 25s)"},
      {"help", "h", false, false, "print this help"},
  };
  return specs;
}

Result<int> ParsePositiveInt(const std::string& flag, const std::string& text) {
  try {
    std::size_t used = 0;
    const int value = std::stoi(text, &used);
    if (used == text.size() && value > 0) return value;
  } catch (const std::exception&) {
  }
  return InvalidArgument("--" + flag + " must be a positive integer, got \"" + text + "\"");
}

}  // namespace

Result<WebhookOptions> ParseWebhookOptions(const std::vector<std::string>& args) {
  VTG_ASSIGN_OR_RETURN(const cli::ParsedArgs parsed, cli::ParseArgs(args, Specs()));
  WebhookOptions options;
  if (!parsed.positionals().empty()) {
    return InvalidArgument("unexpected argument \"" + parsed.positionals().front() +
                           "\"; vtguard-webhook takes only --flags");
  }
  options.help = parsed.Has("help");
  options.listen_address = parsed.GetOr("listen-address", options.listen_address);
  options.metrics_address = parsed.GetOr("metrics-address", options.metrics_address);
  options.tls_cert_dir = parsed.GetOr("tls-cert-dir", options.tls_cert_dir);
  options.policy_file = parsed.GetOr("policy-file", "");
  options.kubeconfig = parsed.GetOr("kubeconfig", "");
  options.watch_namespace = parsed.GetOr("watch-namespace", "");
  if (!options.watch_namespace.empty() && !kube::IsValidNamespaceName(options.watch_namespace)) {
    return InvalidArgument("--watch-namespace: invalid namespace name \"" +
                           options.watch_namespace +
                           "\"; use lowercase letters, digits and '-' (at most 63 characters)");
  }
  if (auto level = parsed.Get("log-level")) {
    if (!log::ParseLevel(*level, &options.log_level)) {
      return InvalidArgument("--log-level must be debug, info, warn or error, got \"" + *level +
                             "\"");
    }
  }
  if (auto max = parsed.Get("max-connections")) {
    VTG_ASSIGN_OR_RETURN(options.max_connections, ParsePositiveInt("max-connections", *max));
  }
  if (auto threads = parsed.Get("threads")) {
    VTG_ASSIGN_OR_RETURN(options.threads, ParsePositiveInt("threads", *threads));
  }
  if (auto timeout = parsed.Get("shutdown-timeout")) {
    Result<Seconds> seconds = ParseDuration(*timeout);
    if (!seconds.ok()) return seconds.status().WithContext("--shutdown-timeout");
    options.shutdown_timeout = *seconds;
  }
  return options;
}

std::string WebhookUsage() {
  return "Usage: vtguard-webhook [flags]\n\n"
         "Admission webhook that injects and enforces Vitess TLS configuration.\n\n"
         "Flags:\n" +
         cli::FormatOptions(Specs());
}

}  // namespace vtguard::webhook
