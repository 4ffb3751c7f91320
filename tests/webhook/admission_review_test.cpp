#include "webhook/admission_review.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "tests/webhook/webhook_fixture.h"

namespace vtguard::webhook {
namespace {

using nlohmann::json;

json MinimalReview() {
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", "u-1"},
            {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
            {"operation", "CREATE"},
            {"namespace", "ns1"},
            {"object", {{"metadata", {{"name", "p"}}}}}}}};
}

TEST(DecodeAdmissionReview, ReadsTheRequestFields) {
  json review = MinimalReview();
  review["request"]["dryRun"] = true;
  std::string uid;
  auto request = DecodeAdmissionReview(review.dump(), &uid);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(uid, "u-1");
  EXPECT_EQ(request->kind, "Pod");
  EXPECT_EQ(request->group, "");
  EXPECT_EQ(request->operation, "CREATE");
  EXPECT_EQ(request->namespace_, "ns1");
  EXPECT_TRUE(request->dry_run);
  EXPECT_TRUE(request->old_object.is_null());
}

TEST(DecodeAdmissionReview, DeleteNeedsNoObject) {
  json review = MinimalReview();
  review["request"]["operation"] = "DELETE";
  review["request"]["object"] = nullptr;
  review["request"]["oldObject"] = {{"metadata", {{"name", "p"}}}};
  std::string uid;
  EXPECT_TRUE(DecodeAdmissionReview(review.dump(), &uid).ok());
}

TEST(DecodeAdmissionReview, ReportsUidOnlyWhenRead) {
  std::string uid = "stale";
  json review = MinimalReview();
  review["apiVersion"] = "admission.k8s.io/v1beta1";
  auto result = DecodeAdmissionReview(review.dump(), &uid);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(uid, "");
  EXPECT_NE(result.status().message().find("admission.k8s.io/v1"), std::string::npos);

  review = MinimalReview();
  review["request"]["operation"] = 7;
  result = DecodeAdmissionReview(review.dump(), &uid);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(uid, "u-1");
  EXPECT_NE(result.status().message().find("request.operation"), std::string::npos);
}

TEST(EncodeAdmissionResponse, OmitsPatchWhenNothingChanges) {
  vitess::AdmissionDecision decision;
  const json response = json::parse(EncodeAdmissionResponse("u-2", decision));
  EXPECT_EQ(response["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(response["kind"], "AdmissionReview");
  EXPECT_EQ(response["response"]["uid"], "u-2");
  EXPECT_TRUE(response["response"]["allowed"].get<bool>());
  EXPECT_FALSE(response["response"].contains("patch"));
  EXPECT_FALSE(response["response"].contains("patchType"));
  EXPECT_FALSE(response["response"].contains("status"));
}

TEST(EncodeAdmissionResponse, EncodesPatchAsBase64JsonPatch) {
  vitess::AdmissionDecision decision;
  const json value = "c";
  decision.patch.Add("add", "/metadata/labels/a~1b", &value);
  decision.warnings = {std::string(200, 'w')};
  const json response = json::parse(EncodeAdmissionResponse("u-3", decision));
  EXPECT_EQ(response["response"]["patchType"], "JSONPatch");
  EXPECT_EQ(testing::Base64Decode(response["response"]["patch"]),
            R"([{"op":"add","path":"/metadata/labels/a~1b","value":"c"}])");
  ASSERT_EQ(response["response"]["warnings"].size(), 1u);
  EXPECT_EQ(response["response"]["warnings"][0].get<std::string>().size(), 120u);
}

TEST(EncodeAdmissionResponse, DenialCarriesCodeAndMessage) {
  const json response = json::parse(EncodeErrorResponse("u-4", 400, "request.kind is missing"));
  EXPECT_FALSE(response["response"]["allowed"].get<bool>());
  EXPECT_EQ(response["response"]["status"]["code"], 400);
  EXPECT_EQ(response["response"]["status"]["message"], "request.kind is missing");
}

TEST(ExceedsJsonDepth, CountsOnlyStructureOutsideStrings) {
  EXPECT_FALSE(ExceedsJsonDepth("{\"a\":[1,{\"b\":2}]}", 3));
  EXPECT_TRUE(ExceedsJsonDepth("{\"a\":[1,{\"b\":[]}]}", 3));
  EXPECT_FALSE(ExceedsJsonDepth("{\"a\":\"[[[[[[\\\"[[[[\"}", 1));
  EXPECT_TRUE(ExceedsJsonDepth(std::string(100000, '['), kMaxJsonDepth));
}

TEST(TruncateUtf8, CutsAtCharacterBoundary) {
  EXPECT_EQ(TruncateUtf8("short", 10), "short");
  const std::string accented = "caf\xc3\xa9 caf\xc3\xa9";  // "café café", 11 bytes.
  const std::string cut = TruncateUtf8(accented, 7);
  EXPECT_LE(cut.size(), 7u);
  EXPECT_EQ(cut, "caf...");
}

TEST(Base64Encode, MatchesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

// The encoder takes six bytes per step and three in its tail, so every length up to a few
// steps is compared with OpenSSL's encoder, over every byte value.
TEST(Base64Encode, MatchesOpenSslForEveryLength) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) bytes += static_cast<char>((i * 167 + 13) % 256);
  for (std::size_t length = 0; length <= bytes.size(); ++length) {
    const std::string_view input(bytes.data(), length);
    std::string expected(4 * ((length + 2) / 3) + 1, '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(expected.data()),
                                        reinterpret_cast<const unsigned char*>(input.data()),
                                        static_cast<int>(length));
    expected.resize(static_cast<std::size_t>(written));
    EXPECT_EQ(Base64Encode(input), expected) << "length " << length;
  }
}

}  // namespace
}  // namespace vtguard::webhook
