#include "common/kube/api_error.h"

#include <gtest/gtest.h>

namespace vtguard::kube {
namespace {

struct ErrorCase {
  int http_status;
  std::string reason;
  ErrorCode code;
};

TEST(StatusFromHttpError, MapsHttpStatusToErrorCode) {
  const std::vector<ErrorCase> cases = {
      {400, "BadRequest", ErrorCode::kInvalidArgument},
      {401, "Unauthorized", ErrorCode::kPermissionDenied},
      {403, "Forbidden", ErrorCode::kPermissionDenied},
      {404, "NotFound", ErrorCode::kNotFound},
      {409, "Conflict", ErrorCode::kConflict},
      {409, "AlreadyExists", ErrorCode::kAlreadyExists},
      {410, "Expired", ErrorCode::kGone},
      {422, "Invalid", ErrorCode::kInvalidArgument},
      {429, "TooManyRequests", ErrorCode::kTooManyRequests},
      {500, "InternalError", ErrorCode::kUnavailable},
      {503, "ServiceUnavailable", ErrorCode::kUnavailable},
      {504, "Timeout", ErrorCode::kDeadlineExceeded},
  };
  for (const ErrorCase& c : cases) {
    nlohmann::json body = {{"kind", "Status"},   {"apiVersion", "v1"}, {"status", "Failure"},
                           {"reason", c.reason}, {"message", "boom"},  {"code", c.http_status}};
    Status status = StatusFromHttpError(c.http_status, body.dump(), "", "GET /x");
    EXPECT_EQ(status.code(), c.code) << c.http_status << " " << c.reason;
    EXPECT_EQ(status.message(),
              "GET /x: boom (reason " + c.reason + ", code " + std::to_string(c.http_status) + ")");
  }
}

TEST(StatusFromHttpError, ReadsRetryAfter) {
  Status status = StatusFromHttpError(429, "{}", "7", "GET /x");
  ASSERT_TRUE(status.retry_after().has_value());
  EXPECT_EQ(*status.retry_after(), std::chrono::seconds(7));
  EXPECT_FALSE(StatusFromHttpError(429, "{}", "soon", "GET /x").retry_after().has_value());
}

TEST(StatusFromHttpError, QuotesNonStatusBody) {
  Status status = StatusFromHttpError(502, "<html>bad gateway</html>", "", "GET /x");
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(status.message(), "GET /x: \"<html>bad gateway</html>\" (code 502)");
}

TEST(StatusFromStatusObject, DecodesWatchErrorEvent) {
  nlohmann::json object = {{"kind", "Status"},
                           {"reason", "Expired"},
                           {"code", 410},
                           {"message", "too old resource version: 5003 (5600)"}};
  Status status = StatusFromStatusObject(object, "watch");
  EXPECT_EQ(status.code(), ErrorCode::kGone);
}

}  // namespace
}  // namespace vtguard::kube
