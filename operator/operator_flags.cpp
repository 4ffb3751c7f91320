#include "operator/operator_flags.h"

#include <charconv>
#include <map>

#include "common/kube/resource.h"

namespace vtguard::op {

namespace {

struct FlagHelp {
  const char* name;
  const char* help;
};

constexpr FlagHelp kFlags[] = {
    {"kubeconfig", "path of a kubeconfig file; without it the in-cluster service account is used"},
    {"leader-elect", "true|false: hold a Lease so that one replica acts (default true)"},
    {"leader-election-namespace", "namespace of the Lease (default: --namespace)"},
    {"lease-name", "name of the Lease (default vtguard-operator)"},
    {"metrics-address", "host:port of the plain-HTTP /metrics endpoint (default 0.0.0.0:8080)"},
    {"health-address", "host:port of /healthz and /readyz (default 0.0.0.0:8081)"},
    {"namespace", "the operator's own namespace (default vtguard-system)"},
    {"webhook-service", "Service name of the webhook (default vtguard-webhook)"},
    {"webhook-secret",
     "Secret for the webhook's serving certificate (default vtguard-webhook-tls)"},
    {"webhook-configuration",
     "name of the webhook configurations whose caBundle is managed (default vtguard)"},
    {"trust-bundle-namespace",
     "namespace of the vtguard-operator-trust-bundle Secret (default: --namespace)"},
    {"watch-namespace",
     "namespace whose VitessTLSPolicies, VitessClusters, Secrets and Pods are watched; every "
     "list and watch of them is then namespaced (default: every namespace)"},
    {"manage-webhook-certificate",
     "true|false: write the webhook's CA and serving certificate Secrets and the caBundle of "
     "the webhook configurations; false when cert-manager issues them (default true)"},
    {"workers", "number of concurrent reconciles, 1 to 64 (default 4)"},
    {"log-level", "debug, info, warn or error (default info)"},
    {"clock-offset-file",
     "FOR TESTS AND DEMONSTRATIONS ONLY: a file holding a duration (e.g. 720h) by which the "
     "operator's clock runs ahead; re-read every second"},
};

Result<bool> ParseBool(const std::string& flag, const std::string& value) {
  if (value == "true" || value == "1") return true;
  if (value == "false" || value == "0") return false;
  return InvalidArgument("--" + flag + ": invalid value \"" + value + "\"; use true or false");
}

}  // namespace

std::string OperatorUsage() {
  std::string text = "Usage: vtguard-operator [flags]\n\nFlags:\n";
  for (const FlagHelp& flag : kFlags) {
    text += "  --" + std::string(flag.name) + "\n      " + flag.help + "\n";
  }
  return text;
}

Result<OperatorFlags> ParseOperatorFlags(const std::vector<std::string>& args) {
  OperatorFlags flags;
  std::map<std::string, std::string*> strings = {
      {"kubeconfig", &flags.kubeconfig},
      {"leader-election-namespace", &flags.leader_election_namespace},
      {"lease-name", &flags.lease_name},
      {"metrics-address", &flags.metrics_address},
      {"health-address", &flags.health_address},
      {"namespace", &flags.namespace_},
      {"webhook-service", &flags.webhook_service},
      {"webhook-secret", &flags.webhook_secret},
      {"webhook-configuration", &flags.webhook_configuration},
      {"trust-bundle-namespace", &flags.trust_bundle_namespace},
      {"watch-namespace", &flags.watch_namespace},
      {"log-level", &flags.log_level},
      {"clock-offset-file", &flags.clock_offset_file}};
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      flags.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) return InvalidArgument("unexpected argument \"" + arg + "\"");
    std::string name = arg.substr(2);
    std::string value;
    size_t equals = name.find('=');
    bool has_value = equals != std::string::npos;
    if (has_value) {
      value = name.substr(equals + 1);
      name = name.substr(0, equals);
    }
    if (name == "leader-elect" && !has_value) {
      flags.leader_elect = true;
      continue;
    }
    if (name == "manage-webhook-certificate" && !has_value) {
      flags.manage_webhook_certificate = true;
      continue;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) return InvalidArgument("--" + name + " needs a value");
      value = args[++i];
    }
    if (auto it = strings.find(name); it != strings.end()) {
      *it->second = value;
    } else if (name == "leader-elect") {
      VTG_ASSIGN_OR_RETURN(flags.leader_elect, ParseBool(name, value));
    } else if (name == "manage-webhook-certificate") {
      VTG_ASSIGN_OR_RETURN(flags.manage_webhook_certificate, ParseBool(name, value));
    } else if (name == "workers") {
      int workers = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), workers);
      if (error != std::errc() || end != value.data() + value.size() || workers < 1 ||
          workers > 64) {
        return InvalidArgument("--workers: invalid value \"" + value + "\"; use 1 to 64");
      }
      flags.workers = workers;
    } else {
      return InvalidArgument("unknown flag --" + name + "; see --help");
    }
  }
  if (!flags.watch_namespace.empty() && !kube::IsValidNamespaceName(flags.watch_namespace)) {
    return InvalidArgument("--watch-namespace: invalid namespace name \"" + flags.watch_namespace +
                           "\"; use lowercase letters, digits and '-' (at most 63 characters)");
  }
  if (flags.leader_election_namespace.empty()) flags.leader_election_namespace = flags.namespace_;
  if (flags.trust_bundle_namespace.empty()) flags.trust_bundle_namespace = flags.namespace_;
  return flags;
}

}  // namespace vtguard::op
