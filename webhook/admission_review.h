// Decoding AdmissionReview requests and encoding responses (admission.k8s.io/v1 only).
//
// The API server sends the version listed first in the webhook's admissionReviewVersions that
// it supports and expects the response in the same version; vtguard registers only v1.
// Errors split by whether the request uid is known:
// - Without a uid (not JSON, too deep, not an object, not v1, no request, no uid) no valid
//   response can be formed, so the server responds with HTTP 400 and a one-line reason. The API
//   server treats that as a webhook call failure and applies the failurePolicy.
// - With a uid (a v1 review whose request has a wrong field), the response is an AdmissionReview
//   with allowed=false and status.code 400, so the user sees the reason in the API error.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "common/vitess/admission.h"

namespace vtguard::webhook {

inline constexpr std::string_view kAdmissionApiVersion = "admission.k8s.io/v1";
inline constexpr std::string_view kAdmissionKind = "AdmissionReview";
// Kubernetes objects nest about 20 levels deep; anything far deeper is refused before parsing
// so that the recursive JSON parser cannot exhaust the stack.
inline constexpr int kMaxJsonDepth = 64;

// The fields of AdmissionReview.request that the webhook uses.
struct AdmissionRequest {
  std::string uid;
  std::string group;  // request.kind.group, "" for the core group.
  std::string version;
  std::string kind;       // request.kind.kind, e.g. "VitessCluster" or "Pod".
  std::string operation;  // CREATE, UPDATE, DELETE or CONNECT.
  std::string namespace_;
  std::string name;
  bool dry_run = false;
  nlohmann::json object;      // null on DELETE.
  nlohmann::json old_object;  // null on CREATE and CONNECT.
};

// Returns true when JSON `text` nests arrays and objects deeper than `max_depth`. A linear scan
// that skips string contents; it does not validate the JSON.
bool ExceedsJsonDepth(std::string_view text, int max_depth);

// Decodes an AdmissionReview body. On error `uid` receives the request uid when it was read
// before the error, and stays empty otherwise.
Result<AdmissionRequest> DecodeAdmissionReview(std::string_view body, std::string* uid);

// Encodes the AdmissionReview response for `decision`: allowed, status on denial, a base64
// JSON Patch only when the patch is non-empty, and warnings cut to 120 bytes each.
std::string EncodeAdmissionResponse(std::string_view uid,
                                    const vitess::AdmissionDecision& decision);

// Encodes a denial with status.code `code` for a request that could not be processed.
std::string EncodeErrorResponse(std::string_view uid, int code, std::string_view message);

// Cuts `text` to at most `max_bytes` bytes at a UTF-8 character boundary, ending in "..." when
// cut.
std::string TruncateUtf8(std::string_view text, std::size_t max_bytes);

// Standard base64 with padding.
std::string Base64Encode(std::string_view bytes);
// Appends the standard base64 of `bytes`, with padding, to `out`.
void AppendBase64(std::string_view bytes, std::string& out);

}  // namespace vtguard::webhook
