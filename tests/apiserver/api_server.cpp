#include "tests/apiserver/api_server.h"

#include <fstream>
#include <thread>

#include "common/base/log.h"
#include "common/kube/base64.h"
#include "tests/apiserver/server_context.h"
#include "tests/apiserver/yaml_json.h"

namespace vtguard::testing {
namespace {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

}  // namespace

nlohmann::json StatusBody(int code, const std::string& reason, const std::string& message) {
  return {{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", nlohmann::json::object()},
          {"status", "Failure"}, {"message", message}, {"reason", reason},
          {"code", code}};
}

std::string Describe(const ServedResource& served, const std::string& name) {
  std::string resource = served.resource.plural;
  if (!served.resource.group.empty()) resource += "." + served.resource.group;
  return resource + " \"" + name + "\"";
}

TestApiServer::TestApiServer(TestApiServerOptions options)
    : options_(std::move(options)),
      store_(options_.event_window),
      fault_random_(options_.fault_seed) {}

TestApiServer::~TestApiServer() { Stop(); }

Result<std::unique_ptr<TestApiServer>> TestApiServer::Start(TestApiServerOptions options) {
  std::unique_ptr<TestApiServer> server(new TestApiServer(std::move(options)));
  VTG_ASSIGN_OR_RETURN(server->ca_, CreateTestCa("vtguard-test-apiserver-ca"));
  LeafRequest serving_request;
  serving_request.common_name = "vtguard-test-apiserver";
  serving_request.dns_names = {"localhost"};
  serving_request.ip_addresses = {"127.0.0.1"};
  VTG_ASSIGN_OR_RETURN(PemPair serving, IssueTestLeaf(server->ca_, serving_request));
  TestApiServer* raw = server.get();
  server->admission_ = std::make_unique<AdmissionDispatcher>(
      [raw](const std::string& plural) {
        return raw->store_.List("admissionregistration.k8s.io/" + plural, "");
      },
      [raw](const std::string& ns) { return raw->NamespaceLabels(ns); });
  for (const auto& [service, address] : server->options_.service_addresses) {
    server->admission_->SetServiceAddress(service, address);
  }
  for (const char* ns : {"default", "kube-system", "kube-public"}) {
    VTG_RETURN_IF_ERROR(
        server
            ->CreateObject(
                {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}})
            .status());
  }
  HttpsServerOptions http_options;
  http_options.server = serving;
  http_options.client_ca_pem = server->ca_.cert_pem;
  VTG_ASSIGN_OR_RETURN(
      server->http_,
      HttpsServer::Start(http_options, [raw](const ServerRequest& request, ResponseWriter& writer) {
        raw->Handle(request, writer);
      }));
  return server;
}

void TestApiServer::Stop() {
  if (!http_) return;
  store_.NotifyAll();
  http_->Stop();
}

kube::ClientConfig TestApiServer::ClientConfig() const {
  kube::ClientConfig config;
  config.server = url();
  config.ca_pem = ca_.cert_pem;
  config.token = options_.token;
  return config;
}

Result<kube::ClientConfig> TestApiServer::ClientCertConfig(
    const std::string& user, const std::vector<std::string>& groups) const {
  LeafRequest client_request;
  client_request.common_name = user;
  client_request.organizations = groups;
  client_request.client = true;
  VTG_ASSIGN_OR_RETURN(PemPair client, IssueTestLeaf(ca_, client_request));
  kube::ClientConfig config;
  config.server = url();
  config.ca_pem = ca_.cert_pem;
  config.client_cert_pem = client.cert_pem;
  config.client_key_pem = client.key_pem;
  return config;
}

Status TestApiServer::WriteKubeconfig(const std::string& path, bool client_certificate) const {
  std::string user_block = "    token: " + options_.token + "\n";
  if (client_certificate) {
    VTG_ASSIGN_OR_RETURN(kube::ClientConfig config,
                         ClientCertConfig("test-admin", {"system:masters"}));
    user_block = "    client-certificate-data: " + kube::Base64Encode(config.client_cert_pem) +
                 "\n    client-key-data: " + kube::Base64Encode(config.client_key_pem) + "\n";
  }
  std::string text =
      "apiVersion: v1\nkind: Config\nclusters:\n- name: vtguard-test\n  cluster:\n"
      "    server: " +
      url() + "\n    certificate-authority-data: " + kube::Base64Encode(ca_.cert_pem) +
      "\nusers:\n- name: test-admin\n  user:\n" + user_block +
      "contexts:\n- name: vtguard-test\n  context:\n    cluster: vtguard-test\n"
      "    user: test-admin\n    namespace: default\ncurrent-context: vtguard-test\n";
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Unavailable(path + ": writing the kubeconfig failed");
  return Status::Ok();
}

Status TestApiServer::ApplyYamlFile(const std::string& path) {
  VTG_ASSIGN_OR_RETURN(std::vector<nlohmann::json> documents, ReadYamlFile(path));
  for (const nlohmann::json& document : documents) {
    Result<nlohmann::json> created = CreateObject(document);
    if (!created.ok()) return created.status().WithContext(path);
  }
  return Status::Ok();
}

Result<nlohmann::json> TestApiServer::CreateObject(const nlohmann::json& object) {
  const std::string api_version = object.value("apiVersion", "");
  const std::string kind = object.value("kind", "");
  std::optional<ServedResource> served;
  for (const ServedResource& candidate : registry_.All()) {
    if (candidate.resource.ApiVersion() == api_version && candidate.resource.kind == kind) {
      served = candidate;
    }
  }
  if (!served) return NotFound("no resource serves " + api_version + " " + kind);
  static const ServerRequest kNoRequest;
  ResponseWriter no_writer(nullptr);
  Context context(kNoRequest, no_writer);
  context.direct = true;
  context.served = served;
  context.api_version = api_version;
  context.record.user = "test-admin";
  context.groups = {"system:masters", "system:authenticated"};
  if (served->resource.namespaced) {
    context.record.ns = object["metadata"].value("namespace", "default");
  }
  std::lock_guard<std::mutex> lock(write_mu_);
  return CreateLocked(context, object);
}

void TestApiServer::AddFault(const FaultRule& rule) {
  std::lock_guard<std::mutex> lock(log_mu_);
  faults_.push_back(rule);
}

void TestApiServer::ClearFaults() {
  std::lock_guard<std::mutex> lock(log_mu_);
  faults_.clear();
}

void TestApiServer::DropWatches() {
  ++watch_generation_;
  store_.NotifyAll();
}

void TestApiServer::TruncateWatches() { ++watch_truncation_; }

void TestApiServer::ExpireResourceVersions() { store_.ExpireAll(); }

void TestApiServer::SetServiceAddress(const std::string& service, const std::string& address) {
  admission_->SetServiceAddress(service, address);
}

nlohmann::json RequestRecordToJson(const RequestRecord& record) {
  return {{"method", record.method},     {"path", record.path},
          {"verb", record.verb},         {"apiGroup", record.api_group},
          {"resource", record.resource}, {"subresource", record.subresource},
          {"namespace", record.ns},      {"name", record.name},
          {"user", record.user},         {"status", record.status}};
}

std::vector<RequestRecord> TestApiServer::RequestLog() const {
  std::lock_guard<std::mutex> lock(log_mu_);
  return log_;
}

void TestApiServer::ClearRequestLog() {
  std::lock_guard<std::mutex> lock(log_mu_);
  log_.clear();
}

std::map<std::string, std::string> TestApiServer::NamespaceLabels(const std::string& ns) const {
  std::map<std::string, std::string> labels;
  std::optional<nlohmann::json> object = store_.Get("/namespaces", ns);
  if (!object) return labels;
  const nlohmann::json labels_json =
      (*object)["metadata"].value("labels", nlohmann::json::object());
  for (const auto& [key, value] : labels_json.items()) {
    if (value.is_string()) labels[key] = value.get<std::string>();
  }
  return labels;
}

void TestApiServer::LogRequest(Context& context) {
  if (context.logged || context.direct) return;
  context.logged = true;
  std::lock_guard<std::mutex> lock(log_mu_);
  log_.push_back(context.record);
}

void TestApiServer::Reply(Context& context, int status, const nlohmann::json& body) {
  context.record.status = status;
  if (context.direct) return;
  LogRequest(context);
  context.writer.Send(status, "application/json", body.dump());
}

void TestApiServer::ReplyError(Context& context, const Status& status) {
  int code = 500;
  std::string reason = "InternalError";
  std::string message = status.message();
  switch (status.code()) {
    case ErrorCode::kNotFound:
      code = 404;
      reason = "NotFound";
      break;
    case ErrorCode::kAlreadyExists:
      code = 409;
      reason = "AlreadyExists";
      break;
    case ErrorCode::kConflict:
      code = 409;
      reason = "Conflict";
      break;
    case ErrorCode::kInvalidArgument:
      code = 422;
      reason = "Invalid";
      break;
    case ErrorCode::kPermissionDenied:
      code = 403;
      reason = "Forbidden";
      break;
    case ErrorCode::kGone:
      code = 410;
      reason = "Expired";
      break;
    case ErrorCode::kFailedPrecondition: {
      // Admission denials carry the webhook's HTTP code as "<code>|<message>".
      code = 400;
      reason = "BadRequest";
      size_t bar = message.find('|');
      if (bar != std::string::npos && bar <= 3) {
        code = std::stoi(message.substr(0, bar));
        message = message.substr(bar + 1);
        reason = code == 403 ? "Forbidden" : (code == 422 ? "Invalid" : "BadRequest");
      }
      break;
    }
    default:
      break;
  }
  Reply(context, code, StatusBody(code, reason, message));
}

bool TestApiServer::Authenticate(Context& context) {
  const std::string authorization = context.request.Header("authorization");
  const std::string prefix = "Bearer ";
  if (authorization.rfind(prefix, 0) == 0) {
    const std::string token = authorization.substr(prefix.size());
    if (token == options_.token) {
      context.record.user = "test-admin";
      context.groups = {"system:masters", "system:authenticated"};
      return true;
    }
    auto it = options_.extra_tokens.find(token);
    if (it != options_.extra_tokens.end()) {
      context.record.user = it->second;
      context.groups = {"system:authenticated"};
      return true;
    }
    return false;
  }
  if (!context.request.client_cert_common_name.empty()) {
    context.record.user = context.request.client_cert_common_name;
    context.groups = context.request.client_cert_organizations;
    context.groups.push_back("system:authenticated");
    return true;
  }
  return false;
}

bool TestApiServer::ApplyFaults(Context& context) {
  std::chrono::milliseconds latency(0);
  int status = 0;
  int retry_after = 0;
  {
    std::lock_guard<std::mutex> lock(log_mu_);
    for (FaultRule& rule : faults_) {
      if (!rule.verb.empty() && rule.verb != context.record.verb) continue;
      if (!rule.resource.empty() && rule.resource != context.record.resource) continue;
      if (rule.max_hits == 0) continue;
      std::uniform_real_distribution<double> draw(0.0, 1.0);
      if (draw(fault_random_) >= rule.fraction) continue;
      if (rule.max_hits > 0) --rule.max_hits;
      latency += rule.latency;
      if (rule.status != 0 && status == 0) {
        status = rule.status;
        retry_after = rule.retry_after_seconds;
      }
    }
  }
  if (latency.count() > 0) std::this_thread::sleep_for(latency);
  if (status == 0) return false;
  context.record.status = status;
  std::string reason = status == 409   ? "Conflict"
                       : status == 429 ? "TooManyRequests"
                       : status == 410 ? "Expired"
                                       : "InternalError";
  std::map<std::string, std::string> headers;
  if (status == 429) headers["Retry-After"] = std::to_string(retry_after);
  LogRequest(context);
  context.writer.Send(status, "application/json",
                      StatusBody(status, reason, "injected fault for testing").dump(), headers);
  return true;
}

void TestApiServer::Handle(const ServerRequest& request, ResponseWriter& writer) {
  Context context(request, writer);
  context.record.method = request.method;
  context.record.path = request.path;
  try {
    Dispatch(context);
  } catch (const nlohmann::json::exception& e) {
    // A stored or submitted object of an unexpected shape; the server keeps serving.
    if (!writer.responded()) {
      Reply(context, 400,
            StatusBody(400, "BadRequest", std::string("invalid object: ") + e.what()));
    }
  }
  LogRequest(context);
}

void TestApiServer::Dispatch(Context& context) {
  const ServerRequest& request = context.request;
  const std::vector<std::string> parts = SplitPath(request.path);
  const bool open_path = request.path == "/version" || request.path == "/healthz" ||
                         request.path == "/readyz" || request.path == "/livez";
  if (!Authenticate(context) && !open_path) {
    Reply(context, 401, StatusBody(401, "Unauthorized", "Unauthorized"));
    return;
  }
  if (parts.empty() || (parts[0] != "api" && parts[0] != "apis")) {
    ServeDiscovery(context);
    return;
  }
  size_t rest_start = 0;
  std::string group;
  std::string version;
  if (parts[0] == "api" && parts.size() >= 2) {
    version = parts[1];
    rest_start = 2;
  } else if (parts[0] == "apis" && parts.size() >= 3) {
    group = parts[1];
    version = parts[2];
    rest_start = 3;
  }
  if (rest_start == 0 || parts.size() == rest_start) {
    ServeDiscovery(context);
    return;
  }
  std::vector<std::string> rest(parts.begin() + static_cast<long>(rest_start), parts.end());
  if (rest[0] == "namespaces" && rest.size() >= 3 && rest[2] != "status" && rest[2] != "finalize") {
    context.record.ns = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  context.record.api_group = group;
  context.record.resource = rest[0];
  if (rest.size() >= 2) context.record.name = rest[1];
  if (rest.size() >= 3) context.record.subresource = rest[2];
  context.api_version = group.empty() ? version : group + "/" + version;

  const std::string& method = request.method;
  const bool watch = request.Query("watch") == "1" || request.Query("watch") == "true" ||
                     request.Query("watch") == "True";
  const bool has_name = !context.record.name.empty();
  if (method == "GET") {
    context.record.verb = has_name ? "get" : (watch ? "watch" : "list");
  } else if (method == "POST") {
    context.record.verb = "create";
  } else if (method == "PUT") {
    context.record.verb = "update";
  } else if (method == "PATCH") {
    context.record.verb = "patch";
  } else if (method == "DELETE") {
    context.record.verb = has_name ? "delete" : "deletecollection";
  }
  context.dry_run = request.Query("dryRun") == "All";
  if (ApplyFaults(context)) return;

  context.served = registry_.Find(group, version, context.record.resource);
  if (!context.served || rest.size() > 3 ||
      (!context.served->resource.namespaced && !context.record.ns.empty())) {
    Reply(context, 404,
          StatusBody(404, "NotFound", "the server could not find the requested resource"));
    return;
  }
  ServeResource(context);
}

void TestApiServer::ServeDiscovery(Context& context) {
  const ServerRequest& request = context.request;
  const std::vector<std::string> parts = SplitPath(request.path);
  context.record.verb = "get";
  if (request.method != "GET") {
    Reply(context, 405, StatusBody(405, "MethodNotAllowed", "only GET is allowed here"));
    return;
  }
  if (request.path == "/version") {
    Reply(context, 200,
          {{"major", "1"},
           {"minor", "32"},
           {"gitVersion", "v1.32.0-vtguard-test"},
           {"platform", "linux/amd64"}});
    return;
  }
  if (request.path == "/healthz" || request.path == "/readyz" || request.path == "/livez") {
    context.record.status = 200;
    LogRequest(context);
    context.writer.Send(200, "text/plain", "ok");
    return;
  }
  std::optional<nlohmann::json> body;
  if (parts.size() == 1 && parts[0] == "api") body = registry_.ApiVersions();
  if (parts.size() == 1 && parts[0] == "apis") body = registry_.ApiGroupList();
  if (parts.size() == 2 && parts[0] == "api") body = registry_.ResourceList("", parts[1]);
  if (parts.size() == 2 && parts[0] == "apis") body = registry_.ApiGroup(parts[1]);
  if (parts.size() == 3 && parts[0] == "apis") body = registry_.ResourceList(parts[1], parts[2]);
  if (parts.size() == 2 && parts[0] == "openapi" && parts[1] == "v3") {
    body = registry_.OpenApiV3Root();
  }
  if (parts.size() == 4 && parts[0] == "openapi" && parts[2] == "api") {
    body = registry_.OpenApiV3Document("", parts[3]);
  }
  if (parts.size() == 5 && parts[0] == "openapi" && parts[2] == "apis") {
    body = registry_.OpenApiV3Document(parts[3], parts[4]);
  }
  // NOTE: /openapi/v2 is not served because kubectl requests it as protobuf. kubectl skips its
  // client-side schema validation because the v3 documents announce server-side validation.
  // The server accepts fieldValidation but does not check for unknown fields.
  if (!body) {
    Reply(context, 404,
          StatusBody(404, "NotFound", "the server could not find the requested resource"));
    return;
  }
  Reply(context, 200, *body);
}

}  // namespace vtguard::testing
