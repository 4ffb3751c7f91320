// Time helpers shared by every component: an injectable clock, RFC 3339 timestamps and the
// Go duration syntax ("2160h", "90m", "1h30m") that Kubernetes resources use.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>

#include "common/base/status.h"

namespace vtguard {

using SystemTime = std::chrono::system_clock::time_point;
using Seconds = std::chrono::seconds;

// The source of "now" for everything that schedules work (renewal, backoff, rotation). Tests
// and the operator's demonstration mode use FakeClock to move time forward.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual SystemTime Now() const = 0;
};

class RealClock final : public Clock {
 public:
  SystemTime Now() const override { return std::chrono::system_clock::now(); }
  // The process-wide real clock.
  static const Clock& Get();
};

// A clock that only moves when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(SystemTime start) : now_ns_(ToNanos(start)) {}
  SystemTime Now() const override {
    return SystemTime(
        std::chrono::duration_cast<SystemTime::duration>(std::chrono::nanoseconds(now_ns_.load())));
  }
  void Advance(std::chrono::nanoseconds delta) { now_ns_ += delta.count(); }
  void Set(SystemTime t) { now_ns_ = ToNanos(t); }

 private:
  static long long ToNanos(SystemTime t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  }
  std::atomic<long long> now_ns_;
};

// "2026-12-04T10:00:00Z" (seconds precision, UTC), as Kubernetes writes metav1.Time.
std::string FormatRfc3339(SystemTime t);
// "2026-12-04T10:00:00.123Z" (milliseconds, UTC), for log records.
std::string FormatRfc3339Millis(SystemTime t);
// Parses RFC 3339 with a "Z" or numeric offset and optional fractional seconds.
Result<SystemTime> ParseRfc3339(std::string_view text);

// Parses a Go duration string: a sequence of decimal numbers with units h, m, s, ms
// ("87600h", "1h30m", "45s"). Negative and empty durations are rejected.
Result<Seconds> ParseDuration(std::string_view text);
// Formats as Go does for whole seconds: "2160h0m0s" -> "2160h", "90m" -> "1h30m".
std::string FormatDuration(Seconds d);

}  // namespace vtguard
