#include "operator/offset_clock.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include "common/base/log.h"

namespace vtguard::op {

Result<Seconds> ParseClockOffset(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  if (text.empty()) return Seconds(0);
  long long seconds = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (error == std::errc() && end == text.data() + text.size() && seconds >= 0) {
    return Seconds(seconds);
  }
  Result<Seconds> duration = ParseDuration(text);
  if (!duration.ok()) {
    return InvalidArgument("invalid clock offset \"" + std::string(text) +
                           "\": write a duration such as 720h or a number of seconds");
  }
  return duration;
}

OffsetClock::OffsetClock(std::string path, const Clock& base,
                         std::chrono::milliseconds reread_interval)
    : path_(std::move(path)), base_(base), reread_interval_(reread_interval) {}

Seconds OffsetClock::Offset() const {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (now < next_read_) return offset_;
  next_read_ = now + reread_interval_;
  std::ifstream in(path_);
  if (!in) return offset_ = Seconds(0);
  std::stringstream text;
  text << in.rdbuf();
  Result<Seconds> parsed = ParseClockOffset(text.str());
  if (!parsed.ok()) {
    log::Warn("Ignoring an invalid clock offset file.",
              {{log::Key::kFile, path_}, {log::Key::kError, parsed.status().ToString()}});
    return offset_;
  }
  if (*parsed != offset_) {
    log::Info("Clock offset changed.",
              {{log::Key::kFile, path_}, {log::Key::kDurationMs, parsed->count() * 1000}});
  }
  return offset_ = *parsed;
}

SystemTime OffsetClock::Now() const { return base_.Now() + Offset(); }

}  // namespace vtguard::op
