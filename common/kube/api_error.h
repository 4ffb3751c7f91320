// Decodes Kubernetes API error responses (a metav1.Status body) into vtguard::Status.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/base/status.h"

namespace vtguard::kube {

// Maps an HTTP error response onto an ErrorCode:
//   404 -> kNotFound, 409 -> kConflict (kAlreadyExists when reason is AlreadyExists),
//   410 -> kGone, 429 -> kTooManyRequests (retry_after from `retry_after`, in seconds),
//   401/403 -> kPermissionDenied, 400/422 -> kInvalidArgument, 5xx -> kUnavailable,
//   504 -> kDeadlineExceeded.
// The message is "<what>: <Status.message> (reason <reason>, code <code>)"; a body that is not a
// Status object is quoted, cut to 200 bytes.
Status StatusFromHttpError(int http_status, std::string_view body, std::string_view retry_after,
                           std::string_view what);

// Same mapping for a Status object carried in a watch ERROR event.
Status StatusFromStatusObject(const nlohmann::json& object, std::string_view what);

}  // namespace vtguard::kube
