#include "common/base/status.h"

#include <gtest/gtest.h>

namespace vtguard {
namespace {

Result<int> ParsePositive(int value) {
  if (value <= 0) return InvalidArgument("value " + std::to_string(value) + " is not positive");
  return value;
}

Result<int> Doubled(int value) {
  VTG_ASSIGN_OR_RETURN(int parsed, ParsePositive(value));
  return parsed * 2;
}

Status CheckAll(int a, int b) {
  VTG_RETURN_IF_ERROR(ParsePositive(a).status());
  VTG_RETURN_IF_ERROR(ParsePositive(b).status().WithContext("second value"));
  return Status::Ok();
}

TEST(Status, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.ToString(), "ok");
}

TEST(Status, WithContextPrependsAndKeepsCode) {
  Status status = NotFound("/tls/tls.crt does not exist").set_retry_after(std::chrono::seconds(3));
  Status wrapped = status.WithContext("loading the serving certificate");
  EXPECT_EQ(wrapped.code(), ErrorCode::kNotFound);
  EXPECT_EQ(wrapped.message(), "loading the serving certificate: /tls/tls.crt does not exist");
  ASSERT_TRUE(wrapped.retry_after().has_value());
  EXPECT_EQ(wrapped.retry_after()->count(), 3);
  EXPECT_EQ(wrapped.ToString(),
            "not_found: loading the serving certificate: /tls/tls.crt does not exist");
}

TEST(Result, CarriesValueOrError) {
  Result<int> good = Doubled(4);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 8);
  Result<int> bad = Doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "value -1 is not positive");
  EXPECT_EQ(bad.value_or(7), 7);
}

TEST(Result, ReturnIfErrorStopsAtFirstFailure) {
  EXPECT_TRUE(CheckAll(1, 2).ok());
  EXPECT_EQ(CheckAll(1, 0).message(), "second value: value 0 is not positive");
  EXPECT_EQ(CheckAll(-3, 0).message(), "value -3 is not positive");
}

}  // namespace
}  // namespace vtguard
