#include "tests/e2e/environment.h"

#include <csignal>
#include <fstream>
#include <sstream>

#include "common/kube/config.h"
#include "tests/e2e/mounts.h"
#include "tests/e2e/yaml_json.h"

namespace vtguard::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;

constexpr char kWebhookService[] = "vtguard-webhook";
constexpr char kWebhookSecret[] = "vtguard-webhook-tls";
constexpr seconds kStartTimeout(60);
constexpr char kAdminToken[] = "vtguard-test-token";

// The bearer token each binary presents; the API server maps it to the user of the chart's
// ServiceAccount for that binary.
std::string TokenOf(const std::string& account) { return account + "-token"; }

// Writes a copy of the admin kubeconfig at `from` that authenticates with `account`'s token.
Result<fs::path> WriteAccountKubeconfig(const fs::path& from, const std::string& account) {
  std::ifstream in(from);
  std::ostringstream read;
  read << in.rdbuf();
  std::string text = read.str();
  std::string line = std::string("token: ") + kAdminToken;
  size_t at = text.find(line);
  if (at == std::string::npos) {
    return FailedPrecondition(from.string() + " has no `" + line + "` line to replace");
  }
  text.replace(at, line.size(), "token: " + TokenOf(account));
  fs::path to = from.parent_path() / (account + ".kubeconfig");
  std::ofstream out(to, std::ios::trunc);
  out << text;
  if (!out) return Internal("writing " + to.string() + " failed");
  return to;
}

// Returns the first existing path among `candidates`, relative to `binary_dir`.
Result<fs::path> FindBinary(const fs::path& binary_dir, const std::string& name,
                            const std::vector<std::string>& folders) {
  for (const std::string& folder : folders) {
    fs::path candidate = binary_dir / folder / name;
    if (fs::exists(candidate)) return candidate;
  }
  return NotFound(name + " not found under " + binary_dir.string() + "; build it with " +
                  "`cmake --build --preset default --target " + name + "`");
}

Status WithLog(const Status& status, const ChildProcess& process) {
  if (status.ok()) return status;
  return status.WithContext("log " + process.log_file().string() + " ends with:\n" +
                            TailFile(process.log_file(), 2048) + "\n");
}

std::string LocalAddress(int port) { return "127.0.0.1:" + std::to_string(port); }

Result<std::string> LocalPort() {
  VTG_ASSIGN_OR_RETURN(int port, PickFreePort());
  return LocalAddress(port);
}

json Namespace(const std::string& name) {
  return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
}

// Writes the data keys of a Secret into `dir`, as a Secret volume would.
Status WriteSecretFiles(const json& secret, const fs::path& dir) {
  fs::create_directories(dir);
  const json data = secret.value("data", json::object());
  for (const auto& [key, value] : data.items()) {
    VTG_ASSIGN_OR_RETURN(std::string content, DecodeBase64(value.get<std::string>()));
    std::ofstream out(dir / key, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) return Internal("writing " + (dir / key).string() + " failed");
  }
  return Status::Ok();
}

}  // namespace

Result<kube::Resource> ResourceOf(const json& object) {
  std::string api_version = object.value("apiVersion", "");
  std::string kind = object.value("kind", "");
  for (const kube::Resource* resource :
       {&kube::SecretsResource(), &kube::NamespacesResource(), &kube::ConfigMapsResource(),
        &kube::PodsResource(), &kube::VitessClustersResource(), &kube::VitessTlsPoliciesResource(),
        &kube::MutatingWebhookConfigurationsResource(),
        &kube::ValidatingWebhookConfigurationsResource(),
        &kube::CustomResourceDefinitionsResource()}) {
    if (resource->ApiVersion() == api_version && resource->kind == kind) return *resource;
  }
  return NotFound("the end-to-end flow does not write " + api_version + " " + kind);
}

Result<std::unique_ptr<Environment>> Environment::Start(const EnvironmentPaths& paths) {
  std::unique_ptr<Environment> env(new Environment(paths));
  fs::create_directories(paths.work_dir);
  VTG_RETURN_IF_ERROR(env->StartApiServer().WithContext("starting the test API server"));
  VTG_RETURN_IF_ERROR(env->StartOperator().WithContext("starting vtguard-operator"));
  VTG_RETURN_IF_ERROR(env->StartWebhook().WithContext("starting vtguard-webhook"));
  VTG_RETURN_IF_ERROR(
      env->RegisterWebhookConfigurations().WithContext("registering the webhook configurations"));
  return env;
}

Environment::~Environment() {
  // Stop in reverse order, so that the API server outlives its clients.
  if (webhook_) webhook_->Stop();
  if (operator_) operator_->Stop();
  if (api_server_) api_server_->Stop();
}

Status Environment::StartApiServer() {
  VTG_ASSIGN_OR_RETURN(fs::path binary, FindBinary(paths_.binary_dir, "vtguard-test-apiserver",
                                                   {"tests/apiserver"}));
  VTG_ASSIGN_OR_RETURN(webhook_port_, PickFreePort());
  kubeconfig_ = paths_.work_dir / "kubeconfig";
  fs::remove(kubeconfig_);
  request_log_ = paths_.work_dir / "request-log.json";
  std::vector<std::string> args = {
      "--kubeconfig",
      kubeconfig_.string(),
      "--service-address",
      std::string(kVtguardNamespace) + "/" + kWebhookService + "=" + LocalAddress(webhook_port_),
      "--request-log",
      request_log_.string()};
  for (const std::string account : {kOperatorAccount, kWebhookAccount}) {
    args.insert(args.end(), {"--user-token", TokenOf(account) + "=" + ServiceAccountUser(account)});
  }
  for (const fs::path& crd :
       fs::directory_iterator(paths_.shared_data / "data/vitess-operator/crds")) {
    args.insert(args.end(), {"--apply", crd.string()});
  }
  args.insert(args.end(),
              {"--apply", (paths_.source_dir / "crds/vtguard.io_vitesstlspolicies.yaml").string()});
  VTG_ASSIGN_OR_RETURN(
      api_server_, ChildProcess::Start(binary.string(), args, paths_.work_dir / "apiserver.log"));
  VTG_RETURN_IF_ERROR(WithLog(
      WaitFor(
          "the API server's kubeconfig",
          [&] { return fs::exists(kubeconfig_) || !api_server_->IsRunning(); }, kStartTimeout),
      *api_server_));
  if (!api_server_->IsRunning()) return WithLog(Internal("the API server exited"), *api_server_);

  VTG_ASSIGN_OR_RETURN(operator_kubeconfig_, WriteAccountKubeconfig(kubeconfig_, kOperatorAccount));
  VTG_ASSIGN_OR_RETURN(webhook_kubeconfig_, WriteAccountKubeconfig(kubeconfig_, kWebhookAccount));
  VTG_ASSIGN_OR_RETURN(kube::ClientConfig config, kube::LoadKubeconfig(kubeconfig_.string()));
  api_url_ = config.server;
  VTG_ASSIGN_OR_RETURN(client_, kube::Client::Create(config));
  for (const char* name : {kVtguardNamespace, "example"}) {
    VTG_RETURN_IF_ERROR(Apply(Namespace(name)).status());
  }
  return Status::Ok();
}

Status Environment::StartOperator() {
  VTG_ASSIGN_OR_RETURN(fs::path binary,
                       FindBinary(paths_.binary_dir, "vtguard-operator", {"operator"}));
  clock_offset_file_ = paths_.work_dir / "operator-clock-offset";
  VTG_RETURN_IF_ERROR(SetOperatorClockOffset(seconds(0)));
  VTG_ASSIGN_OR_RETURN(std::string metrics, LocalPort());
  VTG_ASSIGN_OR_RETURN(std::string health, LocalPort());
  operator_metrics_ = metrics;
  std::vector<std::string> args = {"--kubeconfig",
                                   operator_kubeconfig_.string(),
                                   "--leader-elect=false",
                                   "--namespace",
                                   kVtguardNamespace,
                                   "--trust-bundle-namespace",
                                   kVtguardNamespace,
                                   "--metrics-address",
                                   metrics,
                                   "--health-address",
                                   health,
                                   "--clock-offset-file",
                                   clock_offset_file_.string()};
  VTG_ASSIGN_OR_RETURN(
      operator_, ChildProcess::Start(binary.string(), args, paths_.work_dir / "operator.log"));
  // The operator issues the webhook's serving certificate; the webhook cannot start before it.
  Status waited = WaitFor(
      "Secret vtguard/vtguard-webhook-tls",
      [&] {
        return !operator_->IsRunning() ||
               client_->Get(kube::SecretsResource(), kVtguardNamespace, kWebhookSecret).ok();
      },
      kStartTimeout);
  if (waited.ok() && !operator_->IsRunning()) waited = Internal("vtguard-operator exited");
  return WithLog(waited, *operator_);
}

Status Environment::StartWebhook() {
  VTG_ASSIGN_OR_RETURN(fs::path binary,
                       FindBinary(paths_.binary_dir, "vtguard-webhook", {"webhook"}));
  VTG_ASSIGN_OR_RETURN(json secret,
                       client_->Get(kube::SecretsResource(), kVtguardNamespace, kWebhookSecret));
  fs::path cert_dir = paths_.work_dir / "webhook-tls";
  VTG_RETURN_IF_ERROR(WriteSecretFiles(secret, cert_dir));
  VTG_ASSIGN_OR_RETURN(std::string metrics, LocalPort());
  webhook_metrics_ = metrics;
  std::vector<std::string> args = {"--listen-address",  LocalAddress(webhook_port_),
                                   "--metrics-address", metrics,
                                   "--tls-cert-dir",    cert_dir.string(),
                                   "--kubeconfig",      webhook_kubeconfig_.string()};
  VTG_ASSIGN_OR_RETURN(webhook_,
                       ChildProcess::Start(binary.string(), args, paths_.work_dir / "webhook.log"));
  Status waited = WaitFor(
      "vtguard-webhook to listen on " + LocalAddress(webhook_port_),
      [&] { return !webhook_->IsRunning() || CanConnect(webhook_port_); }, kStartTimeout,
      std::chrono::milliseconds(200));
  if (waited.ok() && !webhook_->IsRunning()) waited = Internal("vtguard-webhook exited");
  return WithLog(waited, *webhook_);
}

Status Environment::RegisterWebhookConfigurations() {
  VTG_ASSIGN_OR_RETURN(std::string rendered,
                       RunCommand({paths_.helm.string(), "template", "vtguard",
                                   (paths_.source_dir / "charts/vtguard").string(), "--namespace",
                                   kVtguardNamespace}));
  VTG_ASSIGN_OR_RETURN(std::vector<json> documents, ParseYamlDocuments(rendered));
  VTG_ASSIGN_OR_RETURN(json secret,
                       client_->Get(kube::SecretsResource(), kVtguardNamespace, kWebhookSecret));
  std::string ca_bundle = secret["data"].value("ca.crt", "");
  int registered = 0;
  for (json& document : documents) {
    std::string kind = document.value("kind", "");
    if (kind != "MutatingWebhookConfiguration" && kind != "ValidatingWebhookConfiguration") {
      continue;
    }
    // The operator keeps caBundle current; setting it here lets admission work before its
    // next pass.
    for (json& webhook : document["webhooks"]) webhook["clientConfig"]["caBundle"] = ca_bundle;
    VTG_RETURN_IF_ERROR(Apply(document).status().WithContext(kind));
    ++registered;
  }
  if (registered != 2) {
    return FailedPrecondition("helm template rendered " + std::to_string(registered) +
                              " webhook configurations; expected 2");
  }
  return Status::Ok();
}

Status Environment::SetOperatorClockOffset(seconds offset) {
  std::ofstream out(clock_offset_file_, std::ios::trunc);
  out << offset.count() << "\n";
  if (!out) return Internal("writing " + clock_offset_file_.string() + " failed");
  clock_offset_ = offset;
  return Status::Ok();
}

Result<json> Environment::Apply(const json& object) {
  VTG_ASSIGN_OR_RETURN(kube::Resource resource, ResourceOf(object));
  std::string ns = resource.namespaced ? object["metadata"].value("namespace", "default") : "";
  std::string name = object["metadata"].value("name", "");
  Result<json> existing = client_->Get(resource, ns, name);
  if (!existing.ok() && existing.status().code() != ErrorCode::kNotFound) {
    return existing.status();
  }
  if (!existing.ok()) return client_->Create(resource, ns, object);
  json replacement = object;
  replacement["metadata"]["resourceVersion"] = (*existing)["metadata"]["resourceVersion"];
  return client_->Update(resource, ns, replacement);
}

Result<json> Environment::CallWebhook(const std::string& path, const json& review) {
  VTG_ASSIGN_OR_RETURN(json secret,
                       client_->Get(kube::SecretsResource(), kVtguardNamespace, kWebhookSecret));
  kube::ClientConfig config;
  config.server = "https://" + LocalAddress(webhook_port_);
  VTG_ASSIGN_OR_RETURN(config.ca_pem, DecodeBase64(secret["data"].value("ca.crt", "")));
  config.tls_server_name = std::string(kWebhookService) + "." + kVtguardNamespace + ".svc";
  VTG_ASSIGN_OR_RETURN(std::shared_ptr<kube::Client> webhook, kube::Client::Create(config));
  return webhook->Do("POST", path, "application/json", review.dump());
}

Result<std::string> Environment::ScrapeOperatorMetrics() const {
  return RunCommand({"curl", "--silent", "--show-error", "--fail", "--max-time", "10",
                     "http://" + operator_metrics_ + "/metrics"});
}

Result<std::string> Environment::ScrapeWebhookMetrics() const {
  return RunCommand({"curl", "--silent", "--show-error", "--fail", "--max-time", "10",
                     "http://" + webhook_metrics_ + "/metrics"});
}

Result<nlohmann::json> Environment::ReadRequestLog() {
  fs::remove(request_log_);
  if (::kill(api_server_->pid(), SIGUSR1) != 0) {
    return Internal("signalling the API server to write its request log failed");
  }
  VTG_RETURN_IF_ERROR(WaitFor(
      "the request log at " + request_log_.string(), [&] { return fs::exists(request_log_); },
      seconds(10)));
  std::ifstream in(request_log_);
  std::ostringstream read;
  read << in.rdbuf();
  json records = json::parse(read.str(), nullptr, /*allow_exceptions=*/false);
  if (!records.is_array()) return Internal(request_log_.string() + " is not a JSON array");
  return records;
}

Status Environment::CheckProcesses() {
  if (!operator_->IsRunning()) return WithLog(Internal("vtguard-operator exited"), *operator_);
  if (!webhook_->IsRunning()) return WithLog(Internal("vtguard-webhook exited"), *webhook_);
  if (!api_server_->IsRunning()) return WithLog(Internal("the API server exited"), *api_server_);
  return Status::Ok();
}

std::vector<fs::path> Environment::LogFiles() const {
  std::vector<fs::path> logs;
  for (const auto* process : {&api_server_, &operator_, &webhook_}) {
    if (*process) logs.push_back((*process)->log_file());
  }
  return logs;
}

}  // namespace vtguard::e2e
