#include "common/kube/cache.h"

#include <algorithm>

#include "common/kube/base64.h"
#include "common/kube/watch.h"

namespace vtguard::kube {

namespace {

using Encoded = std::shared_ptr<const std::vector<std::uint8_t>>;

std::vector<nlohmann::json> DecodeAll(const std::vector<Encoded>& encoded,
                                      nlohmann::json (*decode)(const std::vector<std::uint8_t>&)) {
  std::vector<nlohmann::json> out;
  out.reserve(encoded.size());
  for (const Encoded& cbor : encoded) out.push_back(decode(*cbor));
  return out;
}

// Secret data values are base64 text. The cache keeps them as CBOR byte strings, three quarters
// of the size, and restores the text on every read. A value whose text is not the canonical
// encoding of its bytes stays text, so that reads return exactly what was stored.
bool HasSecretData(const nlohmann::json& object) {
  auto kind = object.find("kind");
  auto data = object.find("data");
  return kind != object.end() && *kind == "Secret" && data != object.end() && data->is_object();
}

nlohmann::json* SecretData(nlohmann::json& object) {
  return HasSecretData(object) ? &object["data"] : nullptr;
}

void PackSecretData(nlohmann::json& object) {
  for (nlohmann::json& value : *SecretData(object)) {
    if (!value.is_string()) continue;
    const std::string& text = value.get_ref<const std::string&>();
    Result<std::string> bytes = Base64Decode(text);
    if (!bytes.ok() || Base64Encode(*bytes) != text) continue;
    value = nlohmann::json::binary(std::vector<std::uint8_t>(bytes->begin(), bytes->end()));
  }
}

void UnpackSecretData(nlohmann::json& object) {
  nlohmann::json* data = SecretData(object);
  if (data == nullptr) return;
  for (nlohmann::json& value : *data) {
    if (!value.is_binary()) continue;
    const nlohmann::json::binary_t& bytes = value.get_binary();
    value =
        Base64Encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  }
}

}  // namespace

ObjectCache::Entry ObjectCache::Encode(const nlohmann::json& object) {
  Entry entry;
  std::vector<std::uint8_t> cbor;
  if (HasSecretData(object)) {
    nlohmann::json packed = object;
    PackSecretData(packed);
    cbor = nlohmann::json::to_cbor(packed);
  } else {
    cbor = nlohmann::json::to_cbor(object);
  }
  // The encoder grows the vector by doubling; a cache entry lives long enough to trim it.
  cbor.shrink_to_fit();
  entry.cbor = std::make_shared<const std::vector<std::uint8_t>>(std::move(cbor));
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return entry;
  if (auto ns = metadata->find("namespace"); ns != metadata->end() && ns->is_string()) {
    entry.ns = ns->get<std::string>();
  }
  if (auto rv = metadata->find("resourceVersion"); rv != metadata->end() && rv->is_string()) {
    entry.resource_version = rv->get<std::string>();
  }
  auto labels = metadata->find("labels");
  if (labels == metadata->end() || !labels->is_object()) return entry;
  for (const auto& [label, value] : labels->items()) {
    if (value.is_string()) entry.label_terms.push_back(label + "=" + value.get<std::string>());
  }
  return entry;
}

nlohmann::json ObjectCache::MetadataOf(const std::string& key, const Entry& entry) {
  nlohmann::json metadata = {{"name", key.substr(key.rfind('/') + 1)}};
  if (!entry.ns.empty()) metadata["namespace"] = entry.ns;
  if (!entry.resource_version.empty()) metadata["resourceVersion"] = entry.resource_version;
  if (!entry.label_terms.empty()) {
    nlohmann::json& labels = metadata["labels"];
    for (const std::string& term : entry.label_terms) {
      // Label keys never contain '=', so the first one ends the key.
      const size_t equals = term.find('=');
      labels[term.substr(0, equals)] = term.substr(equals + 1);
    }
  }
  return {{"metadata", std::move(metadata)}};
}

nlohmann::json ObjectCache::Decode(const std::vector<std::uint8_t>& cbor) {
  // The bytes were produced by to_cbor, so they always decode.
  nlohmann::json object = nlohmann::json::from_cbor(cbor);
  UnpackSecretData(object);
  return object;
}

std::optional<nlohmann::json> ObjectCache::Get(const std::string& key) const {
  Encoded cbor;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return std::nullopt;
    cbor = it->second.cbor;
  }
  return Decode(*cbor);
}

std::vector<nlohmann::json> ObjectCache::List() const {
  std::vector<Encoded> encoded;
  {
    std::lock_guard<std::mutex> lock(mu_);
    encoded.reserve(objects_.size());
    for (const auto& [key, entry] : objects_) encoded.push_back(entry.cbor);
  }
  return DecodeAll(encoded, &Decode);
}

std::vector<std::string> ObjectCache::Keys() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  out.reserve(objects_.size());
  for (const auto& entry : objects_) out.push_back(entry.first);
  return out;
}

std::vector<nlohmann::json> ObjectCache::ListByNamespace(const std::string& ns) const {
  std::vector<Encoded> encoded;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_namespace_.find(ns);
    if (it == by_namespace_.end()) return {};
    for (const std::string& key : it->second) encoded.push_back(objects_.at(key).cbor);
  }
  return DecodeAll(encoded, &Decode);
}

std::vector<nlohmann::json> ObjectCache::ListByLabel(const std::string& label_key,
                                                     const std::string& value) const {
  return Select("", {{label_key, value}});
}

std::vector<std::string> ObjectCache::SelectLocked(
    const std::string& ns, const std::map<std::string, std::string>& labels) const {
  // Start from the smaller index: the first label term, else the namespace.
  const std::set<std::string>* candidates = nullptr;
  if (!labels.empty()) {
    auto it = by_label_.find(labels.begin()->first + "=" + labels.begin()->second);
    if (it == by_label_.end()) return {};
    candidates = &it->second;
  } else if (!ns.empty()) {
    auto it = by_namespace_.find(ns);
    if (it == by_namespace_.end()) return {};
    candidates = &it->second;
  }
  auto matches = [&](const Entry& entry) {
    if (!ns.empty() && entry.ns != ns) return false;
    for (const auto& [label, value] : labels) {
      const std::string term = label + "=" + value;
      if (std::find(entry.label_terms.begin(), entry.label_terms.end(), term) ==
          entry.label_terms.end()) {
        return false;
      }
    }
    return true;
  };
  std::vector<std::string> keys;
  if (candidates == nullptr) {
    for (const auto& [key, entry] : objects_) {
      if (matches(entry)) keys.push_back(key);
    }
    return keys;
  }
  for (const std::string& key : *candidates) {
    if (matches(objects_.at(key))) keys.push_back(key);
  }
  return keys;
}

std::vector<std::string> ObjectCache::SelectKeys(
    const std::string& ns, const std::map<std::string, std::string>& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  return SelectLocked(ns, labels);
}

std::vector<nlohmann::json> ObjectCache::Select(
    const std::string& ns, const std::map<std::string, std::string>& labels) const {
  std::vector<Encoded> encoded;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& key : SelectLocked(ns, labels)) {
      encoded.push_back(objects_.at(key).cbor);
    }
  }
  return DecodeAll(encoded, &Decode);
}

size_t ObjectCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return objects_.size();
}

size_t ObjectCache::EncodedBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t bytes = 0;
  for (const auto& [key, entry] : objects_) bytes += entry.cbor->size();
  return bytes;
}

void ObjectCache::IndexLocked(const std::string& key, const Entry& entry, bool add) {
  auto update = [&](std::map<std::string, std::set<std::string>>& index, const std::string& value) {
    if (add) {
      index[value].insert(key);
      return;
    }
    auto it = index.find(value);
    if (it == index.end()) return;
    it->second.erase(key);
    if (it->second.empty()) index.erase(it);
  };
  update(by_namespace_, entry.ns);
  for (const std::string& term : entry.label_terms) update(by_label_, term);
}

std::optional<nlohmann::json> ObjectCache::Upsert(const nlohmann::json& object, Previous previous) {
  const std::string key = ObjectKey(object);
  Entry entry = Encode(object);
  std::optional<Entry> replaced;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(key);
    if (it != objects_.end()) {
      IndexLocked(key, it->second, /*add=*/false);
      replaced = std::move(it->second);
    }
    IndexLocked(key, entry, /*add=*/true);
    objects_[key] = std::move(entry);
  }
  if (!replaced) return std::nullopt;
  if (previous == Previous::kMetadata) return MetadataOf(key, *replaced);
  return Decode(*replaced->cbor);
}

bool ObjectCache::Erase(const std::string& key) {
  Entry removed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return false;
    IndexLocked(key, it->second, /*add=*/false);
    removed = std::move(it->second);
    objects_.erase(it);
  }
  return true;
}

std::optional<std::string> ObjectCache::ResourceVersion(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second.resource_version;
}

std::optional<nlohmann::json> ObjectCache::Remove(const std::string& key) {
  Encoded removed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return std::nullopt;
    removed = it->second.cbor;
    IndexLocked(key, it->second, /*add=*/false);
    objects_.erase(it);
  }
  return Decode(*removed);
}

}  // namespace vtguard::kube
