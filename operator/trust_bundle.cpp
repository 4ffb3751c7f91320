// The trust-bundle key of Operator: one Secret with every managed CA, for vitess-operator's
// --tablet-manager-grpc-ca (vitess-operator dials the tablets of every cluster it manages).
#include <openssl/sha.h>

#include "common/base/json_fields.h"
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

// The SHA-256 digest of `pem`, as raw bytes.
std::string Sha256(std::string_view pem) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(pem.data()), pem.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

// True when an update with `desired` would leave `current` as it is: the same type and data,
// no stringData, and every label and annotation of `desired` already set. This is
// MergeSecretForUpdate(current, desired) == current without building the merged copy.
bool SecretUpToDate(const Json& current, const Json& desired) {
  auto type = current.find("type");
  auto data = current.find("data");
  if (type == current.end() || *type != StringMember(desired, "type", "Opaque")) return false;
  if (data == current.end() || *data != MemberOr(desired, "data", Json::object())) return false;
  if (current.contains("stringData")) return false;
  const Json& metadata = desired.at("metadata");
  const Json current_metadata = MemberOr(current, "metadata", Json::object());
  for (const char* map : {"labels", "annotations"}) {
    auto entries = metadata.find(map);
    if (entries == metadata.end() || !entries->is_object()) continue;
    const Json current_entries = MemberOr(current_metadata, map, Json::object());
    for (auto it = entries->begin(); it != entries->end(); ++it) {
      if (current_entries.value(it.key(), Json()) != it.value()) {
        return false;
      }
    }
  }
  return true;
}

// Updates the bundle Secret to `desired` unless it is up to date already. Returns the Secret as
// stored, or nullopt when the Secret is not vtguard's and was left alone.
Result<std::optional<Json>> UpdateBundleSecret(ObjectStore& store, const Json& desired) {
  const std::string ns = MetadataString(desired, "namespace");
  const std::string name = MetadataString(desired, "name");
  VTG_ASSIGN_OR_RETURN(Json current, store.Get(kSecretKind, ns, name));
  if (!IsManagedByVtguard(current)) {
    log::Error("The trust bundle Secret exists and is not managed by vtguard; not writing it.",
               {{log::Key::kNamespace, ns}, {log::Key::kName, name}});
    return std::optional<Json>();
  }
  if (SecretUpToDate(current, desired)) return std::optional<Json>(std::move(current));
  VTG_ASSIGN_OR_RETURN(
      Json updated, store.Update(kSecretKind, MergeSecretForUpdate(std::move(current), desired)));
  return std::optional<Json>(std::move(updated));
}

}  // namespace

Status Operator::ProcessTrustBundle() {
  // NOTE: CAs from a policy's caSecretRef are not in this bundle; vitess-operator must be
  // given those CAs by whoever manages them.
  VTG_ASSIGN_OR_RETURN(std::string pem, ManagedCaBundlePem(store_, clock_.Now()));
  const std::string& ns = options_.trust_bundle_namespace;
  const std::string name(kOperatorTrustBundleSecret);
  const std::string digest = Sha256(pem);

  // The bundle Secret is about 1 MB with a thousand CAs. When neither the CAs nor the Secret
  // changed since the last pass, the resourceVersion and the digest show it without reading it.
  Result<std::string> version = store_.GetResourceVersion(kSecretKind, ns, name);
  if (!version.ok() && version.status().code() != ErrorCode::kNotFound) return version.status();
  if (version.ok() && *version == trust_bundle_resource_version_ &&
      digest == trust_bundle_digest_) {
    return Status::Ok();
  }
  if (!version.ok() && pem.empty()) return Status::Ok();

  SecretData data;
  data.emplace(std::string(kBundleKey), std::move(pem));
  const Json desired =
      BuildSecret(ns, name, "Opaque", SecretOwner{"", "", "trust-bundle"}, data, {});
  data.clear();

  Result<std::optional<Json>> written = std::optional<Json>();
  if (version.ok()) {
    written = UpdateBundleSecret(store_, desired);
  } else {
    Result<Json> created = store_.Create(kSecretKind, desired);
    if (!created.ok()) return created.status();
    written = std::optional<Json>(std::move(*created));
  }
  if (!written.ok()) return written.status();
  if (!*written) return Status::Ok();
  trust_bundle_digest_ = digest;
  trust_bundle_resource_version_ = MetadataString(**written, "resourceVersion");
  return Status::Ok();
}

}  // namespace vtguard::op
