#include "operator/secret_data.h"

#include <openssl/evp.h>

#include <vector>

#include "common/base/json_fields.h"

namespace vtguard::op {

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(written));
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return InvalidArgument("invalid base64: length is not a multiple of 4");
  std::string out(3 * text.size() / 4, '\0');
  int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (written < 0) return InvalidArgument("invalid base64");
  // EVP_DecodeBlock counts the bytes that padding stands for; remove them.
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<size_t>(written) - padding);
  return out;
}

Result<SecretData> ReadSecretData(const Json& secret) {
  SecretData data;
  std::string name = MetadataString(secret, "namespace") + "/" + MetadataString(secret, "name");
  if (auto it = secret.find("data"); it != secret.end() && it->is_object()) {
    for (const auto& [key, value] : it->items()) {
      if (!value.is_string()) {
        return InvalidArgument("Secret " + name + ": data." + key + " is not a string");
      }
      Result<std::string> decoded = Base64Decode(value.get<std::string>());
      if (!decoded.ok()) {
        return InvalidArgument("Secret " + name + ": data." + key + " is not valid base64");
      }
      data[key] = std::move(*decoded);
    }
  }
  if (auto it = secret.find("stringData"); it != secret.end() && it->is_object()) {
    for (const auto& [key, value] : it->items()) {
      if (value.is_string()) data[key] = value.get<std::string>();
    }
  }
  return data;
}

Json BuildSecret(std::string_view ns, std::string_view name, std::string_view type,
                 const SecretOwner& owner, const SecretData& data,
                 const std::map<std::string, std::string>& annotations) {
  Json labels = {{std::string(kManagedByLabel), std::string(kManagedByValue)},
                 {std::string(kComponentLabel), owner.component}};
  if (!owner.policy.empty()) labels[std::string(kPolicyLabel)] = owner.policy;
  if (!owner.cluster.empty()) labels[std::string(kClusterLabel)] = owner.cluster;
  Json encoded = Json::object();
  for (const auto& [key, value] : data) encoded[key] = Base64Encode(value);
  Json secret = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
                 {"type", type},
                 {"data", std::move(encoded)}};
  if (!annotations.empty()) secret["metadata"]["annotations"] = annotations;
  return secret;
}

bool IsManagedByVtguard(const Json& secret) {
  return Label(secret, kManagedByLabel) == kManagedByValue;
}

Json MergeSecretForUpdate(Json current, const Json& desired) {
  Json merged = std::move(current);
  merged["type"] = StringMember(desired, "type", "Opaque");
  merged["data"] = MemberOr(desired, "data", Json::object());
  merged.erase("stringData");
  const Json& metadata = desired.at("metadata");
  for (const char* map : {"labels", "annotations"}) {
    auto entries = metadata.find(map);
    if (entries == metadata.end() || !entries->is_object()) continue;
    for (auto it = entries->begin(); it != entries->end(); ++it) {
      merged["metadata"][map][it.key()] = it.value();
    }
  }
  return merged;
}

}  // namespace vtguard::op
