// Structured JSON-lines logging for every vtguard binary, on top of spdlog.
//
// Each record is one JSON object on one line:
//   {"ts":"2026-12-04T10:00:00.123Z","level":"info","msg":"Issued certificate.",
//    "namespace":"ns1","name":"example-vttablet-tls","serial":"5f..."}
// `ts`, `level` and `msg` come first; the other keys come only from the fixed vocabulary in
// `Key`, so that log queries work across components and releases. Messages are sentences;
// data goes in keys.
//
// Private keys never reach the output: any string value (and the message) that contains a PEM
// private-key header is replaced by "[redacted]" before formatting. Code must still not pass
// key material to the logger; the redaction is the last line of defence.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>

namespace spdlog::sinks {
class sink;
}

namespace vtguard::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// The fixed key vocabulary, written in snake_case in the output.
enum class Key {
  kAddress,          // "address": host:port of a listener or peer.
  kAllocator,        // "allocator": the memory allocator that serves malloc.
  kAttempt,          // "attempt": 1-based retry counter.
  kBackoffMs,        // "backoff_ms": delay before the next attempt.
  kCluster,          // "cluster": VitessCluster name.
  kComponent,        // "component": vttablet, vtgate, vtctld, vtorc, webhook, operator.
  kCount,            // "count": number of items handled.
  kDurationMs,       // "duration_ms": elapsed wall time.
  kError,            // "error": Status::ToString() of a handled error.
  kFile,             // "file": path on the local file system.
  kFingerprint,      // "fingerprint": SHA-256 of a certificate, hex.
  kKind,             // "kind": Kubernetes kind.
  kMethod,           // "method": HTTP method.
  kName,             // "name": Kubernetes object name.
  kNamespace,        // "namespace": Kubernetes namespace.
  kNotAfter,         // "not_after": certificate expiry, RFC 3339.
  kOperation,        // "operation": admission operation (CREATE, UPDATE, ...).
  kPath,             // "path": HTTP path or JSON pointer.
  kPhase,            // "phase": rotation or migration phase.
  kPolicy,           // "policy": VitessTLSPolicy name.
  kReason,           // "reason": PascalCase reason, as in Kubernetes conditions.
  kReconcileId,      // "reconcile_id": id shared by every record of one reconcile.
  kResourceVersion,  // "resource_version": Kubernetes resourceVersion.
  kRevision,         // "revision": vtguard TLS revision of a cluster.
  kSerial,           // "serial": certificate serial number, hex.
  kStatus,           // "status": HTTP status code.
  kSubject,          // "subject": certificate subject.
  kSuppressed,       // "suppressed": repeats dropped by a LogLimiter since the last record.
  kThreads,          // "threads": number of worker threads or event loops.
  kUid,              // "uid": Kubernetes or admission request uid.
  kVersion,          // "version": software version.
};

std::string_view KeyName(Key key);
std::string_view LevelName(Level level);

using Value = std::variant<std::string, std::int64_t, double, bool>;

struct Field {
  Field(Key k, std::string_view v) : key(k), value(std::string(v)) {}
  Field(Key k, const char* v) : key(k), value(std::string(v)) {}
  Field(Key k, const std::string& v) : key(k), value(v) {}
  Field(Key k, std::int64_t v) : key(k), value(v) {}
  Field(Key k, int v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(Key k, std::uint64_t v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(Key k, double v) : key(k), value(v) {}
  Field(Key k, bool v) : key(k), value(v) {}

  Key key;
  Value value;
};

// Formats one record as a JSON line without the trailing newline. Pure, for tests.
std::string FormatRecord(std::chrono::system_clock::time_point ts, Level level,
                         std::string_view message, std::initializer_list<Field> fields);

// True when `text` contains a PEM private-key header of any kind.
bool ContainsPrivateKey(std::string_view text);

void Write(Level level, std::string_view message, std::initializer_list<Field> fields = {});
inline void Debug(std::string_view message, std::initializer_list<Field> fields = {}) {
  Write(Level::kDebug, message, fields);
}
inline void Info(std::string_view message, std::initializer_list<Field> fields = {}) {
  Write(Level::kInfo, message, fields);
}
inline void Warn(std::string_view message, std::initializer_list<Field> fields = {}) {
  Write(Level::kWarn, message, fields);
}
inline void Error(std::string_view message, std::initializer_list<Field> fields = {}) {
  Write(Level::kError, message, fields);
}

// Sets the minimum level written. Default: kInfo.
void SetLevel(Level level);
// Parses "debug", "info", "warn" or "error".
bool ParseLevel(std::string_view text, Level* level);

// Replaces the output sink (default: stderr). Tests capture output through an ostream sink.
void SetSink(std::shared_ptr<spdlog::sinks::sink> sink);
// Restores the default stderr sink.
void ResetSink();

// Lets one record per key through per interval and counts the rest, for errors that can repeat
// on a hot path (a peer failing every request, a watch reconnect loop). Thread-safe.
class LogLimiter {
 public:
  explicit LogLimiter(std::chrono::steady_clock::duration interval) : interval_(interval) {}

  // Returns true when a record for `key` may be written now; `suppressed` receives how many
  // records for that key were dropped since the last one written.
  bool Allow(std::string_view key, std::int64_t* suppressed);

 private:
  struct Entry {
    std::chrono::steady_clock::time_point last;
    std::int64_t dropped = 0;
  };
  std::chrono::steady_clock::duration interval_;
  std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace vtguard::log
