// Cleanup on policy deletion (spec.cleanupOnDelete): the finalizer that keeps a deleted
// VitessTLSPolicy until the operator has deleted the Secrets it created for that policy.
//
//   cleanupOnDelete true, finalizer absent  -> add vtguard.io/cleanup
//   cleanupOnDelete false, finalizer present -> remove it (the Secrets will stay)
//   deletionTimestamp set, finalizer present -> delete the policy's Secrets, then remove it
#pragma once

#include <string_view>

#include "operator/object_store.h"

namespace vtguard::op {

inline constexpr std::string_view kCleanupFinalizer = "vtguard.io/cleanup";

bool HasFinalizer(const Json& object, std::string_view finalizer);
// True when metadata.deletionTimestamp is set: the object waits for its finalizers.
bool IsBeingDeleted(const Json& object);

// Adds the cleanup finalizer to `policy` when `present` is true, removes it otherwise. Returns the
// policy as stored, unchanged when nothing had to be written.
Result<Json> SyncCleanupFinalizer(ObjectStore& store, const Json& policy, bool present);

struct CleanupProgress {
  int deleted = 0;        // Secrets deleted by this call.
  bool finished = false;  // The finalizer was removed, so the policy goes away.
};

// Deletes the Secrets labelled app.kubernetes.io/managed-by=vtguard and vtguard.io/policy=<name>
// in the policy's namespace. Only a call that finds none left to delete removes the finalizer.
// A cluster reconcile that was still running when the deletion started may write one more
// Secret, and the next call catches it, so the caller calls again after a delay until
// `finished`.
Result<CleanupProgress> CleanUpDeletedPolicy(ObjectStore& store, const Json& policy);

}  // namespace vtguard::op
