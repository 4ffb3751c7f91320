#include "tests/apiserver/patches.h"

#include <algorithm>
#include <map>

namespace vtguard::testing {
namespace {

const std::map<std::string, std::string>& MergeKeys() {
  static const std::map<std::string, std::string> keys = {{"containers", "name"},
                                                          {"initContainers", "name"},
                                                          {"ephemeralContainers", "name"},
                                                          {"volumes", "name"},
                                                          {"env", "name"},
                                                          {"imagePullSecrets", "name"},
                                                          {"volumeMounts", "mountPath"},
                                                          {"ports", "containerPort"},
                                                          {"ownerReferences", "uid"}};
  return keys;
}

nlohmann::json StrategicMerge(const nlohmann::json& target, const nlohmann::json& patch);

// The "$patch" directive of a map or list item, or "".
std::string Directive(const nlohmann::json& object) {
  auto it = object.find("$patch");
  if (it == object.end() || !it->is_string()) return "";
  return it->dump().substr(1, it->dump().size() - 2);
}

nlohmann::json MergeList(const nlohmann::json& target, const nlohmann::json& patch,
                         const std::string& key) {
  nlohmann::json result = target.is_array() ? target : nlohmann::json::array();
  for (const nlohmann::json& item : patch) {
    if (!item.is_object() || !item.contains(key)) {
      result.push_back(item);
      continue;
    }
    auto match = std::find_if(result.begin(), result.end(), [&](const nlohmann::json& existing) {
      return existing.is_object() && existing.contains(key) && existing[key] == item[key];
    });
    const bool remove = Directive(item) == "delete";
    if (remove) {
      if (match != result.end()) result.erase(match);
      continue;
    }
    if (match == result.end()) {
      result.push_back(StrategicMerge(nlohmann::json::object(), item));
    } else {
      *match = StrategicMerge(*match, item);
    }
  }
  return result;
}

nlohmann::json StrategicMerge(const nlohmann::json& target, const nlohmann::json& patch) {
  if (!patch.is_object()) return patch;
  if (Directive(patch) == "replace") {
    nlohmann::json replaced = patch;
    replaced.erase("$patch");
    return replaced;
  }
  nlohmann::json result = target.is_object() ? target : nlohmann::json::object();
  for (const auto& [field, value] : patch.items()) {
    if (field == "$patch" || field == "$retainKeys" || field.rfind("$setElementOrder/", 0) == 0) {
      continue;
    }
    const std::string delete_prefix = "$deleteFromPrimitiveList/";
    if (field.rfind(delete_prefix, 0) == 0) {
      const std::string list = field.substr(delete_prefix.size());
      if (!result.contains(list) || !result[list].is_array()) continue;
      nlohmann::json kept = nlohmann::json::array();
      for (const auto& item : result[list]) {
        if (std::find(value.begin(), value.end(), item) == value.end()) kept.push_back(item);
      }
      result[list] = kept;
      continue;
    }
    if (value.is_null()) {
      result.erase(field);
      continue;
    }
    auto key = MergeKeys().find(field);
    if (value.is_array() && key != MergeKeys().end()) {
      result[field] = MergeList(result.value(field, nlohmann::json()), value, key->second);
    } else if (value.is_object()) {
      result[field] = StrategicMerge(result.value(field, nlohmann::json()), value);
    } else {
      result[field] = value;
    }
  }
  return result;
}

}  // namespace

Result<nlohmann::json> ApplyMergePatch(const nlohmann::json& target, const nlohmann::json& patch) {
  if (!patch.is_object()) return InvalidArgument("a merge patch must be a JSON object");
  nlohmann::json result = target;
  result.merge_patch(patch);
  return result;
}

Result<nlohmann::json> ApplyJsonPatch(const nlohmann::json& target, const nlohmann::json& patch) {
  if (!patch.is_array()) return InvalidArgument("a JSON patch must be a JSON array");
  try {
    return target.patch(patch);
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("JSON patch failed: ") + e.what());
  }
}

Result<nlohmann::json> ApplyStrategicMergePatch(const nlohmann::json& target,
                                                const nlohmann::json& patch) {
  if (!patch.is_object()) return InvalidArgument("a strategic merge patch must be a JSON object");
  return StrategicMerge(target, patch);
}

}  // namespace vtguard::testing
