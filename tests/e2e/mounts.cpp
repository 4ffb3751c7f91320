#include "tests/e2e/mounts.h"

#include <openssl/evp.h>

#include <fstream>
#include <system_error>

#include "tests/e2e/pod_render.h"

namespace vtguard::e2e {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const json* FindByName(const json& list, std::string_view name) {
  if (!list.is_array()) return nullptr;
  for (const json& item : list) {
    if (item.is_object() && item.value("name", "") == name) return &item;
  }
  return nullptr;
}

const json* FindSecret(const std::vector<json>& secrets, const std::string& name) {
  for (const json& secret : secrets) {
    if (secret.contains("metadata") && secret["metadata"].value("name", "") == name) {
      return &secret;
    }
  }
  return nullptr;
}

// Returns key -> decoded bytes of a Secret, from data (base64) and stringData.
Result<std::vector<std::pair<std::string, std::string>>> SecretFiles(const json& secret) {
  std::vector<std::pair<std::string, std::string>> files;
  if (secret.contains("data") && secret["data"].is_object()) {
    for (const auto& [key, value] : secret["data"].items()) {
      if (!value.is_string()) return InvalidArgument("Secret data." + key + " is not a string");
      Result<std::string> decoded = DecodeBase64(value.get<std::string>());
      if (!decoded.ok()) return decoded.status().WithContext("Secret data." + key);
      files.emplace_back(key, *std::move(decoded));
    }
  }
  if (secret.contains("stringData") && secret["stringData"].is_object()) {
    for (const auto& [key, value] : secret["stringData"].items()) {
      if (value.is_string()) files.emplace_back(key, value.get<std::string>());
    }
  }
  return files;
}

Status WriteFile(const fs::path& path, const std::string& content) {
  std::error_code error;
  fs::create_directories(path.parent_path(), error);
  if (error) return Internal("creating " + path.parent_path().string() + ": " + error.message());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) return Internal("writing " + path.string() + " failed");
  return Status::Ok();
}

// Writes one Secret volume to `directory`, honouring `items` (key -> relative path) when set.
Status WriteSecretVolume(const json& volume_secret, const json& secret, const fs::path& directory) {
  VTG_ASSIGN_OR_RETURN(auto files, SecretFiles(secret));
  json items = volume_secret.value("items", json::array());
  for (const auto& [key, content] : files) {
    std::string relative = key;
    if (!items.empty()) {
      const json* item = nullptr;
      for (const json& candidate : items) {
        if (candidate.value("key", "") == key) item = &candidate;
      }
      if (item == nullptr) continue;
      relative = item->value("path", key);
    }
    VTG_RETURN_IF_ERROR(WriteFile(directory / relative, content));
  }
  return Status::Ok();
}

Result<MaterializedPod> Materialize(const json& pod, const std::vector<json>& secrets,
                                    const fs::path& root_dir) {
  MaterializedPod view;
  view.name = PodName(pod);
  view.component = PodComponent(pod);
  view.flags = FlagSet::FromPod(pod, view.component);
  const json* container = FindByName(pod["spec"]["containers"], view.component);
  if (container == nullptr) {
    return InvalidArgument("Pod " + view.name + " has no container named " + view.component);
  }
  view.env = container->value("env", json::array());

  const fs::path pod_root = root_dir / view.name;
  const json volumes = pod["spec"].value("volumes", json::array());
  for (const json& mount : container->value("volumeMounts", json::array())) {
    const json* volume = FindByName(volumes, mount.value("name", ""));
    if (volume == nullptr || !volume->contains("secret")) continue;
    const json& volume_secret = (*volume)["secret"];
    std::string secret_name = volume_secret.value("secretName", "");
    const json* secret = FindSecret(secrets, secret_name);
    if (secret == nullptr) {
      if (volume_secret.value("optional", false)) continue;
      return NotFound("Pod " + view.name + " mounts Secret " + secret_name +
                      ", which does not exist; the kubelet would not start the Pod");
    }
    std::string mount_path = mount.value("mountPath", "");
    fs::path directory = pod_root / fs::path(mount_path).relative_path();
    VTG_RETURN_IF_ERROR(
        WriteSecretVolume(volume_secret, *secret, directory)
            .WithContext("Pod " + view.name + " volume " + mount.value("name", "")));
    view.mounts.push_back({mount_path, directory, secret_name});
  }
  return view;
}

}  // namespace

Result<std::string> DecodeBase64(std::string_view text) {
  if (text.size() % 4 != 0) {
    return InvalidArgument("base64 text has a length that is not a multiple of 4");
  }
  std::string decoded(text.size() / 4 * 3, '\0');
  int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                               reinterpret_cast<const unsigned char*>(text.data()),
                               static_cast<int>(text.size()));
  if (length < 0) return InvalidArgument("invalid base64 text");
  // EVP_DecodeBlock counts the bytes that padding stands for; drop them.
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
  decoded.resize(static_cast<size_t>(length) - padding);
  return decoded;
}

std::string EncodeBase64(std::string_view data) {
  std::string encoded((data.size() + 2) / 3 * 4 + 1, '\0');
  int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                               reinterpret_cast<const unsigned char*>(data.data()),
                               static_cast<int>(data.size()));
  encoded.resize(static_cast<size_t>(length));
  return encoded;
}

Result<fs::path> MaterializedPod::ResolvePath(std::string_view in_pod_path) const {
  const MaterializedMount* best = nullptr;
  for (const MaterializedMount& mount : mounts) {
    std::string prefix = mount.mount_path;
    if (!prefix.empty() && prefix.back() != '/') prefix += '/';
    bool covers = in_pod_path.substr(0, prefix.size()) == prefix;
    if (covers && (best == nullptr || mount.mount_path.size() > best->mount_path.size())) {
      best = &mount;
    }
  }
  if (best == nullptr) {
    return NotFound("Pod " + name + ": " + std::string(in_pod_path) +
                    " is on no mounted Secret volume, so the process cannot open it");
  }
  std::string relative(in_pod_path.substr(best->mount_path.size()));
  while (!relative.empty() && relative.front() == '/') relative.erase(0, 1);
  fs::path resolved = best->directory / relative;
  if (!fs::exists(resolved)) {
    return NotFound("Pod " + name + ": " + std::string(in_pod_path) + " is not a key of Secret " +
                    best->secret_name);
  }
  return resolved;
}

Result<std::optional<fs::path>> MaterializedPod::FlagFile(std::string_view flag) const {
  std::optional<std::string> value = flags.Get(flag);
  if (!value.has_value()) return std::optional<fs::path>();
  Result<fs::path> path = ResolvePath(*value);
  if (!path.ok()) return path.status().WithContext("flag --" + NormalizeFlagName(flag));
  return std::optional<fs::path>(*std::move(path));
}

std::optional<std::string> MaterializedPod::EnvValue(std::string_view env_name) const {
  const json* entry = FindByName(env, env_name);
  if (entry == nullptr || !entry->contains("value")) return std::nullopt;
  return (*entry)["value"].get<std::string>();
}

Result<MaterializedPod> MaterializeMounts(const json& pod, const std::vector<json>& secrets,
                                          const fs::path& root_dir) {
  try {
    return Materialize(pod, secrets, root_dir);
  } catch (const json::exception& e) {
    return InvalidArgument(std::string("Pod object has a field of the wrong type: ") + e.what());
  }
}

}  // namespace vtguard::e2e
