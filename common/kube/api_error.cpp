#include "common/kube/api_error.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <string>

#include "common/base/json_fields.h"

namespace vtguard::kube {
namespace {

ErrorCode CodeForHttpStatus(int http_status, std::string_view reason) {
  switch (http_status) {
    case 400:
    case 422:
      return ErrorCode::kInvalidArgument;
    case 401:
    case 403:
      return ErrorCode::kPermissionDenied;
    case 404:
      return ErrorCode::kNotFound;
    case 409:
      return reason == "AlreadyExists" ? ErrorCode::kAlreadyExists : ErrorCode::kConflict;
    case 410:
      return ErrorCode::kGone;
    case 429:
      return ErrorCode::kTooManyRequests;
    case 504:
      return ErrorCode::kDeadlineExceeded;
    default:
      break;
  }
  if (http_status >= 500) return ErrorCode::kUnavailable;
  return ErrorCode::kInternal;
}

std::string Describe(std::string_view what, std::string_view message, std::string_view reason,
                     int code) {
  std::string text(what);
  text += ": ";
  text += message.empty() ? "request failed" : message;
  text += " (";
  if (!reason.empty()) {
    text += "reason ";
    text += reason;
    text += ", ";
  }
  text += "code " + std::to_string(code) + ")";
  return text;
}

}  // namespace

Status StatusFromStatusObject(const nlohmann::json& object, std::string_view what) {
  std::string message = StringMember(object, "message");
  std::string reason = StringMember(object, "reason");
  int code = IntegerMember(object, "code", 500);
  return Status(CodeForHttpStatus(code, reason), Describe(what, message, reason, code));
}

Status StatusFromHttpError(int http_status, std::string_view body, std::string_view retry_after,
                           std::string_view what) {
  std::string message;
  std::string reason;
  nlohmann::json object = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (object.is_object() && StringMember(object, "kind") == "Status") {
    message = StringMember(object, "message");
    reason = StringMember(object, "reason");
  } else {
    message = "\"" + std::string(body.substr(0, 200)) + "\"";
  }
  Status status(CodeForHttpStatus(http_status, reason),
                Describe(what, message, reason, http_status));
  int seconds = 0;
  auto [end, error] =
      std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
  if (error == std::errc() && end == retry_after.data() + retry_after.size() && seconds >= 0 &&
      !retry_after.empty()) {
    status.set_retry_after(std::chrono::seconds(seconds));
  }
  return status;
}

}  // namespace vtguard::kube
