#include "common/vitess/policy_fields.h"

#include <cctype>
#include <regex>
#include <set>

#include "common/base/time.h"

namespace vtguard::vitess {
namespace {

// A bound on spec.crl.revokedSerials, so that one policy cannot grow every leaf Secret past
// the 1 MiB Secret limit. A PEM CRL of 1000 random 16-byte serials is about 48 KB (measured
// with `openssl ca -gencrl`), and a leaf Secret carries at most two CRLs, base64-encoded.
constexpr std::size_t kMaxRevokedSerials = 1000;

// RFC 1123 subdomain, as Kubernetes validates DNS names.
bool IsDnsSubdomain(const std::string& name) {
  static const std::regex kPattern(
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  return name.size() <= 253 && std::regex_match(name, kPattern);
}

std::optional<Seconds> ReadDuration(const nlohmann::json& parent, std::string_view key,
                                    const std::string& path, FieldErrors& errors) {
  std::optional<std::string> text = ReadString(parent, key, path, errors);
  if (!text) return std::nullopt;
  Result<Seconds> duration = ParseDuration(*text);
  if (!duration.ok()) {
    errors.Add(path, "invalid duration \"" + *text + "\"; write it as Go does, e.g. \"2160h\"");
    return std::nullopt;
  }
  if (duration->count() <= 0) {
    errors.Add(path, "must be longer than zero");
    return std::nullopt;
  }
  return *duration;
}

void ParsePrivateKey(const nlohmann::json& certificate, const std::string& path,
                     const std::array<std::string_view, 3>& algorithm_names, PrivateKeySpec& key,
                     FieldErrors& errors) {
  auto node = certificate.find("privateKey");
  if (node == certificate.end() || node->is_null()) return;
  if (!node->is_object()) {
    errors.Add(path + ".privateKey", "must be an object");
    return;
  }
  ParseEnum(*node, "algorithm", path + ".privateKey.algorithm", algorithm_names, key.algorithm,
            errors);
  std::vector<int> allowed;
  switch (key.algorithm) {
    case KeyAlgorithm::kEcdsa:
      allowed = {256, 384};
      break;
    case KeyAlgorithm::kRsa:
      allowed = {2048, 3072, 4096};
      break;
    case KeyAlgorithm::kEd25519:
      allowed = {};
      break;
  }
  key.size = allowed.empty() ? 0 : allowed.front();
  auto size = node->find("size");
  if (size == node->end() || size->is_null()) return;
  if (!size->is_number_integer()) {
    errors.Add(path + ".privateKey.size", "must be an integer");
    return;
  }
  int value = size->get<int>();
  if (allowed.empty()) {
    if (value != 0) errors.Add(path + ".privateKey.size", "must be omitted for Ed25519");
    return;
  }
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    std::string list;
    for (int a : allowed) list += (list.empty() ? "" : ", ") + std::to_string(a);
    errors.Add(path + ".privateKey.size", "invalid size " + std::to_string(value) + " for " +
                                              std::string(ToString(key.algorithm)) +
                                              "; expected one of " + list);
    return;
  }
  key.size = value;
}

void ParseRevokedSerials(const nlohmann::json& crl, TlsPolicy& policy, FieldErrors& errors) {
  auto serials = crl.find("revokedSerials");
  if (serials == crl.end() || serials->is_null()) return;
  if (!serials->is_array()) {
    errors.Add("spec.crl.revokedSerials", "must be a list of hexadecimal serial numbers");
    return;
  }
  if (serials->size() > kMaxRevokedSerials) {
    errors.Add("spec.crl.revokedSerials", "has " + std::to_string(serials->size()) +
                                              " entries; at most " +
                                              std::to_string(kMaxRevokedSerials) + " are allowed");
    return;
  }
  std::set<std::string> normalized;
  for (std::size_t i = 0; i < serials->size(); ++i) {
    const nlohmann::json& item = (*serials)[i];
    std::string path = "spec.crl.revokedSerials[" + std::to_string(i) + "]";
    std::optional<std::string> serial =
        item.is_string() ? NormalizeSerial(item.get<std::string>()) : std::nullopt;
    if (!serial) {
      errors.Add(path, "invalid serial number " + item.dump() +
                           "; write it in hexadecimal as `openssl x509 -noout -serial` prints it");
      continue;
    }
    normalized.insert(*serial);
  }
  policy.revoked_serials.assign(normalized.begin(), normalized.end());
}

}  // namespace

std::optional<std::string> NormalizeSerial(std::string_view text) {
  std::string hex;
  for (char c : text) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    if (hex.empty() && c == '0') continue;
    hex += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  // RFC 5280 allows at most 20 octets, and a serial is positive.
  if (hex.empty() || hex.size() > 40) return std::nullopt;
  return hex;
}

Result<TlsPolicy> FieldErrors::ToResult(TlsPolicy value) const {
  if (problems_.empty()) return value;
  std::string message = "invalid VitessTLSPolicy";
  if (!value.name.empty()) message += " \"" + value.name + "\"";
  message += ": ";
  for (std::size_t i = 0; i < problems_.size(); ++i) {
    message += (i == 0 ? "" : "; ") + problems_[i];
  }
  return InvalidArgument(message);
}

std::optional<std::string> ReadString(const nlohmann::json& parent, std::string_view key,
                                      std::string_view path, FieldErrors& errors) {
  auto node = parent.find(std::string(key));
  if (node == parent.end() || node->is_null()) return std::nullopt;
  if (!node->is_string()) {
    errors.Add(path, "must be a string");
    return std::nullopt;
  }
  return node->get<std::string>();
}

void ParseMetadata(const nlohmann::json& object, TlsPolicy& policy, FieldErrors& errors) {
  std::optional<std::string> kind = ReadString(object, "kind", "kind", errors);
  if (kind && *kind != kPolicyKind) {
    errors.Add("kind", "expected VitessTLSPolicy, got \"" + *kind + "\"");
  }
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return;
  policy.name = ReadString(*metadata, "name", "metadata.name", errors).value_or("");
  policy.namespace_ = ReadString(*metadata, "namespace", "metadata.namespace", errors).value_or("");
  auto generation = metadata->find("generation");
  if (generation != metadata->end() && generation->is_number_integer()) {
    policy.generation = generation->get<std::int64_t>();
  }
  auto annotations = metadata->find("annotations");
  if (annotations != metadata->end() && annotations->is_object()) {
    auto token = annotations->find("vtguard.io/rotate-ca");
    if (token != annotations->end() && token->is_string()) {
      policy.rotate_ca_token = token->get<std::string>();
    }
  }
}

void ParseServerName(const nlohmann::json& spec, TlsPolicy& policy, FieldErrors& errors) {
  std::optional<std::string> name = ReadString(spec, "serverName", "spec.serverName", errors);
  if (!name) return;
  if (!IsDnsSubdomain(*name)) {
    errors.Add("spec.serverName",
               "invalid DNS name \"" + *name + "\"; use lower-case letters, digits, '-' and '.'");
    return;
  }
  policy.server_name = *name;
}

void ParseVitessVersion(const nlohmann::json& spec, TlsPolicy& policy, FieldErrors& errors) {
  std::optional<std::string> text = ReadString(spec, "vitessVersion", "spec.vitessVersion", errors);
  if (!text || text->empty()) return;
  Result<VitessVersion> version = ParseVersionText(*text);
  if (!version.ok()) {
    errors.Add("spec.vitessVersion", version.status().message());
    return;
  }
  policy.vitess_version = *version;
}

void ParseIssuer(const nlohmann::json& spec, TlsPolicy& policy, FieldErrors& errors) {
  auto issuer = spec.find("issuer");
  if (issuer == spec.end() || issuer->is_null()) return;
  if (!issuer->is_object()) {
    errors.Add("spec.issuer", "must be an object");
    return;
  }
  int kinds = 0;
  for (const auto& [key, value] : issuer->items()) {
    if (key != "selfSigned" && key != "caSecretRef") {
      errors.Add("spec.issuer." + key, "unknown issuer; use selfSigned or caSecretRef");
    }
    if (!value.is_null()) ++kinds;
  }
  if (kinds > 1) {
    errors.Add("spec.issuer", "set exactly one of selfSigned and caSecretRef");
  }
  auto ref = issuer->find("caSecretRef");
  if (ref == issuer->end() || ref->is_null()) return;
  if (!ref->is_object()) {
    errors.Add("spec.issuer.caSecretRef", "must be an object with a name");
    return;
  }
  std::optional<std::string> name =
      ReadString(*ref, "name", "spec.issuer.caSecretRef.name", errors);
  if (!name || name->empty()) {
    errors.Add("spec.issuer.caSecretRef.name", "missing; name the Secret with tls.crt and tls.key");
    return;
  }
  policy.ca_secret_name = *name;
}

void ParseCertificateSpec(const nlohmann::json& spec, std::string_view key, std::string_view path,
                          const std::array<std::string_view, 3>& algorithm_names,
                          CertificateSpec& certificate, FieldErrors& errors) {
  auto node = spec.find(std::string(key));
  if (node == spec.end() || node->is_null()) return;
  std::string base(path);
  if (!node->is_object()) {
    errors.Add(base, "must be an object");
    return;
  }
  bool duration_set = false;
  if (auto duration = ReadDuration(*node, "duration", base + ".duration", errors)) {
    certificate.duration = *duration;
    duration_set = true;
  }
  if (auto renew = ReadDuration(*node, "renewBefore", base + ".renewBefore", errors)) {
    certificate.renew_before = *renew;
  } else if (duration_set && node->find("renewBefore") == node->end()) {
    // The default renewal point is one third of the lifetime before expiry.
    certificate.renew_before = certificate.duration / 3;
  }
  if (certificate.renew_before >= certificate.duration) {
    errors.Add(base + ".renewBefore", "must be shorter than " + base + ".duration (" +
                                          FormatDuration(certificate.renew_before) +
                                          " >= " + FormatDuration(certificate.duration) + ")");
  }
  ParsePrivateKey(*node, base, algorithm_names, certificate.private_key, errors);
}

void ParseCrl(const nlohmann::json& spec, TlsPolicy& policy, FieldErrors& errors) {
  auto crl = spec.find("crl");
  if (crl == spec.end() || crl->is_null()) return;
  if (!crl->is_object()) {
    errors.Add("spec.crl", "must be an object");
    return;
  }
  for (const auto& [key, value] : crl->items()) {
    if (key != "enabled" && key != "revokedSerials") errors.Add("spec.crl." + key, "unknown field");
  }
  auto enabled = crl->find("enabled");
  if (enabled != crl->end() && !enabled->is_null()) {
    if (enabled->is_boolean()) {
      policy.crl_enabled = enabled->get<bool>();
    } else {
      errors.Add("spec.crl.enabled", "must be true or false");
    }
  }
  ParseRevokedSerials(*crl, policy, errors);
}

void ParseCleanupOnDelete(const nlohmann::json& spec, TlsPolicy& policy, FieldErrors& errors) {
  auto cleanup = spec.find("cleanupOnDelete");
  if (cleanup == spec.end() || cleanup->is_null()) return;
  if (!cleanup->is_boolean()) {
    errors.Add("spec.cleanupOnDelete", "must be true or false");
    return;
  }
  policy.cleanup_on_delete = cleanup->get<bool>();
}

void ParseSelector(const nlohmann::json& spec, TlsPolicy& policy, FieldErrors& errors) {
  auto selector = spec.find("clusterSelector");
  if (selector == spec.end() || selector->is_null()) return;
  if (!selector->is_object()) {
    errors.Add("spec.clusterSelector", "must be a label selector object");
    return;
  }
  auto labels = selector->find("matchLabels");
  if (labels != selector->end() && !labels->is_null() && !labels->is_object()) {
    errors.Add("spec.clusterSelector.matchLabels", "must be a map");
  } else if (labels != selector->end() && labels->is_object()) {
    for (const auto& [key, value] : labels->items()) {
      if (!value.is_string()) {
        errors.Add("spec.clusterSelector.matchLabels." + key, "must be a string");
        continue;
      }
      policy.cluster_selector.match_labels[key] = value.get<std::string>();
    }
  }
  auto expressions = selector->find("matchExpressions");
  if (expressions == selector->end() || expressions->is_null()) return;
  if (!expressions->is_array()) {
    errors.Add("spec.clusterSelector.matchExpressions", "must be a list");
    return;
  }
  for (std::size_t i = 0; i < expressions->size(); ++i) {
    const nlohmann::json& item = (*expressions)[i];
    std::string path = "spec.clusterSelector.matchExpressions[" + std::to_string(i) + "]";
    if (!item.is_object()) {
      errors.Add(path, "must be an object");
      continue;
    }
    LabelSelectorRequirement requirement;
    requirement.key = ReadString(item, "key", path + ".key", errors).value_or("");
    requirement.op = ReadString(item, "operator", path + ".operator", errors).value_or("");
    if (requirement.key.empty()) errors.Add(path + ".key", "missing");
    bool needs_values = requirement.op == "In" || requirement.op == "NotIn";
    bool takes_no_values = requirement.op == "Exists" || requirement.op == "DoesNotExist";
    if (!needs_values && !takes_no_values) {
      errors.Add(path + ".operator", "invalid operator \"" + requirement.op +
                                         "\"; expected In, NotIn, Exists or DoesNotExist");
    }
    auto values = item.find("values");
    if (values != item.end() && values->is_array()) {
      for (const nlohmann::json& value : *values) {
        if (value.is_string()) requirement.values.push_back(value.get<std::string>());
      }
    }
    if (needs_values && requirement.values.empty()) {
      errors.Add(path + ".values", "must not be empty for operator " + requirement.op);
    }
    if (takes_no_values && !requirement.values.empty()) {
      errors.Add(path + ".values", "must be empty for operator " + requirement.op);
    }
    policy.cluster_selector.match_expressions.push_back(std::move(requirement));
  }
}

}  // namespace vtguard::vitess
