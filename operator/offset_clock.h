// A clock that runs ahead of the real clock by an offset read from a file. For tests and
// demonstrations only (--clock-offset-file): it lets an end-to-end run move the operator past
// renewal times and through a CA rotation without waiting for days.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "common/base/time.h"

namespace vtguard::op {

class OffsetClock final : public Clock {
 public:
  // `path` holds a Go duration ("720h", "90m") or a number of seconds; a missing or empty file
  // means no offset. The file is read again at most once per `reread_interval`.
  OffsetClock(std::string path, const Clock& base,
              std::chrono::milliseconds reread_interval = std::chrono::milliseconds(1000));

  SystemTime Now() const override;
  // The offset in effect, after reading the file when it is due.
  Seconds Offset() const;

 private:
  std::string path_;
  const Clock& base_;
  std::chrono::milliseconds reread_interval_;
  mutable std::mutex mu_;
  mutable Seconds offset_{0};
  mutable std::chrono::steady_clock::time_point next_read_{};
};

// Parses the offset file's text: a Go duration or decimal seconds, surrounding spaces ignored.
Result<Seconds> ParseClockOffset(std::string_view text);

}  // namespace vtguard::op
