#include "tests/apiserver/patches.h"

#include <gtest/gtest.h>

namespace vtguard::testing {
namespace {

struct PatchCase {
  std::string name;
  std::string target;
  std::string patch;
  std::string expected;
};

TEST(ApplyStrategicMergePatch, MergesAsKubectlExpects) {
  const std::vector<PatchCase> cases = {
      {"map merge", R"({"a":{"b":1,"c":2}})", R"({"a":{"c":3,"d":4}})",
       R"({"a":{"b":1,"c":3,"d":4}})"},
      {"null deletes", R"({"a":{"b":1,"c":2}})", R"({"a":{"b":null}})", R"({"a":{"c":2}})"},
      {"containers merge by name",
       R"({"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]})",
       R"({"containers":[{"name":"b","image":"z"}]})",
       R"({"containers":[{"name":"a","image":"x"},{"name":"b","image":"z"}]})"},
      {"delete directive", R"({"volumes":[{"name":"a"},{"name":"b"}]})",
       R"({"volumes":[{"name":"a","$patch":"delete"}]})", R"({"volumes":[{"name":"b"}]})"},
      {"other lists replace", R"({"args":["a","b"]})", R"({"args":["c"]})", R"({"args":["c"]})"},
      {"replace directive", R"({"a":{"b":1}})", R"({"a":{"c":2,"$patch":"replace"}})",
       R"({"a":{"c":2}})"},
      {"set element order ignored", R"({"env":[{"name":"a","value":"1"}]})",
       R"({"$setElementOrder/env":[{"name":"a"}],"env":[{"name":"a","value":"2"}]})",
       R"({"env":[{"name":"a","value":"2"}]})"},
      {"delete from primitive list", R"({"finalizers":["a","b"]})",
       R"({"$deleteFromPrimitiveList/finalizers":["a"]})", R"({"finalizers":["b"]})"},
  };
  for (const PatchCase& c : cases) {
    Result<nlohmann::json> result =
        ApplyStrategicMergePatch(nlohmann::json::parse(c.target), nlohmann::json::parse(c.patch));
    ASSERT_TRUE(result.ok()) << c.name;
    EXPECT_EQ(*result, nlohmann::json::parse(c.expected)) << c.name;
  }
}

TEST(ApplyJsonPatch, FailedTestOperationIsAnError) {
  nlohmann::json target = {{"metadata", {{"labels", {{"x", "1"}}}}}};
  nlohmann::json patch = nlohmann::json::parse(
      R"([{"op":"test","path":"/metadata/labels/x","value":"2"},
          {"op":"replace","path":"/metadata/labels/x","value":"3"}])");
  EXPECT_EQ(ApplyJsonPatch(target, patch).status().code(), ErrorCode::kInvalidArgument);
}

TEST(ApplyMergePatch, RejectsNonObject) {
  EXPECT_FALSE(ApplyMergePatch({{"a", 1}}, nlohmann::json::array()).ok());
  Result<nlohmann::json> merged = ApplyMergePatch({{"a", 1}, {"b", 2}}, {{"a", nullptr}});
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(*merged, (nlohmann::json{{"b", 2}}));
}

}  // namespace
}  // namespace vtguard::testing
