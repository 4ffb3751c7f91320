#include "common/vitess/yaml_json.h"

#include <gtest/gtest.h>

namespace vtguard::vitess {
namespace {

TEST(YamlToJson, PlainScalarsTakeTypesQuotedStayStrings) {
  auto documents = ParseYamlDocuments(R"(
plain_int: 3306
quoted_int: "3306"
single_quoted: '1'
plain_bool: true
quoted_bool: "true"
plain_null: ~
empty:
float: 0.5
octal_like: 0755
duration: 10s
block: |
  line one
  line two
)");
  ASSERT_TRUE(documents.ok()) << documents.status().ToString();
  const OrderedJson& doc = documents->at(0);
  EXPECT_EQ(doc["plain_int"], 3306);
  EXPECT_EQ(doc["quoted_int"], "3306");
  EXPECT_EQ(doc["single_quoted"], "1");
  EXPECT_EQ(doc["plain_bool"], true);
  EXPECT_EQ(doc["quoted_bool"], "true");
  EXPECT_TRUE(doc["plain_null"].is_null());
  EXPECT_TRUE(doc["empty"].is_null());
  EXPECT_EQ(doc["float"], 0.5);
  EXPECT_EQ(doc["octal_like"], "0755");
  EXPECT_EQ(doc["duration"], "10s");
  EXPECT_EQ(doc["block"], "line one\nline two\n");
}

TEST(YamlToJson, KeepsKeyOrderAndDocuments) {
  auto documents = ParseYamlDocuments("b: 1\na: 2\nc: 3\n---\n---\nx: y\n");
  ASSERT_TRUE(documents.ok());
  ASSERT_EQ(documents->size(), 3u);
  std::vector<std::string> keys;
  for (const auto& [key, value] : documents->at(0).items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_TRUE(documents->at(1).is_null());
}

TEST(YamlToJson, RejectsBrokenInput) {
  EXPECT_FALSE(ParseYamlDocuments("a: [b\n").ok());
  EXPECT_FALSE(ParseYamlDocuments("a: \xff\n").ok());
  EXPECT_FALSE(ParseYamlDocuments("? [a]\n: b\n").ok());
  // Aliases that expand beyond the node limit.
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char previous = 'a';
  for (char name = 'b'; name <= 'f'; ++name) {
    std::string p(1, previous);
    bomb += std::string(1, name) + ": &" + name + " [*" + p + ", *" + p + ", *" + p + ", *" + p +
            ", *" + p + ", *" + p + ", *" + p + ", *" + p + ", *" + p + ", *" + p + "]\n";
    previous = name;
  }
  auto result = ParseYamlDocuments(bomb);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kResourceExhausted);
}

TEST(JsonToYaml, RoundTripKeepsTypes) {
  OrderedJson value = OrderedJson::parse(R"({
    "z": "3306", "a": 3306, "t": "true", "n": "null", "e": "", "b": false, "f": 1.5,
    "list": [], "map": {}, "text": "two\nlines\n", "odd": "x: y", "spaces": " lead"})");
  std::string yaml = ToYaml(value);
  auto back = ParseYamlDocuments(yaml);
  ASSERT_TRUE(back.ok()) << yaml;
  EXPECT_EQ(back->at(0), value) << yaml;
  EXPECT_EQ(yaml.rfind("z: \"3306\"\n", 0), 0u) << yaml;
}

}  // namespace
}  // namespace vtguard::vitess
