// The operator's informer cache projection: the fields the reconcilers read, nothing more.
#pragma once

#include <string>

#include "common/kube/informer.h"
#include "operator/object_store.h"

namespace vtguard::op {

// Informer options for `kind` with the operator's cache projection: metadata.managedFields
// dropped from every object, Pods cut by ProjectPod, and update handlers given only the
// metadata of the previous version.
// NOTE: Secrets are cached whole, private keys included, because the cluster reconciler reads
// tls.key of a leaf to check it against the certificate and to carry it over when only ca.crt
// changes, and the CA key to sign. Dropping keys from the cache needs those reads to go to the
// API server instead.
kube::InformerOptions OperatorInformerOptions(const ResourceKind& kind,
                                              std::string label_selector = "",
                                              std::string field_selector = "");

// Cuts a Pod to what the rollout check and the watch handlers read: apiVersion, kind,
// metadata (without managedFields), each container's name and VTGUARD_TLS_REVISION env
// entry, status.startTime and the Ready condition. A vitess-operator Pod shrinks from several
// KiB to a few hundred bytes.
void ProjectPod(Json& pod);

}  // namespace vtguard::op
