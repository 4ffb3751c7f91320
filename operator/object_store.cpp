#include "operator/object_store.h"

#include "common/base/json_fields.h"

namespace vtguard::op {

namespace {

std::string StringAt(const Json& object, std::string_view map_name, std::string_view key) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return "";
  auto map = metadata->find(map_name);
  if (map == metadata->end() || !map->is_object()) return "";
  auto value = map->find(key);
  if (value == map->end() || !value->is_string()) return "";
  return value->get<std::string>();
}

}  // namespace

Result<std::vector<Json>> ObjectStore::ListMetadata(const ResourceKind& kind, std::string_view ns,
                                                    const LabelSelector& selector) {
  VTG_ASSIGN_OR_RETURN(std::vector<Json> objects, List(kind, ns, selector));
  for (Json& object : objects) object = ObjectMetadata(object);
  return objects;
}

Result<std::string> ObjectStore::GetResourceVersion(const ResourceKind& kind, std::string_view ns,
                                                    std::string_view name) {
  VTG_ASSIGN_OR_RETURN(Json object, Get(kind, ns, name));
  return MetadataString(object, "resourceVersion");
}

Json ObjectMetadata(const Json& object) {
  Json metadata = {{"apiVersion", StringMember(object, "apiVersion")},
                   {"kind", StringMember(object, "kind")},
                   {"metadata", MemberOr(object, "metadata", Json::object())}};
  if (metadata["metadata"].is_object()) metadata["metadata"].erase("managedFields");
  return metadata;
}

bool MatchesLabels(const Json& object, const LabelSelector& selector) {
  for (const auto& [key, value] : selector) {
    if (StringAt(object, "labels", key) != value) return false;
  }
  return true;
}

std::string MetadataString(const Json& object, std::string_view field) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return "";
  auto value = metadata->find(field);
  if (value == metadata->end() || !value->is_string()) return "";
  return value->get<std::string>();
}

std::string Label(const Json& object, std::string_view key) {
  return StringAt(object, "labels", key);
}

std::string Annotation(const Json& object, std::string_view key) {
  return StringAt(object, "annotations", key);
}

}  // namespace vtguard::op
