// ParseJson against nlohmann's parser: every text either gives the same value (same types, same
// dump) from both, or an error from both.
#include "common/vitess/json_parse.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/webhook/webhook_fixture.h"
#include "webhook/admission_review.h"

namespace vtguard::webhook::testing {
namespace {

using nlohmann::json;
using vitess::ParseJson;

// Deep enough for every differential text, so only the value decides.
constexpr int kNoDepthLimit = 100000;

// True when `a` and `b` have the same type at every node; == alone treats 1 and 1.0 as equal.
bool SameTypes(const json& a, const json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(), other = b.begin(); it != a.end(); ++it, ++other) {
      if (it.key() != other.key() || !SameTypes(it.value(), other.value())) return false;
    }
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!SameTypes(a[i], b[i])) return false;
    }
  }
  return true;
}

// Parses `text` with both parsers and checks that they agree.
void ExpectSameAsNlohmann(const std::string& text, const std::string& label) {
  const json expected = json::parse(text, nullptr, /*allow_exceptions=*/false);
  Result<json> parsed = ParseJson(text, kNoDepthLimit);
  if (expected.is_discarded()) {
    EXPECT_FALSE(parsed.ok()) << label << ": nlohmann rejects it but ParseJson returned "
                              << parsed->dump(-1, ' ', false, json::error_handler_t::replace);
    return;
  }
  ASSERT_TRUE(parsed.ok()) << label << ": " << parsed.status().ToString();
  EXPECT_EQ(*parsed, expected) << label;
  EXPECT_TRUE(SameTypes(*parsed, expected)) << label;
  EXPECT_EQ(parsed->dump(), expected.dump()) << label;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ParseJson, EdgeCasesMatchNlohmann) {
  const std::vector<std::string> cases = {
      // Literals and whitespace.
      "null", "true", "false", " \t\r\n null \t\r\n", "nul", "truex", "True", "[true false]", "",
      " ", "\v1", "\f1",
      // Numbers.
      "0", "-0", "1", "-1", "01", "-01", "00", "1.", ".5", "-", "+1", "1e", "1e+", "1E5", "1e-5",
      "-0.0", "0.5e+10", "1.5E-3", "18446744073709551615", "18446744073709551616",
      "-9223372036854775808", "-9223372036854775809", "99999999999999999999999999", "1e308",
      "1e309", "-1e309", "1e-400", "3.141592653589793238462643383279", "0x10", "1_000", "NaN",
      "Infinity", "-Infinity", "[1,-2,3.5,4e2]",
      // Strings and escapes.
      R"("")", R"("plain")", R"("\"\\\/\b\f\n\r\t")", R"("\u0041\u00e9\u4e2d")", R"("\u0000")",
      R"("\ud83d\ude00")", R"("\uD83D\uDE00")", R"("\ud83d")", R"("\ud83dx")", R"("\ud83d\u0041")",
      R"("\ude00")", R"("\u12")", R"("\u12g4")", R"("\x41")", R"("\a")", R"("\)", "\"unterminated",
      "\"tab\there\"", "\"nl\nhere\"", "\"del\x7f\"", std::string("\"nul\0inside\"", 12),
      // UTF-8: valid, overlong, surrogates, out of range, truncated.
      "\"caf\xc3\xa9\"", "\"\xe2\x9c\x93\"", "\"\xf0\x9f\x98\x80\"", "\"\xc3\x28\"", "\"\xc0\xaf\"",
      "\"\xc1\xbf\"", "\"\xe0\x80\xaf\"", "\"\xe0\xa0\x80\"", "\"\xed\xa0\x80\"",
      "\"\xed\x9f\xbf\"", "\"\xf0\x80\x80\x80\"", "\"\xf0\x90\x80\x80\"", "\"\xf4\x8f\xbf\xbf\"",
      "\"\xf4\x90\x80\x80\"", "\"\xf5\x80\x80\x80\"", "\"\xff\"", "\"\x80\"", "\"\xc3\"",
      "\"\xe2\x9c\"", "\"\xf0\x9f\x98\"",
      // Byte order mark.
      "\xef\xbb\xbf{}", "\xef\xbb{}", "\xef{}", "\xef\xbb\xbf", "{}\xef\xbb\xbf", "\xff\xfe{}",
      // Arrays and objects.
      "[]", "[ ]", "[1,]", "[,1]", "[1 2]", "[", "]", "[[[]]]", "{}", "{ }", R"({"a":1})",
      R"({"a":1,})", R"({,"a":1})", R"({"a" 1})", R"({"a":})", R"({a:1})", R"({'a':1})",
      R"({"a":1}})", "{}x", "{}{}", R"({"b":1,"a":2})", R"({"a":1,"a":2})",
      R"({"a":{"x":1},"a":[2]})", R"({"":0})", R"({"k\u0000":1})", R"({"apiVersion":NaN})",
      "[1,[2,[3,{\"a\":[4]}]]]", "/* comment */ {}", "{} // comment",
      // A NUL byte outside a string.
      std::string("8\0", 2), std::string("8 \0 x", 5), std::string("{}\0{", 4),
      std::string("\0", 1), std::string("[1\0]", 4), std::string("tru\0", 4),
      std::string("{\"a\":\0}", 6)};
  for (const std::string& text : cases) {
    ExpectSameAsNlohmann(text, json(text).dump(-1, ' ', false, json::error_handler_t::replace));
  }
}

TEST(ParseJson, FuzzCorpusMatchesNlohmann) {
  const std::filesystem::path corpus =
      std::filesystem::path(VTGUARD_SOURCE_DIR) / "tests/fuzz/corpus";
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(corpus)) {
    if (!entry.is_regular_file()) continue;
    ExpectSameAsNlohmann(ReadFile(entry.path()), entry.path().string());
    ++files;
  }
  EXPECT_GT(files, 0) << "no corpus files under " << corpus;
}

// Every VitessCluster of the vitess-operator manifests as an admission review, plus every cut
// of the first review that the webhook tests send truncated.
TEST(ParseJson, ManifestReviewsMatchNlohmann) {
  const std::filesystem::path manifests = SharedData("data/vitess-operator");
  std::vector<std::string> reviews;
  for (const auto& entry : std::filesystem::directory_iterator(manifests)) {
    if (entry.path().extension() != ".yaml") continue;
    for (const json& document : LoadYamlDocuments(entry.path().string())) {
      if (!document.is_object() || document.value("kind", "") != "VitessCluster") continue;
      reviews.push_back(MakeReview("VitessCluster", "CREATE", document).dump());
      reviews.push_back(MakeReview("VitessCluster", "UPDATE", document, document).dump(2));
    }
  }
  ASSERT_GE(reviews.size(), 6u);
  for (const std::string& review : reviews) ExpectSameAsNlohmann(review, review.substr(0, 200));

  const std::string& base = reviews.front();
  for (std::size_t length = 0; length < base.size(); length += 7) {
    ExpectSameAsNlohmann(base.substr(0, length), "first " + std::to_string(length) + " bytes");
  }
}

TEST(ParseJson, DepthLimitCountsArraysAndObjects) {
  const int limit = kMaxJsonDepth;
  const std::string at_limit = std::string(limit, '[') + std::string(limit, ']');
  const std::string over_limit = std::string(limit + 1, '[') + std::string(limit + 1, ']');
  EXPECT_TRUE(ParseJson(at_limit, limit).ok());
  EXPECT_FALSE(ParseJson(over_limit, limit).ok());

  std::string objects;
  for (int i = 0; i <= limit; ++i) objects += "{\"a\":";
  objects += "1" + std::string(limit + 1, '}');
  EXPECT_FALSE(ParseJson(objects, limit).ok());
  EXPECT_TRUE(ParseJson(objects, limit + 1).ok());
}

TEST(ParseJson, DeepInputFailsWithoutRecursingFurther) {
  const Result<json> parsed = ParseJson(std::string(1000000, '['), kMaxJsonDepth);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("depth"), std::string::npos)
      << parsed.status().message();
}

TEST(ParseJson, ErrorNamesByteOffset) {
  const Result<json> parsed = ParseJson(R"({"a":[1,2,]})", kMaxJsonDepth);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "invalid JSON at byte 10: invalid number");
}

TEST(ParseJson, DuplicateKeyKeepsLastValue) {
  const Result<json> parsed = ParseJson(R"({"b":1,"a":2,"b":3})", kMaxJsonDepth);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->dump(), R"({"a":2,"b":3})");
}

}  // namespace
}  // namespace vtguard::webhook::testing
