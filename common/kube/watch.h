// Watch stream decoding: the body of a watch is newline-delimited JSON, one event per line,
// and neither HTTP chunks nor TCP reads are aligned with lines or with UTF-8 characters.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace vtguard::kube {

// Joins bytes into complete lines. Bytes are only decoded once a whole line is present, so a
// multi-byte UTF-8 character split between reads is reassembled intact.
class LineAssembler {
 public:
  explicit LineAssembler(size_t max_line_bytes = 16 << 20) : max_line_bytes_(max_line_bytes) {}

  // Appends `data` and moves every completed, non-empty line (without '\n') to `lines`.
  // Returns kResourceExhausted when a line grows beyond the limit.
  Status Feed(std::string_view data, std::vector<std::string>* lines);

  size_t buffered_bytes() const { return partial_.size(); }
  void Reset() { partial_.clear(); }

 private:
  size_t max_line_bytes_;
  std::string partial_;
};

struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.
  nlohmann::json object;
};

// Parses one watch line. Rejects invalid JSON and unknown event types.
Result<WatchEvent> ParseWatchEvent(std::string_view line);

// Returns metadata.resourceVersion of an object, or "".
std::string ResourceVersionOf(const nlohmann::json& object);
// Returns "<namespace>/<name>", or "<name>" for cluster-scoped objects.
std::string ObjectKey(const nlohmann::json& object);

}  // namespace vtguard::kube
