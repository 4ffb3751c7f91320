// Calls the registered admission webhooks the way kube-apiserver (v1.32) does: mutating
// webhooks in order of configuration name and then webhook order, applying their JSON patches,
// with reinvocationPolicy IfNeeded re-running a mutating webhook once when a later one changed
// the object; then every validating webhook. Requests are admission.k8s.io/v1 AdmissionReview
// over HTTPS, verified against the webhook's caBundle.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "tests/apiserver/registry.h"

namespace vtguard::testing {

struct AdmissionAttributes {
  std::string operation;  // CREATE, UPDATE, DELETE.
  ServedResource resource;
  std::string subresource;
  std::string ns;
  std::string name;
  nlohmann::json object;      // null for DELETE.
  nlohmann::json old_object;  // null for CREATE.
  bool dry_run = false;
  std::string user;
  std::vector<std::string> groups;
};

struct AdmissionCall {
  std::string configuration;
  std::string webhook;
  std::string operation;
  bool allowed = false;
  bool patched = false;
};

class AdmissionDispatcher {
 public:
  // `list_configurations(kind_plural)` returns the stored webhook configurations;
  // `namespace_labels(ns)` the labels of a namespace.
  AdmissionDispatcher(
      std::function<std::vector<nlohmann::json>(const std::string&)> list_configurations,
      std::function<std::map<std::string, std::string>(const std::string&)> namespace_labels);

  // Maps a webhook Service ("<namespace>/<name>") to a 127.0.0.1 address ("127.0.0.1:8443").
  void SetServiceAddress(const std::string& service, const std::string& address);

  // Returns the object after mutation, or the error to send back to the client
  // (kFailedPrecondition for a denial with its code in the message, kInternal for a failed
  // call under failurePolicy Fail).
  Result<nlohmann::json> Admit(const AdmissionAttributes& attributes);

  std::vector<AdmissionCall> calls() const;

 private:
  struct Outcome {
    bool allowed = true;
    int code = 400;
    std::string message;
    nlohmann::json patched_object;
    bool patched = false;
  };
  Result<Outcome> Call(const nlohmann::json& webhook, const AdmissionAttributes& attributes,
                       const nlohmann::json& object);
  bool Matches(const nlohmann::json& webhook, const AdmissionAttributes& attributes,
               const nlohmann::json& object) const;
  Result<std::string> WebhookUrl(const nlohmann::json& client_config) const;

  std::function<std::vector<nlohmann::json>(const std::string&)> list_configurations_;
  std::function<std::map<std::string, std::string>(const std::string&)> namespace_labels_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> service_addresses_;
  std::vector<AdmissionCall> calls_;
};

// True when `labels` satisfy a metav1.LabelSelector object (matchLabels, matchExpressions).
bool MatchesLabelSelectorObject(const nlohmann::json& selector,
                                const std::map<std::string, std::string>& labels);

}  // namespace vtguard::testing
