#include "common/vitess/yaml_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

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

// yaml-cpp 0.7's parser reports a null document without consuming a token it cannot place at
// the start of a document. Before the reader checked for that, each of these inputs made
// parsing loop forever while allocating.
TEST(YamlToJson, RejectsTokenParserCannotPlace) {
  struct Case {
    std::string input;
    std::string message;
  };
  const std::vector<Case> cases = {
      {",tNULl", "invalid YAML at line 1, column 1: unexpected ','"},
      {",", "invalid YAML at line 1, column 1: unexpected ','"},
      {"a: 1\n---\n,x\n", "invalid YAML at line 3, column 1: unexpected ','"},
      {"- a\n---\n, b\n", "invalid YAML at line 3, column 1: unexpected ','"},
  };
  for (const Case& test : cases) {
    auto result = ParseYamlDocuments(test.input);
    ASSERT_FALSE(result.ok()) << test.input;
    EXPECT_EQ(result.status().code(), ErrorCode::kInvalidArgument) << test.input;
    EXPECT_THAT(result.status().message(), testing::HasSubstr(test.message)) << test.input;
  }
}

TEST(YamlToJson, ClosingBracketsOutsideFlowAreErrors) {
  for (std::string input : {"]", "}", "a: b\n]\n", "[a]]", "{a: b}}"}) {
    auto result = ParseYamlDocuments(input);
    EXPECT_FALSE(result.ok()) << input;
  }
}

TEST(YamlToJson, AliasesExpandAndKeepTypes) {
  auto documents = ParseYamlDocuments(
      "base: &base {port: 15999, tls: true}\n"
      "copy: *base\n"
      "name: &name vttablet\n"
      "*name : alias key\n"
      "---\n"
      "again: [&n 3, *n]\n");
  ASSERT_TRUE(documents.ok()) << documents.status().ToString();
  ASSERT_EQ(documents->size(), 2u);
  const OrderedJson& first = documents->at(0);
  EXPECT_EQ(first["copy"], first["base"]);
  EXPECT_EQ(first["copy"]["port"], 15999);
  EXPECT_EQ(first["vttablet"], "alias key");
  EXPECT_EQ(documents->at(1)["again"], OrderedJson::parse("[3, 3]"));
}

// Kubernetes reads YAML 1.1, where a plain << key merges maps into the map that contains it.
TEST(YamlToJson, MergeKeysMergeMaps) {
  auto documents = ParseYamlDocuments(
      "pools:\n"
      "- &pool {cell: zone1, type: replica, vttablet: {extraFlags: {db_charset: utf8mb4}}}\n"
      "- <<: *pool\n"
      "  type: rdonly\n"
      "- type: rdonly\n"
      "  <<: *pool\n"
      "- <<: [{a: 1, b: 1}, {b: 2, c: 2}]\n"
      "- \"<<\": quoted\n");
  ASSERT_TRUE(documents.ok()) << documents.status().ToString();
  const OrderedJson& pools = documents->at(0)["pools"];
  for (int i : {1, 2}) {
    EXPECT_EQ(pools[i]["cell"], "zone1") << i;
    EXPECT_EQ(pools[i]["type"], "rdonly") << i;
    EXPECT_EQ(pools[i]["vttablet"]["extraFlags"]["db_charset"], "utf8mb4") << i;
    EXPECT_FALSE(pools[i].contains("<<")) << i;
  }
  EXPECT_EQ(pools[3], OrderedJson::parse(R"({"a": 1, "b": 1, "c": 2})"));
  EXPECT_EQ(pools[4], OrderedJson::parse(R"({"<<": "quoted"})"));
}

TEST(YamlToJson, RejectsMergeOfNonMap) {
  for (const char* text : {"a: {<<: 3}\n", "a: {<<: [{x: 1}, y]}\n"}) {
    auto result = ParseYamlDocuments(text);
    ASSERT_FALSE(result.ok()) << text;
    EXPECT_THAT(result.status().message(), testing::HasSubstr("<< takes a map or a list of maps"))
        << text;
  }
}

TEST(YamlToJson, RejectsAliasInsideItsOwnNode) {
  auto result = ParseYamlDocuments("a: &a [x, *a]\n");
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), testing::HasSubstr("refers to a node that contains it"));
}

TEST(YamlToJson, RejectsDeepNesting) {
  std::string deep(200, '[');
  deep += std::string(200, ']');
  auto result = ParseYamlDocuments(deep);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kResourceExhausted);
  std::string allowed(100, '[');
  allowed += std::string(100, ']');
  EXPECT_TRUE(ParseYamlDocuments(allowed).ok());
}

TEST(YamlToJson, ResolvesLongPlainScalarsInLinearTime) {
  // A regular expression engine that recurses per character overflows the stack here.
  std::string digits(1'000'000, '7');
  auto documents =
      ParseYamlDocuments("a: 0." + digits + "\nb: 1" + digits + "x\nc: " + digits + "\n");
  ASSERT_TRUE(documents.ok()) << documents.status().ToString();
  EXPECT_TRUE(documents->at(0)["a"].is_number_float());
  EXPECT_EQ(documents->at(0)["b"], "1" + digits + "x");
  // Too large for a 64-bit integer: the text is kept.
  EXPECT_EQ(documents->at(0)["c"], digits);
}

TEST(YamlToJson, PlainScalarTypesTable) {
  struct Case {
    std::string text;
    OrderedJson expected;
  };
  const std::vector<Case> cases = {
      {"0", 0},
      {"-0", 0},
      {"+12", 12},
      {"012", "012"},
      {"1.5", 1.5},
      {".5", 0.5},
      {"-1.", -1.0},
      {"1e3", 1000.0},
      {"1E-2", 0.01},
      {"1e", "1e"},
      {"+", "+"},
      {".", "."},
      {"00.5", "00.5"},
      {"1.5.5", "1.5.5"},
      {"1e400", "1e400"},
      {"~", nullptr},
      {"NULL", nullptr},
      {"True", true},
      {"FALSE", false},
      {"yes", "yes"},
      {"10s", "10s"},
      {"0x1F", "0x1F"},
      {"9223372036854775808", "9223372036854775808"},
  };
  for (const Case& test : cases) {
    auto documents = ParseYamlDocuments("v: " + test.text + "\n");
    ASSERT_TRUE(documents.ok()) << test.text;
    EXPECT_EQ(documents->at(0)["v"], test.expected) << test.text;
  }
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

// Kubernetes and kubectl read YAML 1.1, where "yes", "on" and "0022" are a boolean and a
// number. Those strings must come out quoted; ordinary strings stay plain.
TEST(JsonToYaml, QuotesStringsThatYaml11WouldRetype) {
  const std::vector<std::string> retyped = {
      "yes",  "Yes",   "NO",   "on",   "OFF", "y",    "n",          "0022", "0777", "012",
      "0x1F", "1_000", ".inf", ".NaN", "1e3", "1:30", "2001-12-14", "-1",   "=",    "<<"};
  const std::vector<std::string> plain = {
      "500m",           "1Gi",     "v24.0.0", "vitess/lite:v24.0.0", "zone1",
      "/vt/tls/ca.crt", "replica", "Enforce"};
  for (const std::string& text : retyped) {
    OrderedJson value = {{"v", text}};
    std::string yaml = ToYaml(value);
    EXPECT_EQ(yaml, "v: \"" + text + "\"\n") << text;
    auto back = ParseYamlDocuments(yaml);
    ASSERT_TRUE(back.ok()) << yaml;
    EXPECT_EQ(back->at(0), value) << yaml;
  }
  for (const std::string& text : plain) {
    EXPECT_EQ(ToYaml(OrderedJson{{"v", text}}), "v: " + text + "\n") << text;
  }
}

// The same strings read back by PyYAML, a YAML 1.1 reader, stay strings.
TEST(JsonToYaml, Yaml11ReaderKeepsStrings) {
  if (std::system("/usr/bin/python3 -c 'import yaml' 2>/dev/null") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 with the yaml module is not installed";
  }
  OrderedJson value = {{"annotations", {{"backup.example.com/enabled", "yes"}}},
                       {"env", {{"umask", "0022"}, {"switch", "on"}, {"hex", "0x1F"}}},
                       {"flags", {{"count", "1_000"}, {"when", "2001-12-14"}, {"x", "1:30"}}},
                       {"symbols", {{"value", "="}, {"merge", "<<"}, {"<<", "a key"}}}};
  const std::string path = ::testing::TempDir() + "/yaml11_reader.yaml";
  {
    std::ofstream file(path);
    file << ToYaml(value);
  }
  const std::string command =
      "/usr/bin/python3 -c 'import json,sys,yaml; "
      "print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' " +
      path;
  std::FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (std::fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
  ASSERT_EQ(pclose(pipe), 0) << output;
  EXPECT_EQ(OrderedJson::parse(output), value) << output;
}

}  // namespace
}  // namespace vtguard::vitess
