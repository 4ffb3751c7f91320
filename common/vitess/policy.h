// VitessTLSPolicy (vtguard.io/v1alpha1): parsing, defaulting, validation and cluster selection.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "common/vitess/version.h"

namespace vtguard::vitess {

inline constexpr std::string_view kPolicyApiVersion = "vtguard.io/v1alpha1";
inline constexpr std::string_view kPolicyKind = "VitessTLSPolicy";
inline constexpr std::string_view kDefaultServerName = "vttablet.vtguard.internal";

enum class Enforcement { kEnforce, kWarn, kAudit };
enum class ClientAuth { kNone, kRequired };
enum class FlagSpelling { kAuto, kDash, kUnderscore };
enum class TrustDomain { kCluster, kPolicy };
enum class Rollout { kAutomatic, kManual };
enum class Migration { kDirect, kOptionalTls };
enum class KeyAlgorithm { kEcdsa, kRsa, kEd25519 };

// The CRD spelling of each enum value ("Enforce", "OptionalTLS", "ECDSA", ...).
std::string_view ToString(Enforcement value);
std::string_view ToString(ClientAuth value);
std::string_view ToString(FlagSpelling value);
std::string_view ToString(TrustDomain value);
std::string_view ToString(Rollout value);
std::string_view ToString(Migration value);
std::string_view ToString(KeyAlgorithm value);

struct PrivateKeySpec {
  KeyAlgorithm algorithm = KeyAlgorithm::kEcdsa;
  int size = 256;  // ECDSA: 256 or 384; RSA: 2048, 3072 or 4096; Ed25519: ignored (0).
};

struct CertificateSpec {
  std::chrono::seconds duration{0};
  std::chrono::seconds renew_before{0};
  PrivateKeySpec private_key;
};

struct LabelSelectorRequirement {
  std::string key;
  std::string op;  // In, NotIn, Exists, DoesNotExist.
  std::vector<std::string> values;
};

struct LabelSelector {
  std::map<std::string, std::string> match_labels;
  std::vector<LabelSelectorRequirement> match_expressions;
};

// A parsed VitessTLSPolicy with every default applied.
struct TlsPolicy {
  std::string name;        // metadata.name; empty when only a spec was parsed.
  std::string namespace_;  // metadata.namespace; empty selects clusters of any namespace.
  std::int64_t generation = 0;
  // metadata.annotations["vtguard.io/rotate-ca"]: any new value starts one key rotation of a
  // policy-wide CA (trustDomain Policy), as the same annotation on a VitessCluster does for
  // its own CA.
  std::string rotate_ca_token;

  LabelSelector cluster_selector;  // Empty selects every VitessCluster in the namespace.
  Enforcement enforcement = Enforcement::kEnforce;
  std::string server_name{kDefaultServerName};
  ClientAuth client_auth = ClientAuth::kNone;
  FlagSpelling flag_spelling = FlagSpelling::kAuto;
  // Used when an image tag carries no version; nullopt means such images are rejected.
  std::optional<VitessVersion> vitess_version;

  // Issuer: exactly one of self-signed (ca_secret_name empty) or a named CA Secret.
  std::string ca_secret_name;
  TrustDomain trust_domain = TrustDomain::kCluster;
  CertificateSpec ca{std::chrono::hours(87600), std::chrono::hours(2160), {}};
  CertificateSpec certificate{std::chrono::hours(2160), std::chrono::hours(720), {}};
  Rollout rollout = Rollout::kAutomatic;
  Migration migration = Migration::kDirect;
  bool crl_enabled = false;
  // spec.crl.revokedSerials, normalized by NormalizeSerial, without duplicates, sorted.
  std::vector<std::string> revoked_serials;
  // spec.cleanupOnDelete: deleting the policy deletes the Secrets vtguard created for it.
  bool cleanup_on_delete = false;

  bool self_signed() const { return ca_secret_name.empty(); }
};

// Parses a VitessTLSPolicy: a whole object (apiVersion, kind, metadata, spec) or only its spec.
// Applies the defaults of the CRD. An invalid spec returns kInvalidArgument listing every
// problem with its field path, e.g. "spec.ca.renewBefore: must be shorter than spec.ca.duration
// (2160h >= 720h)".
Result<TlsPolicy> ParsePolicy(const nlohmann::json& policy_object);

// Parses every VitessTLSPolicy document of a YAML stream; documents of other kinds and empty
// documents are skipped. Errors start with "document N: ", N counting documents from 1.
Result<std::vector<TlsPolicy>> ParsePolicyYaml(std::string_view text);

// A certificate serial number as upper-case hex without leading zeros, with ':' separators
// removed ("0a:1B" -> "A1B"), or nullopt when it is not a positive number of at most 20 bytes
// (the RFC 5280 limit).
std::optional<std::string> NormalizeSerial(std::string_view text);

// Parses the text of a policy file, such as the CLI's --policy, with
// ParsePolicyYaml. Errors start with `file_name`, as "file:document N: " for an invalid
// document; a file with no VitessTLSPolicy document is an
// error too, because every object would then go unchecked.
Result<std::vector<TlsPolicy>> ParsePolicyFile(std::string_view text, std::string_view file_name);

// A policy with every default and no metadata: what `vtguard check` and `inject` use without
// --policy.
TlsPolicy DefaultPolicy();

// True when `labels` satisfy `selector` (matchLabels and matchExpressions, as in Kubernetes).
bool LabelsMatch(const LabelSelector& selector, const std::map<std::string, std::string>& labels);

// True when the policy applies to the VitessCluster `cluster_object`: same namespace (unless
// the policy has none) and its labels match the cluster selector.
bool Selects(const TlsPolicy& policy, const nlohmann::json& cluster_object);

// True when the policy applies to a Pod: same namespace (unless the policy has none). The
// cluster selector is not applied, because pods carry their own labels, not the cluster's.
bool SelectsPod(const TlsPolicy& policy, const nlohmann::json& pod);

}  // namespace vtguard::vitess
