#include "operator/leaf_plan.h"

#include <algorithm>

#include "operator/crl_plan.h"

namespace vtguard::op {

namespace {

LeafDecision Issue(std::string reason) { return {LeafAction::kIssue, std::move(reason)}; }

bool SameNames(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

bool SameUsages(std::vector<pki::Usage> a, std::vector<pki::Usage> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

// The subject vtguard would write for `request`, in the RFC 2253 order OpenSSL prints.
bool SubjectMatches(const pki::Certificate& cert, const pki::LeafRequest& request) {
  if (cert.CommonName() != request.common_name) return false;
  if (request.organizational_unit.empty()) return true;
  return cert.Subject().find("OU=" + request.organizational_unit) != std::string::npos;
}

}  // namespace

std::vector<std::string> TabletServiceNames(std::string_view ns, std::string_view cluster) {
  // NOTE: these are the names of a Service called "<cluster>-vttablet". Tablets are dialled by
  // pod IP with the policy's server name, so these SANs only serve clients that dial through
  // such a Service; vitess-operator's own per-cluster tablet Service may carry a hash suffix.
  std::string service = std::string(cluster) + "-vttablet";
  std::string in_namespace = service + "." + std::string(ns);
  return {service, in_namespace, in_namespace + ".svc", in_namespace + ".svc.cluster.local"};
}

pki::KeySpec ToKeySpec(const vitess::PrivateKeySpec& spec) {
  switch (spec.algorithm) {
    case vitess::KeyAlgorithm::kRsa:
      return {pki::KeyAlgorithm::kRsa, spec.size == 0 ? 2048 : spec.size};
    case vitess::KeyAlgorithm::kEd25519:
      return {pki::KeyAlgorithm::kEd25519, 0};
    case vitess::KeyAlgorithm::kEcdsa:
      break;
  }
  return {pki::KeyAlgorithm::kEcdsa, spec.size == 0 ? 256 : spec.size};
}

pki::LeafRequest LeafRequestFor(const vitess::TlsPolicy& policy, std::string_view ns,
                                std::string_view cluster, vitess::Component component) {
  pki::LeafRequest request;
  request.common_name = std::string(vitess::ComponentName(component));
  request.organization = "vtguard";
  request.organizational_unit = std::string(cluster);
  request.key = ToKeySpec(policy.certificate.private_key);
  request.duration = policy.certificate.duration;
  if (component == vitess::Component::kVttablet) {
    request.usages = {pki::Usage::kServer, pki::Usage::kClient};
    request.dns_names.push_back(policy.server_name);
    for (std::string& name : TabletServiceNames(ns, cluster)) {
      request.dns_names.push_back(std::move(name));
    }
  } else {
    request.usages = {pki::Usage::kClient};
  }
  return request;
}

std::optional<SystemTime> LeafRenewalTime(const SecretData& data, Seconds renew_before,
                                          std::string_view name) {
  auto cert_pem = data.find(kCertKey);
  if (cert_pem == data.end()) return std::nullopt;
  Result<pki::Certificate> cert = pki::Certificate::FromPem(cert_pem->second);
  if (!cert.ok()) return std::nullopt;
  return pki::RenewalTime(cert->NotBefore(), cert->NotAfter(), renew_before, name);
}

LeafDecision DecideLeaf(const LeafObservation& observed, const pki::LeafRequest& request,
                        const pki::CertifiedKey& signer, const std::string& bundle_pem,
                        Seconds renew_before, SystemTime now,
                        const std::vector<std::string>& revoked_serials) {
  if (!observed.data) return Issue("DoesNotExist");
  const SecretData& data = *observed.data;
  auto cert_pem = data.find(kCertKey);
  auto key_pem = data.find(kPrivateKeyKey);
  if (cert_pem == data.end() || key_pem == data.end()) return Issue("InvalidData");
  Result<pki::CertifiedKey> leaf = pki::ParseCertifiedKey(cert_pem->second, key_pem->second);
  if (!leaf.ok()) return Issue("InvalidData");

  const pki::Certificate& cert = leaf->certificate;
  if (IsRevoked(cert, revoked_serials)) return Issue("Revoked");
  if (!cert.IsSignedBy(signer.certificate)) return Issue("IssuerChanged");
  if (!SubjectMatches(cert, request) || !SameNames(cert.DnsNames(), request.dns_names) ||
      !SameUsages(cert.Usages(), request.usages) || !(leaf->key.spec() == request.key)) {
    return Issue("SpecChanged");
  }
  if (now >= pki::RenewalTime(cert.NotBefore(), cert.NotAfter(), renew_before, observed.name)) {
    return Issue("Renewing");
  }
  auto bundle = data.find(kBundleKey);
  if (bundle == data.end() || bundle->second != bundle_pem) {
    return {LeafAction::kUpdateBundle, "BundleChanged"};
  }
  return {};
}

}  // namespace vtguard::op
