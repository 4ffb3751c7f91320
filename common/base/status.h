// The error model of vtguard: every fallible function returns a Status or a Result<T>.
//
// Errors are values. Code that calls a library that throws (nlohmann::json, yaml-cpp,
// Boost.Asio) catches at the call and converts to a Status; OpenSSL errors are drained from the
// thread's error queue into the message (see pki/openssl_error.h). Exceptions never cross a
// vtguard API boundary. Internal invariants that cannot fail on any input are asserted instead.
//
// A Status carries a machine-readable code and a message written for the person who has to fix
// the problem: what failed, on which value, and what to do next. Callers that add context
// prepend it, so the final message reads from the outside in:
//
//   Result<Certificate> cert = LoadCertificate(path);
//   if (!cert.ok()) return cert.status().WithContext("loading the tablet certificate");
//   // -> "loading the tablet certificate: /tls/tls.crt: no PEM certificate found; ..."
//
// Both types are [[nodiscard]]: ignoring an error is a compile error under -Werror.
#pragma once

#include <cassert>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace vtguard {

// Error categories. Callers branch on the code, never on message text. The Kubernetes API
// client maps HTTP 404/409/410/429/5xx onto kNotFound/kConflict/kGone/kTooManyRequests/
// kUnavailable so that controllers can tell them apart.
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,     // Input from a user or a peer is malformed or breaks a rule.
  kNotFound,            // A named file, object or key does not exist.
  kAlreadyExists,       // Creating something that exists; nothing was overwritten.
  kConflict,            // Optimistic concurrency failure (stale resourceVersion).
  kGone,                // A watch or list position is too old; the caller must re-list.
  kTooManyRequests,     // The peer asked us to slow down; see Status::retry_after().
  kPermissionDenied,    // Authentication or authorization failed.
  kFailedPrecondition,  // The system is not in a state where the operation can run.
  kUnavailable,         // Transient failure (network, 5xx); retrying may succeed.
  kDeadlineExceeded,    // A timeout expired.
  kResourceExhausted,   // A size or count limit was hit.
  kInternal,            // A library call failed in a way the input does not explain.
};

// Returns the lower-case name of `code`, e.g. "invalid_argument", for logs and JSON output.
std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  // An OK status.
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // A server-suggested delay before retrying (HTTP Retry-After), when one was given.
  std::optional<std::chrono::seconds> retry_after() const { return retry_after_; }
  Status& set_retry_after(std::chrono::seconds delay) {
    retry_after_ = delay;
    return *this;
  }

  // Returns a copy whose message is "<context>: <message>", keeping code and retry hint.
  Status WithContext(std::string_view context) const;

  // "invalid_argument: <message>", or "ok".
  std::string ToString() const;

  // Marks the status as deliberately ignored.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  std::optional<std::chrono::seconds> retry_after_;
};

// Convenience constructors, one per code, so call sites read as the failure they report.
inline Status InvalidArgument(std::string message) {
  return {ErrorCode::kInvalidArgument, std::move(message)};
}
inline Status NotFound(std::string message) { return {ErrorCode::kNotFound, std::move(message)}; }
inline Status AlreadyExists(std::string message) {
  return {ErrorCode::kAlreadyExists, std::move(message)};
}
inline Status Conflict(std::string message) { return {ErrorCode::kConflict, std::move(message)}; }
inline Status FailedPrecondition(std::string message) {
  return {ErrorCode::kFailedPrecondition, std::move(message)};
}
inline Status Unavailable(std::string message) {
  return {ErrorCode::kUnavailable, std::move(message)};
}
inline Status DeadlineExceeded(std::string message) {
  return {ErrorCode::kDeadlineExceeded, std::move(message)};
}
inline Status ResourceExhausted(std::string message) {
  return {ErrorCode::kResourceExhausted, std::move(message)};
}
inline Status Internal(std::string message) { return {ErrorCode::kInternal, std::move(message)}; }

// Either a value of type T or a non-OK Status.
//
//   Result<int> ParsePort(std::string_view text);
//   Result<int> port = ParsePort("8443");
//   if (!port.ok()) return port.status();
//   Listen(*port);
template <typename T>
class [[nodiscard]] Result {
 public:
  static_assert(!std::is_same_v<std::decay_t<T>, Status>, "use Status directly");

  // NOLINTNEXTLINE(google-explicit-constructor): implicit by design, like absl::StatusOr.
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  // NOLINTNEXTLINE(google-explicit-constructor)
  Result(Status status) : state_(std::in_place_index<1>, std::move(status)) {
    // An OK status without a value is a programming error.
    assert(!std::get<1>(state_).ok());
  }

  bool ok() const { return state_.index() == 0; }

  // The error; an OK status when a value is present.
  Status status() const { return ok() ? Status() : std::get<1>(state_); }

  // Accessors; calling them on an error result is a programming error.
  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The value, or `fallback` on error.
  T value_or(T fallback) const& { return ok() ? std::get<0>(state_) : std::move(fallback); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace vtguard

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define VTG_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::vtguard::Status vtg_status_ = (expr);    \
    if (!vtg_status_.ok()) return vtg_status_; \
  } while (false)

#define VTG_CONCAT_INNER(a, b) a##b
#define VTG_CONCAT(a, b) VTG_CONCAT_INNER(a, b)

// Declares `lhs` from a Result expression, or returns its error from the enclosing function.
//   VTG_ASSIGN_OR_RETURN(auto cert, LoadCertificate(path));
#define VTG_ASSIGN_OR_RETURN(lhs, expr) \
  VTG_ASSIGN_OR_RETURN_IMPL(VTG_CONCAT(vtg_result_, __LINE__), lhs, expr)
#define VTG_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
