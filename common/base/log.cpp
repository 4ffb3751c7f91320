#include "common/base/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <nlohmann/json.hpp>

#include "common/base/time.h"

namespace vtguard::log {
namespace {

constexpr std::string_view kRedacted = "[redacted]";

std::shared_ptr<spdlog::logger> MakeLogger(std::shared_ptr<spdlog::sinks::sink> sink) {
  auto logger = std::make_shared<spdlog::logger>("vtguard", std::move(sink));
  // The record is fully formatted by FormatRecord; spdlog only writes it.
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::trace);
  logger->flush_on(spdlog::level::trace);
  return logger;
}

struct State {
  std::mutex mu;
  std::shared_ptr<spdlog::logger> logger =
      MakeLogger(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  std::atomic<int> min_level{static_cast<int>(Level::kInfo)};
};

State& GlobalState() {
  static State* state = new State();  // Never destroyed: logging may run during exit.
  return *state;
}

std::shared_ptr<spdlog::logger> CurrentLogger() {
  State& state = GlobalState();
  std::lock_guard<std::mutex> lock(state.mu);
  return state.logger;
}

nlohmann::json ToJson(const Value& value) {
  return std::visit(
      [](const auto& v) -> nlohmann::json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return ContainsPrivateKey(v) ? std::string(kRedacted) : v;
        } else {
          return v;
        }
      },
      value);
}

}  // namespace

std::string_view KeyName(Key key) {
  switch (key) {
    case Key::kAddress:
      return "address";
    case Key::kAllocator:
      return "allocator";
    case Key::kAttempt:
      return "attempt";
    case Key::kBackoffMs:
      return "backoff_ms";
    case Key::kCluster:
      return "cluster";
    case Key::kComponent:
      return "component";
    case Key::kCount:
      return "count";
    case Key::kDurationMs:
      return "duration_ms";
    case Key::kError:
      return "error";
    case Key::kFile:
      return "file";
    case Key::kFingerprint:
      return "fingerprint";
    case Key::kKind:
      return "kind";
    case Key::kMethod:
      return "method";
    case Key::kName:
      return "name";
    case Key::kNamespace:
      return "namespace";
    case Key::kNotAfter:
      return "not_after";
    case Key::kOperation:
      return "operation";
    case Key::kPath:
      return "path";
    case Key::kPhase:
      return "phase";
    case Key::kPolicy:
      return "policy";
    case Key::kReason:
      return "reason";
    case Key::kReconcileId:
      return "reconcile_id";
    case Key::kResourceVersion:
      return "resource_version";
    case Key::kRevision:
      return "revision";
    case Key::kSerial:
      return "serial";
    case Key::kStatus:
      return "status";
    case Key::kSubject:
      return "subject";
    case Key::kSuppressed:
      return "suppressed";
    case Key::kThreads:
      return "threads";
    case Key::kUid:
      return "uid";
    case Key::kVersion:
      return "version";
  }
  return "unknown";
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

bool ParseLevel(std::string_view text, Level* level) {
  static constexpr std::array<Level, 4> kLevels = {Level::kDebug, Level::kInfo, Level::kWarn,
                                                   Level::kError};
  for (Level candidate : kLevels) {
    if (LevelName(candidate) == text) {
      *level = candidate;
      return true;
    }
  }
  return false;
}

bool ContainsPrivateKey(std::string_view text) {
  // Covers "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY" and
  // OpenSSH's "OPENSSH PRIVATE KEY" armour lines.
  return text.find("PRIVATE KEY-----") != std::string_view::npos;
}

std::string FormatRecord(std::chrono::system_clock::time_point ts, Level level,
                         std::string_view message, std::initializer_list<Field> fields) {
  // nlohmann::ordered_json keeps insertion order, so ts, level and msg lead every line.
  nlohmann::ordered_json record;
  record["ts"] = FormatRfc3339Millis(ts);
  record["level"] = LevelName(level);
  record["msg"] = ContainsPrivateKey(message) ? std::string(kRedacted) : std::string(message);
  for (const Field& field : fields) {
    record[std::string(KeyName(field.key))] = ToJson(field.value);
  }
  // Replace invalid UTF-8 instead of throwing: a log call must never fail.
  return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  State& state = GlobalState();
  if (static_cast<int>(level) < state.min_level.load(std::memory_order_relaxed)) return;
  std::string line = FormatRecord(std::chrono::system_clock::now(), level, message, fields);
  CurrentLogger()->info(line);
}

void SetLevel(Level level) {
  GlobalState().min_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

void SetSink(std::shared_ptr<spdlog::sinks::sink> sink) {
  State& state = GlobalState();
  std::lock_guard<std::mutex> lock(state.mu);
  state.logger = MakeLogger(std::move(sink));
}

void ResetSink() { SetSink(std::make_shared<spdlog::sinks::stderr_sink_mt>()); }

bool LogLimiter::Allow(std::string_view key, std::int64_t* suppressed) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    entries_.emplace(std::string(key), Entry{now, 0});
    *suppressed = 0;
    return true;
  }
  if (now - it->second.last < interval_) {
    ++it->second.dropped;
    return false;
  }
  *suppressed = it->second.dropped;
  it->second = Entry{now, 0};
  return true;
}

}  // namespace vtguard::log
