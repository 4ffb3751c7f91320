// A running vtguard installation on this machine, without a Kubernetes cluster: the built-in
// test API server, the real vtguard-operator and vtguard-webhook binaries as processes, the
// vitess-operator and vtguard CRDs, and the chart's webhook configurations.
//
// Every process listens on 127.0.0.1 only. The test API server reaches the webhook through the
// chart's Service reference (vtguard/vtguard-webhook), mapped to the webhook's local port and
// checked against the name vtguard-webhook.vtguard.svc, as kube-apiserver checks it. The
// webhook's serving certificate is the one the operator writes to Secret vtguard-webhook-tls.
// The environment copies that Secret to the webhook's --tls-cert-dir as the kubelet would.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/kube/client.h"
#include "tests/e2e/process.h"

namespace vtguard::e2e {

// Where the environment finds its inputs.
struct EnvironmentPaths {
  std::filesystem::path work_dir;     // Logs, kubeconfig, certificates; created if missing.
  std::filesystem::path binary_dir;   // CMake build folder with the three binaries.
  std::filesystem::path source_dir;   // Repository root (charts/, crds/).
  std::filesystem::path shared_data;  // Folder with data/vitess-operator.
  std::filesystem::path helm;         // helm binary.
};

// The namespace of vtguard's own objects (operator, webhook Service and Secrets).
inline constexpr char kVtguardNamespace[] = "vtguard";
// The chart's ServiceAccounts; each binary authenticates as the user of its ServiceAccount.
inline constexpr char kOperatorAccount[] = "vtguard-operator";
inline constexpr char kWebhookAccount[] = "vtguard-webhook";

inline std::string ServiceAccountUser(const std::string& account) {
  return std::string("system:serviceaccount:") + kVtguardNamespace + ":" + account;
}

class Environment {
 public:
  // Starts everything and waits until admission works. Errors name the step and carry the end
  // of the failing process's log.
  static Result<std::unique_ptr<Environment>> Start(const EnvironmentPaths& paths);
  ~Environment();

  kube::Client& client() { return *client_; }
  const EnvironmentPaths& paths() const { return paths_; }
  const std::string& api_url() const { return api_url_; }
  const std::filesystem::path& kubeconfig() const { return kubeconfig_; }

  // Moves the operator's clock: writes `offset` to its --clock-offset-file.
  Status SetOperatorClockOffset(std::chrono::seconds offset);
  std::chrono::seconds operator_clock_offset() const { return clock_offset_; }

  // Creates `object`, or replaces it when it exists (keeping its resourceVersion), as
  // `kubectl apply` would for a whole object. Returns the stored object after admission.
  Result<nlohmann::json> Apply(const nlohmann::json& object);

  // Sends an AdmissionReview straight to the webhook at `path` (e.g. /validate/vitesscluster),
  // trusting the CA in Secret vtguard-webhook-tls, and returns the response review. The test
  // API server does not relay admission warnings to its clients, so warnings are read here.
  Result<nlohmann::json> CallWebhook(const std::string& path, const nlohmann::json& review);

  // Fetches /metrics from the operator's or the webhook's metrics address (plain HTTP).
  Result<std::string> ScrapeOperatorMetrics() const;
  Result<std::string> ScrapeWebhookMetrics() const;

  // Has the API server write its request log and returns it: a JSON array of objects with
  // method, path, verb, apiGroup, resource, subresource, namespace, name, user and status.
  Result<nlohmann::json> ReadRequestLog();
  const std::filesystem::path& request_log_file() const { return request_log_; }

  // Checks both processes are still alive; the error names the one that exited.
  Status CheckProcesses();

  // Paths of the processes' logs, for reports.
  std::vector<std::filesystem::path> LogFiles() const;

 private:
  explicit Environment(EnvironmentPaths paths) : paths_(std::move(paths)) {}

  Status StartApiServer();
  Status StartOperator();
  Status StartWebhook();
  Status RegisterWebhookConfigurations();

  EnvironmentPaths paths_;
  std::string api_url_;
  std::filesystem::path kubeconfig_;           // The test's own user.
  std::filesystem::path operator_kubeconfig_;  // User of ServiceAccount vtguard-operator.
  std::filesystem::path webhook_kubeconfig_;   // User of ServiceAccount vtguard-webhook.
  std::filesystem::path request_log_;
  std::filesystem::path clock_offset_file_;
  std::chrono::seconds clock_offset_{0};
  int webhook_port_ = 0;
  std::string operator_metrics_;  // host:port
  std::string webhook_metrics_;   // host:port
  std::shared_ptr<kube::Client> client_;
  std::unique_ptr<ChildProcess> api_server_;
  std::unique_ptr<ChildProcess> operator_;
  std::unique_ptr<ChildProcess> webhook_;
};

// The kube::Resource of an object from its apiVersion and kind, for the kinds the flow
// writes. NotFound for any other kind.
Result<kube::Resource> ResourceOf(const nlohmann::json& object);

}  // namespace vtguard::e2e
