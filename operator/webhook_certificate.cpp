// The webhook key of Operator: the webhook's CA (vtguard-webhook-ca), its serving certificate
// (vtguard-webhook-tls) and the caBundle of the webhook configurations.
#include <algorithm>

#include "common/base/json_fields.h"
#include "common/base/log.h"
#include "operator/ca_material.h"
#include "operator/leaf_plan.h"
#include "operator/operator.h"

namespace vtguard::op {

namespace {

constexpr Seconds kWebhookLeafRenewBefore = std::chrono::hours(720);

Result<Json> WriteSecret(ObjectStore& store, const std::optional<Json>& current,
                         const Json& desired) {
  if (!current) return store.Create(kSecretKind, desired);
  return store.Update(kSecretKind, MergeSecretForUpdate(*current, desired));
}

}  // namespace

Status Operator::ProcessWebhook(std::optional<Seconds>* requeue) {
  if (!options_.manage_webhook_certificate) return Status::Ok();
  const std::string& ns = options_.namespace_;
  const std::string ca_name(kWebhookCaSecret);
  const SystemTime now = clock_.Now();

  // The CA: created once, re-signed with the same key before it expires. The old certificate
  // stays in the bundle as previous.crt until it expires, so the API server trusts the
  // webhook's certificate whichever of the two signed it.
  Result<Json> ca_secret = store_.Get(kSecretKind, ns, ca_name);
  if (!ca_secret.ok() && ca_secret.status().code() != ErrorCode::kNotFound) {
    return ca_secret.status();
  }
  std::optional<CaMaterial> ca;
  std::optional<Json> ca_current;
  if (ca_secret.ok()) {
    if (!IsManagedByVtguard(*ca_secret)) {
      return FailedPrecondition("Secret " + ns + "/" + ca_name +
                                " is not managed by vtguard; delete or rename it");
    }
    VTG_ASSIGN_OR_RETURN(ca, ReadCaMaterial(*ca_secret));
    ca_current = *ca_secret;
  }
  bool write_ca = !ca;
  if (!ca) {
    pki::CaOptions options;
    options.common_name = ca_name;
    VTG_ASSIGN_OR_RETURN(pki::CertifiedKey created, pki::CreateCa(options, clock_));
    ca = CaMaterial{std::move(created), std::nullopt, std::nullopt, {}, RotationPhase::kNone, ""};
  }
  const pki::Certificate& ca_cert = ca->signer.certificate;
  SystemTime ca_renewal =
      pki::RenewalTime(ca_cert.NotBefore(), ca_cert.NotAfter(), std::nullopt, ns + "/" + ca_name);
  if (now >= ca_renewal) {
    VTG_ASSIGN_OR_RETURN(pki::Certificate renewed,
                         pki::RenewCa(ca->signer, pki::kDefaultCaDuration, clock_));
    ca->previous = ca->signer.certificate;
    ca->signer.certificate = renewed;
    ca_renewal =
        pki::RenewalTime(renewed.NotBefore(), renewed.NotAfter(), std::nullopt, ns + "/" + ca_name);
    write_ca = true;
  }
  if (write_ca) {
    VTG_ASSIGN_OR_RETURN(SecretData data, CaSecretData(*ca));
    Json desired = BuildSecret(ns, ca_name, "Opaque", {"", "", "webhook-ca"}, data, {});
    VTG_ASSIGN_OR_RETURN(Json written, WriteSecret(store_, ca_current, desired));
    log::Info("Wrote the webhook CA.", {{log::Key::kNamespace, ns}, {log::Key::kName, ca_name}});
  }
  const std::string bundle = TrustBundlePem(*ca, now);

  // The serving certificate, for the names the API server dials.
  pki::LeafRequest request;
  const std::string service = options_.webhook_service;
  request.common_name = service + "." + ns + ".svc";
  request.dns_names = {service, service + "." + ns, service + "." + ns + ".svc",
                       service + "." + ns + ".svc.cluster.local"};
  request.usages = {pki::Usage::kServer};
  Result<Json> leaf_secret = store_.Get(kSecretKind, ns, options_.webhook_secret);
  if (!leaf_secret.ok() && leaf_secret.status().code() != ErrorCode::kNotFound) {
    return leaf_secret.status();
  }
  std::optional<Json> leaf_current;
  LeafObservation observed;
  observed.name = ns + "/" + options_.webhook_secret;
  if (leaf_secret.ok()) {
    if (!IsManagedByVtguard(*leaf_secret)) {
      return FailedPrecondition("Secret " + observed.name +
                                " is not managed by vtguard; delete or rename it");
    }
    leaf_current = *leaf_secret;
    Result<SecretData> data = ReadSecretData(*leaf_secret);
    observed.data = data.ok() ? std::move(*data) : SecretData{};
  }
  LeafDecision decision =
      DecideLeaf(observed, request, ca->signer, bundle, kWebhookLeafRenewBefore, now);
  SecretData leaf_data = observed.data.value_or(SecretData{});
  if (decision.action == LeafAction::kIssue) {
    VTG_ASSIGN_OR_RETURN(pki::CertifiedKey issued, pki::IssueLeaf(ca->signer, request, clock_));
    leaf_data[std::string(kCertKey)] = issued.certificate.ToPem();
    VTG_ASSIGN_OR_RETURN(leaf_data[std::string(kPrivateKeyKey)], issued.key.ToPkcs8Pem());
  }
  if (decision.action != LeafAction::kKeep) {
    leaf_data[std::string(kBundleKey)] = bundle;
    Json desired = BuildSecret(ns, options_.webhook_secret, "kubernetes.io/tls",
                               {"", "", "webhook"}, leaf_data, {});
    VTG_ASSIGN_OR_RETURN(Json written, WriteSecret(store_, leaf_current, desired));
    log::Info("Wrote the webhook serving certificate.", {{log::Key::kNamespace, ns},
                                                         {log::Key::kName, options_.webhook_secret},
                                                         {log::Key::kReason, decision.reason}});
  }

  // The caBundle of every webhook in both configurations.
  const std::string ca_bundle = Base64Encode(bundle);
  for (const ResourceKind* kind : {&kMutatingWebhookKind, &kValidatingWebhookKind}) {
    Result<Json> configuration = store_.Get(*kind, "", options_.webhook_configuration);
    if (!configuration.ok()) continue;  // Not installed (yet); its creation triggers a pass.
    Json patch = Json::array({{{"op", "test"},
                               {"path", "/metadata/resourceVersion"},
                               {"value", MetadataString(*configuration, "resourceVersion")}}});
    const Json webhooks = configuration->value("webhooks", Json::array());
    for (size_t i = 0; i < webhooks.size(); ++i) {
      const Json client = MemberOr(webhooks[i], "clientConfig", Json::object());
      if (StringMember(client, "caBundle") == ca_bundle) continue;
      patch.push_back({{"op", "add"},
                       {"path", "/webhooks/" + std::to_string(i) + "/clientConfig/caBundle"},
                       {"value", ca_bundle}});
    }
    if (patch.size() == 1) continue;
    Result<Json> patched = store_.Patch(*kind, "", options_.webhook_configuration, patch);
    if (!patched.ok()) return patched.status().WithContext("patching the webhook caBundle");
  }

  std::optional<SystemTime> leaf_renewal =
      LeafRenewalTime(leaf_data, kWebhookLeafRenewBefore, observed.name);
  SystemTime next = leaf_renewal ? std::min(*leaf_renewal, ca_renewal) : ca_renewal;
  *requeue = std::max(Seconds(1), std::chrono::duration_cast<Seconds>(next - now));
  return Status::Ok();
}

}  // namespace vtguard::op
