#include "common/kube/watch.h"

namespace vtguard::kube {

Status LineAssembler::Feed(std::string_view data, std::vector<std::string>* lines) {
  while (!data.empty()) {
    size_t newline = data.find('\n');
    if (newline == std::string_view::npos) {
      partial_.append(data);
      break;
    }
    partial_.append(data.substr(0, newline));
    data.remove_prefix(newline + 1);
    if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
    if (!partial_.empty()) lines->push_back(std::move(partial_));
    partial_.clear();
  }
  if (partial_.size() > max_line_bytes_) {
    partial_.clear();
    return ResourceExhausted("watch event is larger than " + std::to_string(max_line_bytes_) +
                             " bytes");
  }
  return Status::Ok();
}

Result<WatchEvent> ParseWatchEvent(std::string_view line) {
  nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return InvalidArgument("watch event is not a JSON object: \"" +
                           std::string(line.substr(0, 120)) + "\"");
  }
  WatchEvent event;
  const auto type = parsed.find("type");
  const auto object = parsed.find("object");
  if (type == parsed.end() || !type->is_string() || object == parsed.end() ||
      !object->is_object()) {
    return InvalidArgument("watch event lacks a string \"type\" or an object \"object\"");
  }
  event.type = type->get<std::string>();
  if (event.type != "ADDED" && event.type != "MODIFIED" && event.type != "DELETED" &&
      event.type != "BOOKMARK" && event.type != "ERROR") {
    return InvalidArgument("watch event has unknown type \"" + event.type + "\"");
  }
  event.object = std::move(*object);
  return event;
}

std::string ResourceVersionOf(const nlohmann::json& object) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return "";
  auto rv = metadata->find("resourceVersion");
  return rv != metadata->end() && rv->is_string() ? rv->get<std::string>() : "";
}

std::string ObjectKey(const nlohmann::json& object) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return "";
  std::string ns = metadata->value("namespace", "");
  std::string name = metadata->value("name", "");
  return ns.empty() ? name : ns + "/" + name;
}

}  // namespace vtguard::kube
