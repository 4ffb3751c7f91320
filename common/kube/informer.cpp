#include "common/kube/informer.h"

#include "common/base/json_fields.h"
#include "common/base/log.h"
#include "common/kube/api_error.h"
#include "common/kube/watch.h"

namespace vtguard::kube {

Informer::Informer(std::shared_ptr<Client> client, InformerOptions options)
    : client_(std::move(client)),
      options_(std::move(options)),
      backoff_(options_.initial_backoff, options_.max_backoff, 0.2, options_.backoff_seed) {}

Informer::~Informer() { Stop(); }

void Informer::AddHandlers(ResourceEventHandlers handlers) {
  handlers_.push_back(std::move(handlers));
}

void Informer::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void Informer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (active_stream_) active_stream_->Cancel();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Informer::WaitForSync(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!synced_) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

bool Informer::SleepBackoff() {
  ++backoff_count_;
  std::chrono::milliseconds delay = backoff_.Next();
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, delay, [this] { return stopping_; });
}

void Informer::Run() {
  bool need_list = true;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    if (need_list) {
      Status listed = ListAndReplace();
      if (!listed.ok()) {
        log::Warn("Listing failed; retrying.", {{log::Key::kKind, options_.resource.kind},
                                                {log::Key::kError, listed.ToString()}});
        if (!SleepBackoff()) return;
        continue;
      }
      need_list = false;
    }
    Status watched = WatchOnce();
    if (watched.ok()) continue;
    {
      // Stop() cancels the watch in flight; that is not a failure to report.
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    if (watched.code() == ErrorCode::kGone) {
      // The position expired; only a fresh LIST can tell which objects were deleted meanwhile.
      log::Info("Watch position expired; listing again.",
                {{log::Key::kKind, options_.resource.kind},
                 {log::Key::kResourceVersion, resource_version_}});
      need_list = true;
      resource_version_.clear();
    } else {
      log::Warn("Watch failed; reconnecting.", {{log::Key::kKind, options_.resource.kind},
                                                {log::Key::kError, watched.ToString()}});
    }
    if (!SleepBackoff()) return;
  }
}

void StripManagedFields(nlohmann::json& object) {
  auto metadata = object.find("metadata");
  if (metadata != object.end() && metadata->is_object()) metadata->erase("managedFields");
}

void Informer::ApplyListed(nlohmann::json object, std::set<std::string>* listed) {
  // List items omit apiVersion and kind on real servers; restore them for handlers.
  if (!object.contains("apiVersion")) object["apiVersion"] = options_.resource.ApiVersion();
  if (!object.contains("kind")) object["kind"] = options_.resource.kind;
  if (options_.transform) options_.transform(object);
  listed->insert(ObjectKey(object));
  std::optional<nlohmann::json> previous = cache_.Upsert(object, options_.old_object);
  for (const auto& handlers : handlers_) {
    if (!previous && handlers.on_add) handlers.on_add(object);
    if (previous && handlers.on_update) handlers.on_update(*previous, object);
  }
}

Status Informer::ListAndReplace() {
  ++list_count_;
  ListOptions list_options;
  list_options.label_selector = options_.label_selector;
  list_options.field_selector = options_.field_selector;
  list_options.limit = options_.list_page_size;
  std::set<std::string> listed;
  std::string resource_version;
  // Bounded so that a server that keeps returning a continue token cannot loop forever.
  constexpr int kMaxPages = 100000;
  for (int page = 0;; ++page) {
    if (page == kMaxPages) {
      return ResourceExhausted("list of " + options_.resource.plural + " did not end after " +
                               std::to_string(kMaxPages) + " pages");
    }
    VTG_ASSIGN_OR_RETURN(nlohmann::json list,
                         client_->List(options_.resource, options_.ns, list_options));
    if (auto items = list.find("items"); items != list.end() && items->is_array()) {
      for (nlohmann::json& item : *items) ApplyListed(std::move(item), &listed);
    }
    const nlohmann::json metadata = MemberOr(list, "metadata", nlohmann::json::object());
    resource_version = StringMember(metadata, "resourceVersion");
    list_options.continue_token = StringMember(metadata, "continue");
    if (list_options.continue_token.empty()) break;
  }
  for (const std::string& key : cache_.Keys()) {
    if (listed.count(key) != 0) continue;
    std::optional<nlohmann::json> removed = cache_.Remove(key);
    if (!removed) continue;
    for (const auto& handlers : handlers_) {
      if (handlers.on_delete) handlers.on_delete(*removed);
    }
  }
  resource_version_ = resource_version;
  synced_ = true;
  return Status::Ok();
}

Status Informer::ApplyEvent(WatchEvent& event) {
  if (event.type == "ERROR") {
    return StatusFromStatusObject(event.object, "watch of " + options_.resource.plural);
  }
  if (options_.transform && event.type != "BOOKMARK") options_.transform(event.object);
  std::string rv = ResourceVersionOf(event.object);
  if (!rv.empty()) resource_version_ = rv;
  if (event.type == "BOOKMARK") return Status::Ok();
  if (event.type == "DELETED") {
    if (!cache_.Erase(ObjectKey(event.object))) return Status::Ok();
    for (const auto& handlers : handlers_) {
      if (handlers.on_delete) handlers.on_delete(event.object);
    }
    return Status::Ok();
  }
  std::optional<nlohmann::json> previous = cache_.Upsert(event.object, options_.old_object);
  for (const auto& handlers : handlers_) {
    if (!previous && handlers.on_add) handlers.on_add(event.object);
    if (previous && handlers.on_update) handlers.on_update(*previous, event.object);
  }
  return Status::Ok();
}

Status Informer::WatchOnce() {
  ++watch_count_;
  WatchOptions watch_options;
  watch_options.resource_version = resource_version_;
  watch_options.label_selector = options_.label_selector;
  watch_options.field_selector = options_.field_selector;
  watch_options.timeout_seconds = options_.watch_timeout_seconds;
  VTG_ASSIGN_OR_RETURN(std::unique_ptr<ResponseStream> stream,
                       client_->OpenWatch(options_.resource, options_.ns, watch_options));
  ResponseStream* raw = stream.get();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Unavailable("informer stopped");
    active_stream_ = std::move(stream);
  }
  LineAssembler assembler;
  std::string data;
  std::vector<std::string> lines;
  Status result;
  for (;;) {
    Status read = raw->ReadSome(&data, options_.read_timeout);
    if (read.code() == ErrorCode::kNotFound) break;  // The server ended the watch.
    if (!read.ok()) {
      result = read;
      break;
    }
    lines.clear();
    result = assembler.Feed(data, &lines);
    if (!result.ok()) break;
    for (const std::string& line : lines) {
      Result<WatchEvent> event = ParseWatchEvent(line);
      if (!event.ok()) {
        result = event.status();
        break;
      }
      result = ApplyEvent(*event);
      if (!result.ok()) break;
      backoff_.Reset();
    }
    if (!result.ok()) break;
  }
  std::lock_guard<std::mutex> lock(mu_);
  active_stream_.reset();
  return result;
}

}  // namespace vtguard::kube
