#include "webhook/policy_watcher.h"

#include <vector>

#include "common/base/json_fields.h"
#include "common/base/log.h"
#include "common/kube/resource.h"
#include "common/vitess/policy.h"

namespace vtguard::webhook {
namespace {

// Every VitessTLSPolicy in `ns`, or in every namespace when `ns` is empty.
kube::InformerOptions PolicyInformerOptions(std::string ns) {
  kube::InformerOptions options;
  options.resource = kube::VitessTlsPoliciesResource();
  options.ns = std::move(ns);
  return options;
}

}  // namespace

PolicyWatcher::PolicyWatcher(std::shared_ptr<kube::Client> client, PolicyStore& store,
                             std::string ns)
    : informer_(std::move(client), PolicyInformerOptions(std::move(ns))), store_(store) {
  auto rebuild = [this](const nlohmann::json&) { Rebuild(); };
  informer_.AddHandlers(
      {.on_add = rebuild,
       .on_update = [this](const nlohmann::json&, const nlohmann::json&) { Rebuild(); },
       .on_delete = rebuild});
}

PolicyWatcher::~PolicyWatcher() { Stop(); }

void PolicyWatcher::Start() {
  informer_.Start();
  sync_thread_ = std::thread([this] {
    while (!stopping_) {
      if (informer_.WaitForSync(std::chrono::milliseconds(200))) {
        Rebuild();
        return;
      }
    }
  });
}

void PolicyWatcher::Stop() {
  stopping_ = true;
  if (sync_thread_.joinable()) sync_thread_.join();
  informer_.Stop();
}

void PolicyWatcher::Rebuild() {
  if (!informer_.HasSynced()) return;
  std::lock_guard<std::mutex> lock(rebuild_mu_);
  std::vector<vitess::TlsPolicy> policies;
  for (const nlohmann::json& object : informer_.cache().List()) {
    Result<vitess::TlsPolicy> policy = vitess::ParsePolicy(object);
    if (!policy.ok()) {
      const nlohmann::json& metadata = MemberOr(object, "metadata", nlohmann::json::object());
      log::Warn("Skipped an invalid VitessTLSPolicy.",
                {{log::Key::kNamespace, StringMember(metadata, "namespace")},
                 {log::Key::kPolicy, StringMember(metadata, "name")},
                 {log::Key::kError, policy.status().ToString()}});
      continue;
    }
    policies.push_back(std::move(policy).value());
  }
  log::Info("Policies changed.", {{log::Key::kCount, static_cast<std::int64_t>(policies.size())}});
  store_.Replace(std::move(policies));
}

}  // namespace vtguard::webhook
