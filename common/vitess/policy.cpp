#include "common/vitess/policy.h"

#include <array>
#include <set>

#include "common/base/json_fields.h"
#include "common/base/time.h"
#include "common/vitess/policy_fields.h"
#include "common/vitess/yaml_json.h"

namespace vtguard::vitess {
namespace {

template <typename Enum, std::size_t N>
std::string_view EnumName(const std::array<std::string_view, N>& names, Enum value) {
  return names[static_cast<std::size_t>(value)];
}

constexpr std::array<std::string_view, 3> kEnforcementNames = {"Enforce", "Warn", "Audit"};
constexpr std::array<std::string_view, 2> kClientAuthNames = {"None", "Required"};
constexpr std::array<std::string_view, 3> kFlagSpellingNames = {"Auto", "Dash", "Underscore"};
constexpr std::array<std::string_view, 2> kTrustDomainNames = {"Cluster", "Policy"};
constexpr std::array<std::string_view, 2> kRolloutNames = {"Automatic", "Manual"};
constexpr std::array<std::string_view, 2> kMigrationNames = {"Direct", "OptionalTLS"};
constexpr std::array<std::string_view, 3> kAlgorithmNames = {"ECDSA", "RSA", "Ed25519"};

const std::set<std::string> kSpecFields = {"clusterSelector",
                                           "enforcement",
                                           "serverName",
                                           "clientAuth",
                                           "flagSpelling",
                                           "vitessVersion",
                                           "issuer",
                                           "trustDomain",
                                           "ca",
                                           "certificate",
                                           "rollout",
                                           "migration",
                                           "crl",
                                           "cleanupOnDelete"};

void ParseSpec(const nlohmann::json& spec, TlsPolicy& policy, FieldErrors& errors) {
  if (!spec.is_object()) {
    errors.Add("spec", "must be an object");
    return;
  }
  for (const auto& [key, value] : spec.items()) {
    if (kSpecFields.count(key) == 0) errors.Add("spec." + key, "unknown field");
  }
  ParseEnum(spec, "enforcement", "spec.enforcement", kEnforcementNames, policy.enforcement, errors);
  ParseEnum(spec, "clientAuth", "spec.clientAuth", kClientAuthNames, policy.client_auth, errors);
  ParseEnum(spec, "flagSpelling", "spec.flagSpelling", kFlagSpellingNames, policy.flag_spelling,
            errors);
  ParseEnum(spec, "trustDomain", "spec.trustDomain", kTrustDomainNames, policy.trust_domain,
            errors);
  ParseEnum(spec, "rollout", "spec.rollout", kRolloutNames, policy.rollout, errors);
  ParseEnum(spec, "migration", "spec.migration", kMigrationNames, policy.migration, errors);
  ParseServerName(spec, policy, errors);
  ParseVitessVersion(spec, policy, errors);
  ParseIssuer(spec, policy, errors);
  ParseCertificateSpec(spec, "ca", "spec.ca", kAlgorithmNames, policy.ca, errors);
  ParseCertificateSpec(spec, "certificate", "spec.certificate", kAlgorithmNames, policy.certificate,
                       errors);
  if (policy.certificate.duration > policy.ca.duration) {
    errors.Add("spec.certificate.duration", "must not be longer than spec.ca.duration (" +
                                                FormatDuration(policy.certificate.duration) +
                                                " > " + FormatDuration(policy.ca.duration) +
                                                "), because a leaf never outlives its CA");
  }
  ParseCrl(spec, policy, errors);
  ParseCleanupOnDelete(spec, policy, errors);
  ParseSelector(spec, policy, errors);
}

}  // namespace

std::string_view ToString(Enforcement value) { return EnumName(kEnforcementNames, value); }
std::string_view ToString(ClientAuth value) { return EnumName(kClientAuthNames, value); }
std::string_view ToString(FlagSpelling value) { return EnumName(kFlagSpellingNames, value); }
std::string_view ToString(TrustDomain value) { return EnumName(kTrustDomainNames, value); }
std::string_view ToString(Rollout value) { return EnumName(kRolloutNames, value); }
std::string_view ToString(Migration value) { return EnumName(kMigrationNames, value); }
std::string_view ToString(KeyAlgorithm value) { return EnumName(kAlgorithmNames, value); }

TlsPolicy DefaultPolicy() { return TlsPolicy(); }

Result<TlsPolicy> ParsePolicy(const nlohmann::json& policy_object) {
  TlsPolicy policy;
  FieldErrors errors;
  if (!policy_object.is_object()) {
    return InvalidArgument("invalid VitessTLSPolicy: expected an object");
  }
  bool whole_object = policy_object.contains("spec") || policy_object.contains("kind") ||
                      policy_object.contains("apiVersion") || policy_object.contains("metadata");
  if (!whole_object) {
    ParseSpec(policy_object, policy, errors);
    return errors.ToResult(std::move(policy));
  }
  ParseMetadata(policy_object, policy, errors);
  auto spec = policy_object.find("spec");
  if (spec != policy_object.end() && !spec->is_null()) {
    ParseSpec(*spec, policy, errors);
  }
  return errors.ToResult(std::move(policy));
}

Result<std::vector<TlsPolicy>> ParsePolicyYaml(std::string_view text) {
  VTG_ASSIGN_OR_RETURN(std::vector<OrderedJson> documents, ParseYamlDocuments(text));
  std::vector<TlsPolicy> policies;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    const OrderedJson& document = documents[i];
    if (!document.is_object()) continue;
    std::string kind = StringMember(document, "kind");
    if (!kind.empty() && kind != kPolicyKind) continue;
    Result<TlsPolicy> policy = ParsePolicy(nlohmann::json::parse(document.dump()));
    if (!policy.ok()) {
      // Documents count from 1, as in every "file:document N" that vtguard reports.
      return policy.status().WithContext("document " + std::to_string(i + 1));
    }
    policies.push_back(std::move(policy).value());
  }
  return policies;
}

Result<std::vector<TlsPolicy>> ParsePolicyFile(std::string_view text, std::string_view file_name) {
  Result<std::vector<TlsPolicy>> policies = ParsePolicyYaml(text);
  if (!policies.ok()) {
    const Status& status = policies.status();
    // "file:document 2: ..." as manifest findings read; other errors get "file: ...".
    if (status.message().rfind("document ", 0) == 0) {
      return Status(status.code(), std::string(file_name) + ":" + status.message());
    }
    return status.WithContext(file_name);
  }
  if (policies->empty()) {
    return InvalidArgument(std::string(file_name) +
                           ": no VitessTLSPolicy document found; add a document with apiVersion "
                           "vtguard.io/v1alpha1 and kind VitessTLSPolicy");
  }
  return policies;
}

}  // namespace vtguard::vitess
