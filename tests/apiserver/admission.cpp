#include "tests/apiserver/admission.h"

#include <algorithm>

#include "common/kube/base64.h"
#include "common/kube/selector.h"
#include "common/kube/transport.h"
#include "tests/apiserver/ids.h"
#include "tests/apiserver/patches.h"

namespace vtguard::testing {
namespace {

std::map<std::string, std::string> LabelsOf(const nlohmann::json& object) {
  std::map<std::string, std::string> labels;
  if (!object.is_object() || !object.contains("metadata")) return labels;
  const nlohmann::json labels_json = object["metadata"].value("labels", nlohmann::json::object());
  for (const auto& [key, value] : labels_json.items()) {
    if (value.is_string()) labels[key] = value.get<std::string>();
  }
  return labels;
}

bool ListAllows(const nlohmann::json& list, const std::string& value) {
  if (!list.is_array()) return false;
  for (const auto& entry : list) {
    if (entry == "*" || entry == value) return true;
  }
  return false;
}

bool RuleMatches(const nlohmann::json& rule, const AdmissionAttributes& attributes) {
  const kube::Resource& resource = attributes.resource.resource;
  if (!ListAllows(rule.value("operations", nlohmann::json::array()), attributes.operation)) {
    return false;
  }
  if (!ListAllows(rule.value("apiGroups", nlohmann::json::array()), resource.group)) return false;
  if (!ListAllows(rule.value("apiVersions", nlohmann::json::array()), resource.version)) {
    return false;
  }
  const std::string scope = rule.value("scope", "*");
  if (scope == "Namespaced" && !resource.namespaced) return false;
  if (scope == "Cluster" && resource.namespaced) return false;
  for (const auto& entry : rule.value("resources", nlohmann::json::array())) {
    const std::string pattern = entry.get<std::string>();
    const std::string wanted = attributes.subresource.empty()
                                   ? resource.plural
                                   : resource.plural + "/" + attributes.subresource;
    if (pattern == wanted || pattern == "*/*") return true;
    if (pattern == "*" && attributes.subresource.empty()) return true;
    if (pattern == resource.plural + "/*" && !attributes.subresource.empty()) return true;
    if (pattern == "*/" + attributes.subresource && !attributes.subresource.empty()) return true;
  }
  return false;
}

}  // namespace

bool MatchesLabelSelectorObject(const nlohmann::json& selector,
                                const std::map<std::string, std::string>& labels) {
  if (!selector.is_object()) return true;
  const nlohmann::json match_labels = selector.value("matchLabels", nlohmann::json::object());
  for (const auto& [key, value] : match_labels.items()) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value.get<std::string>()) return false;
  }
  for (const auto& expression : selector.value("matchExpressions", nlohmann::json::array())) {
    const std::string key = expression.value("key", "");
    const std::string op = expression.value("operator", "");
    const nlohmann::json values = expression.value("values", nlohmann::json::array());
    auto it = labels.find(key);
    const bool present = it != labels.end();
    const bool in_values =
        present && std::find(values.begin(), values.end(), it->second) != values.end();
    if (op == "In" && !in_values) return false;
    if (op == "NotIn" && in_values) return false;
    if (op == "Exists" && !present) return false;
    if (op == "DoesNotExist" && present) return false;
  }
  return true;
}

AdmissionDispatcher::AdmissionDispatcher(
    std::function<std::vector<nlohmann::json>(const std::string&)> list_configurations,
    std::function<std::map<std::string, std::string>(const std::string&)> namespace_labels)
    : list_configurations_(std::move(list_configurations)),
      namespace_labels_(std::move(namespace_labels)) {}

void AdmissionDispatcher::SetServiceAddress(const std::string& service,
                                            const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  service_addresses_[service] = address;
}

std::vector<AdmissionCall> AdmissionDispatcher::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

bool AdmissionDispatcher::Matches(const nlohmann::json& webhook,
                                  const AdmissionAttributes& attributes,
                                  const nlohmann::json& object) const {
  bool rule_matched = false;
  for (const auto& rule : webhook.value("rules", nlohmann::json::array())) {
    if (RuleMatches(rule, attributes)) rule_matched = true;
  }
  if (!rule_matched) return false;
  // NOTE: matchConditions (CEL) are not evaluated; a webhook with them is called as if they
  // all matched.
  const nlohmann::json namespace_selector = webhook.value("namespaceSelector", nlohmann::json());
  const kube::Resource& resource = attributes.resource.resource;
  if (resource.group.empty() && resource.plural == "namespaces") {
    if (!MatchesLabelSelectorObject(namespace_selector,
                                    LabelsOf(object.is_null() ? attributes.old_object : object))) {
      return false;
    }
  } else if (resource.namespaced &&
             !MatchesLabelSelectorObject(namespace_selector, namespace_labels_(attributes.ns))) {
    return false;
  }
  const nlohmann::json object_selector = webhook.value("objectSelector", nlohmann::json());
  return MatchesLabelSelectorObject(object_selector, LabelsOf(object)) ||
         (!attributes.old_object.is_null() &&
          MatchesLabelSelectorObject(object_selector, LabelsOf(attributes.old_object)));
}

Result<std::string> AdmissionDispatcher::WebhookUrl(const nlohmann::json& client_config) const {
  if (client_config.contains("url")) return client_config["url"].get<std::string>();
  if (!client_config.contains("service")) {
    return InvalidArgument("clientConfig has neither url nor service");
  }
  const nlohmann::json& service = client_config["service"];
  const std::string key = service.value("namespace", "") + "/" + service.value("name", "");
  std::lock_guard<std::mutex> lock(mu_);
  auto it = service_addresses_.find(key);
  if (it == service_addresses_.end()) {
    return Unavailable("service " + key + " has no address in the test API server");
  }
  return "https://" + it->second + service.value("path", "");
}

Result<AdmissionDispatcher::Outcome> AdmissionDispatcher::Call(
    const nlohmann::json& webhook, const AdmissionAttributes& attributes,
    const nlohmann::json& object) {
  const nlohmann::json client_config = webhook.value("clientConfig", nlohmann::json::object());
  VTG_ASSIGN_OR_RETURN(std::string url, WebhookUrl(client_config));
  if (url.rfind("https://", 0) != 0) return InvalidArgument("webhook URL must use https");
  size_t path_start = url.find('/', 8);
  kube::ClientConfig config;
  config.server = url.substr(0, path_start);
  const std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
  VTG_ASSIGN_OR_RETURN(config.ca_pem, kube::Base64Decode(client_config.value("caBundle", "")));
  if (client_config.contains("service")) {
    const nlohmann::json& service = client_config["service"];
    config.tls_server_name =
        service.value("name", "") + "." + service.value("namespace", "") + ".svc";
  }
  const kube::Resource& resource = attributes.resource.resource;
  const std::string uid = NewUuid();
  nlohmann::json request = {
      {"uid", uid},
      {"kind", {{"group", resource.group}, {"version", resource.version}, {"kind", resource.kind}}},
      {"resource",
       {{"group", resource.group}, {"version", resource.version}, {"resource", resource.plural}}},
      {"requestKind",
       {{"group", resource.group}, {"version", resource.version}, {"kind", resource.kind}}},
      {"requestResource",
       {{"group", resource.group}, {"version", resource.version}, {"resource", resource.plural}}},
      {"name", attributes.name},
      {"operation", attributes.operation},
      {"userInfo", {{"username", attributes.user}, {"groups", attributes.groups}}},
      {"object", object},
      {"oldObject", attributes.old_object},
      {"dryRun", attributes.dry_run}};
  if (!attributes.ns.empty()) request["namespace"] = attributes.ns;
  if (!attributes.subresource.empty()) request["subResource"] = attributes.subresource;
  nlohmann::json review = {
      {"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}, {"request", request}};

  VTG_ASSIGN_OR_RETURN(auto transport, kube::Transport::Create(config));
  kube::HttpRequest http_request;
  http_request.method = "POST";
  http_request.target = path + (path.find('?') == std::string::npos ? "?" : "&") +
                        "timeout=" + std::to_string(webhook.value("timeoutSeconds", 10)) + "s";
  http_request.content_type = "application/json";
  http_request.body = review.dump();
  http_request.timeout = std::chrono::seconds(webhook.value("timeoutSeconds", 10));
  VTG_ASSIGN_OR_RETURN(kube::HttpResponse response, transport->RoundTrip(http_request));
  if (response.status != 200) {
    return Unavailable("webhook returned HTTP " + std::to_string(response.status));
  }
  nlohmann::json answer = nlohmann::json::parse(response.body, nullptr, false);
  if (!answer.is_object() || !answer.contains("response") || !answer["response"].is_object()) {
    return InvalidArgument("webhook response is not an AdmissionReview with a response");
  }
  const nlohmann::json& reply = answer["response"];
  if (reply.value("uid", "") != uid) {
    return InvalidArgument("webhook response uid does not match the request uid");
  }
  Outcome outcome;
  outcome.allowed = reply.value("allowed", false);
  if (reply.contains("status")) {
    outcome.message = reply["status"].value("message", "");
    outcome.code = reply["status"].value("code", 400);
  }
  if (outcome.code < 400) outcome.code = 400;
  if (outcome.allowed && reply.contains("patch") && !object.is_null()) {
    if (reply.value("patchType", "") != "JSONPatch") {
      return InvalidArgument("webhook patchType must be JSONPatch");
    }
    VTG_ASSIGN_OR_RETURN(std::string patch_text,
                         kube::Base64Decode(reply["patch"].get<std::string>()));
    nlohmann::json patch = nlohmann::json::parse(patch_text, nullptr, false);
    VTG_ASSIGN_OR_RETURN(outcome.patched_object, ApplyJsonPatch(object, patch));
    outcome.patched = outcome.patched_object != object;
  }
  return outcome;
}

Result<nlohmann::json> AdmissionDispatcher::Admit(const AdmissionAttributes& attributes) {
  nlohmann::json object = attributes.object;
  struct Invocation {
    std::string configuration;
    nlohmann::json webhook;
    bool reinvoke_if_needed = false;
    bool changed_after = false;
  };
  std::vector<Invocation> invoked;

  auto run = [&](const std::string& configuration, const nlohmann::json& webhook,
                 const std::string& kind, bool* changed) -> Status {
    *changed = false;
    const std::string name = webhook.value("name", "");
    Result<Outcome> outcome = Call(webhook, attributes, object);
    std::lock_guard<std::mutex> lock(mu_);
    if (!outcome.ok()) {
      calls_.push_back({configuration, name, attributes.operation, false, false});
      if (webhook.value("failurePolicy", "Fail") == "Ignore") return Status::Ok();
      return Internal("Internal error occurred: failed calling webhook \"" + name +
                      "\": " + outcome.status().message());
    }
    calls_.push_back(
        {configuration, name, attributes.operation, outcome->allowed, outcome->patched});
    if (!outcome->allowed) {
      return FailedPrecondition(std::to_string(outcome->code) + "|admission webhook \"" + name +
                                "\" denied the request" +
                                (outcome->message.empty() ? "" : ": " + outcome->message));
    }
    if (kind == "mutating" && outcome->patched) {
      object = outcome->patched_object;
      *changed = true;
    }
    return Status::Ok();
  };

  auto sorted = [&](const std::string& plural) {
    std::vector<nlohmann::json> configurations = list_configurations_(plural);
    std::sort(configurations.begin(), configurations.end(), [](const auto& a, const auto& b) {
      return a["metadata"].value("name", "") < b["metadata"].value("name", "");
    });
    return configurations;
  };

  for (const nlohmann::json& configuration : sorted("mutatingwebhookconfigurations")) {
    const std::string config_name = configuration["metadata"].value("name", "");
    for (const auto& webhook : configuration.value("webhooks", nlohmann::json::array())) {
      if (!webhook.is_object() || !Matches(webhook, attributes, object)) continue;
      bool changed = false;
      VTG_RETURN_IF_ERROR(run(config_name, webhook, "mutating", &changed));
      if (changed) {
        for (Invocation& earlier : invoked) earlier.changed_after = true;
      }
      invoked.push_back({config_name, webhook,
                         webhook.value("reinvocationPolicy", "Never") == "IfNeeded", false});
    }
  }
  // IfNeeded: one more call for each such webhook whose output a later webhook changed.
  for (const Invocation& invocation : invoked) {
    if (!invocation.reinvoke_if_needed || !invocation.changed_after) continue;
    if (!Matches(invocation.webhook, attributes, object)) continue;
    bool changed = false;
    VTG_RETURN_IF_ERROR(run(invocation.configuration, invocation.webhook, "mutating", &changed));
  }
  for (const nlohmann::json& configuration : sorted("validatingwebhookconfigurations")) {
    const std::string config_name = configuration["metadata"].value("name", "");
    for (const auto& webhook : configuration.value("webhooks", nlohmann::json::array())) {
      if (!webhook.is_object() || !Matches(webhook, attributes, object)) continue;
      bool changed = false;
      VTG_RETURN_IF_ERROR(run(config_name, webhook, "validating", &changed));
    }
  }
  return object;
}

}  // namespace vtguard::testing
