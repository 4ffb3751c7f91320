#include "common/base/time.h"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace vtguard {

const Clock& RealClock::Get() {
  static const RealClock clock;
  return clock;
}

namespace {

std::tm ToUtc(SystemTime t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

// Floors to whole seconds, also for times before the epoch.
SystemTime FloorSeconds(SystemTime t) { return std::chrono::floor<std::chrono::seconds>(t); }

bool ParseDigits(std::string_view text, size_t pos, size_t count, int* out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

}  // namespace

std::string FormatRfc3339(SystemTime t) {
  std::tm tm = ToUtc(FloorSeconds(t));
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string FormatRfc3339Millis(SystemTime t) {
  SystemTime secs = FloorSeconds(t);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(t - secs).count();
  std::tm tm = ToUtc(secs);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buf;
}

Result<SystemTime> ParseRfc3339(std::string_view text) {
  auto invalid = [&] {
    return InvalidArgument("invalid timestamp \"" + std::string(text) +
                           "\": expected RFC 3339 such as 2026-12-04T10:00:00Z");
  };
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ParseDigits(text, 0, 4, &year) || text.size() < 20 || text[4] != '-' ||
      !ParseDigits(text, 5, 2, &month) || text[7] != '-' || !ParseDigits(text, 8, 2, &day) ||
      (text[10] != 'T' && text[10] != 't') || !ParseDigits(text, 11, 2, &hour) || text[13] != ':' ||
      !ParseDigits(text, 14, 2, &minute) || text[16] != ':' || !ParseDigits(text, 17, 2, &second)) {
    return invalid();
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return invalid();
  }
  size_t pos = 19;
  std::chrono::nanoseconds fraction{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    long long nanos = 0;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 9) {
        nanos = nanos * 10 + (text[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return invalid();
    for (int i = digits; i < 9; ++i) nanos *= 10;
    fraction = std::chrono::nanoseconds(nanos);
  }
  int offset_seconds = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (!ParseDigits(text, pos + 1, 2, &oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !ParseDigits(text, pos + 4, 2, &om)) {
      return invalid();
    }
    offset_seconds = (oh * 3600 + om * 60) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return invalid();
  }
  if (pos != text.size()) return invalid();
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t secs = timegm(&tm);
  SystemTime out = std::chrono::system_clock::from_time_t(secs) - Seconds(offset_seconds);
  return out + std::chrono::duration_cast<SystemTime::duration>(fraction);
}

Result<Seconds> ParseDuration(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return InvalidArgument("invalid duration \"" + std::string(text) + "\": " + std::string(why) +
                           "; use a Go duration such as 2160h, 90m or 1h30m");
  };
  if (text.empty()) return invalid("empty");
  if (text.front() == '-') return invalid("negative");
  if (text == "0") return Seconds(0);
  long double total = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = pos;
    while (pos < text.size() && ((text[pos] >= '0' && text[pos] <= '9') || text[pos] == '.')) {
      ++pos;
    }
    if (pos == start) return invalid("expected a number");
    long double number = 0;
    {
      std::string digits(text.substr(start, pos - start));
      char* end = nullptr;
      number = std::strtold(digits.c_str(), &end);
      if (end != digits.c_str() + digits.size()) return invalid("malformed number");
    }
    size_t unit_start = pos;
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
    std::string_view unit = text.substr(unit_start, pos - unit_start);
    if (unit == "h") {
      total += number * 3600;
    } else if (unit == "m") {
      total += number * 60;
    } else if (unit == "s") {
      total += number;
    } else if (unit == "ms") {
      total += number / 1000;
    } else if (unit.empty()) {
      return invalid("missing unit");
    } else {
      return invalid("unknown unit \"" + std::string(unit) + "\"");
    }
  }
  if (total > 1e11L) return invalid("too large");
  return Seconds(static_cast<long long>(total));
}

std::string FormatDuration(Seconds d) {
  long long secs = d.count();
  if (secs == 0) return "0s";
  std::string out;
  if (secs < 0) {
    out = "-";
    secs = -secs;
  }
  long long hours = secs / 3600;
  long long minutes = (secs % 3600) / 60;
  long long seconds = secs % 60;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (minutes > 0) out += std::to_string(minutes) + "m";
  if (seconds > 0) out += std::to_string(seconds) + "s";
  return out;
}

}  // namespace vtguard
