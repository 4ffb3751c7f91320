// The trust-bundle key of Operator: one Secret with every managed CA, for vitess-operator's
// --tablet-manager-grpc-ca (vitess-operator dials the tablets of every cluster it manages).
#include "common/base/log.h"
#include "operator/ca_material.h"
#include "operator/operator.h"

namespace vtguard::op {

namespace {

// The PEM of every managed CA. Names are listed first and the CA Secrets read one at a time,
// and the parsed certificates are freed on return, so that with a thousand CAs neither they
// nor their Secrets are held while the bundle Secret is written.
Result<std::string> ManagedCaBundlePem(ObjectStore& store, SystemTime now) {
  VTG_ASSIGN_OR_RETURN(
      std::vector<Json> cas,
      store.ListMetadata(kSecretKind, "",
                         {{std::string(kManagedByLabel), std::string(kManagedByValue)},
                          {std::string(kComponentLabel), "ca"}}));
  pki::TrustBundle bundle;
  for (const Json& listed : cas) {
    Result<Json> secret =
        store.Get(kSecretKind, MetadataString(listed, "namespace"), MetadataString(listed, "name"));
    if (!secret.ok()) continue;  // Deleted since the list.
    Result<CaMaterial> ca = ReadCaMaterial(*secret);
    if (!ca.ok()) continue;  // The cluster's own reconcile reports an unreadable CA.
    Result<pki::TrustBundle> part = pki::TrustBundle::Parse(TrustBundlePem(*ca, now));
    if (part.ok()) bundle.Merge(*part);
  }
  return bundle.ToPem();
}

}  // namespace

Status Operator::ProcessTrustBundle() {
  // NOTE: CAs from a policy's caSecretRef are not in this bundle; vitess-operator must be
  // given those CAs by whoever manages them.
  VTG_ASSIGN_OR_RETURN(const std::string pem, ManagedCaBundlePem(store_, clock_.Now()));
  const std::string& ns = options_.trust_bundle_namespace;
  const std::string name(kOperatorTrustBundleSecret);

  SecretOwner owner{"", "", "trust-bundle"};
  Json desired = BuildSecret(ns, name, "Opaque", owner, {{std::string(kBundleKey), pem}}, {});
  Result<Json> current = store_.Get(kSecretKind, ns, name);
  if (!current.ok() && current.status().code() != ErrorCode::kNotFound) return current.status();
  if (!current.ok()) {
    if (pem.empty()) return Status::Ok();
    Result<Json> created = store_.Create(kSecretKind, desired);
    return created.ok() ? Status::Ok() : created.status();
  }
  if (!IsManagedByVtguard(*current)) {
    log::Error("The trust bundle Secret exists and is not managed by vtguard; not writing it.",
               {{log::Key::kNamespace, ns}, {log::Key::kName, name}});
    return Status::Ok();
  }
  Json merged = MergeSecretForUpdate(*current, desired);
  if (merged == *current) return Status::Ok();
  Result<Json> updated = store_.Update(kSecretKind, merged);
  return updated.ok() ? Status::Ok() : updated.status();
}

}  // namespace vtguard::op
