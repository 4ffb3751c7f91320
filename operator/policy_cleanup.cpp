#include "operator/policy_cleanup.h"

#include "common/base/json_fields.h"
#include "common/base/log.h"

namespace vtguard::op {

namespace {

// The finalizers of `object`, or an empty array.
Json FinalizersOf(const Json& object) {
  if (!object.contains("metadata") || !object["metadata"].is_object()) return Json::array();
  Json finalizers = MemberOr(object["metadata"], "finalizers", Json::array());
  return finalizers.is_array() ? finalizers : Json::array();
}

// The policy with the cleanup finalizer added or removed.
Json WithFinalizer(const Json& policy, bool present) {
  const Json current = FinalizersOf(policy);
  Json finalizers = Json::array();
  // Index loops: gcc 12 reports a false -Wnull-dereference in nlohmann's const iterators.
  for (size_t i = 0; i < current.size(); ++i) {
    if (current[i] != kCleanupFinalizer) finalizers.push_back(current[i]);
  }
  if (present) finalizers.push_back(std::string(kCleanupFinalizer));
  Json updated = policy;
  if (finalizers.empty()) {
    updated["metadata"].erase("finalizers");
  } else {
    updated["metadata"]["finalizers"] = finalizers;
  }
  return updated;
}

}  // namespace

bool HasFinalizer(const Json& object, std::string_view finalizer) {
  const Json finalizers = FinalizersOf(object);
  for (size_t i = 0; i < finalizers.size(); ++i) {
    if (finalizers[i] == finalizer) return true;
  }
  return false;
}

bool IsBeingDeleted(const Json& object) {
  return !MetadataString(object, "deletionTimestamp").empty();
}

Result<Json> SyncCleanupFinalizer(ObjectStore& store, const Json& policy, bool present) {
  if (HasFinalizer(policy, kCleanupFinalizer) == present) return policy;
  // Once the policy is being deleted the API server accepts no new finalizer.
  if (present && IsBeingDeleted(policy)) return policy;
  Result<Json> written = store.Update(kPolicyKind, WithFinalizer(policy, present));
  if (!written.ok()) {
    return written.status().WithContext(std::string(present ? "adding" : "removing") +
                                        " the finalizer " + std::string(kCleanupFinalizer));
  }
  return written;
}

Result<CleanupProgress> CleanUpDeletedPolicy(ObjectStore& store, const Json& policy) {
  const std::string ns = MetadataString(policy, "namespace");
  const std::string name = MetadataString(policy, "name");
  CleanupProgress progress;
  VTG_ASSIGN_OR_RETURN(std::vector<Json> secrets,
                       store.List(kSecretKind, ns,
                                  {{std::string(kManagedByLabel), std::string(kManagedByValue)},
                                   {std::string(kPolicyLabel), name}}));
  for (const Json& secret : secrets) {
    const std::string secret_name = MetadataString(secret, "name");
    Status deleted = store.Delete(kSecretKind, ns, secret_name);
    // A cache that has not seen an earlier deletion yet lists a Secret that is already gone.
    if (!deleted.ok() && deleted.code() == ErrorCode::kNotFound) continue;
    if (!deleted.ok()) return deleted.WithContext("deleting Secret " + ns + "/" + secret_name);
    ++progress.deleted;
    log::Info(
        "Deleted a Secret of a deleted policy.",
        {{log::Key::kNamespace, ns}, {log::Key::kName, secret_name}, {log::Key::kPolicy, name}});
  }
  if (progress.deleted > 0 || !HasFinalizer(policy, kCleanupFinalizer)) return progress;
  VTG_RETURN_IF_ERROR(SyncCleanupFinalizer(store, policy, false).status());
  progress.finished = true;
  return progress;
}

}  // namespace vtguard::op
