// JsonPatch and PatchBuilder: pointer escaping, the text form of the patch, and the shortcuts
// that take a found object or a parent pointer.
#include "common/vitess/json_patch.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/vitess/admission.h"
#include "tests/vitess/test_util.h"

namespace vtguard::vitess {
namespace {

using nlohmann::json;
using testing::ReadYamlFile;
using testing::SharedPath;

TEST(PointerTokens, EscapeTildeThenSlash) {
  EXPECT_EQ(EscapePointerToken("plain"), "plain");
  EXPECT_EQ(EscapePointerToken("a~b/c"), "a~0b~1c");
  EXPECT_EQ(EscapePointerToken("~1"), "~01");
  EXPECT_EQ(EscapePointerToken("/~"), "~1~0");
  EXPECT_EQ(EscapePointerToken(""), "");
}

TEST(PointerTokens, ToPointerJoinsEscapedTokens) {
  EXPECT_EQ(ToPointer(PointerTokens{}), "");
  EXPECT_EQ(ToPointer(PointerTokens{"spec", "keyspaces", "0"}), "/spec/keyspaces/0");
  EXPECT_EQ(ToPointer(PointerTokens{"metadata", "annotations", "vtguard.io/injected"}),
            "/metadata/annotations/vtguard.io~1injected");
  EXPECT_EQ(ToPointer(PointerTokens{"a~b", "", "c"}), "/a~0b//c");

  std::string pointer = "/spec";
  AppendPointerToken("x/y~z", pointer);
  EXPECT_EQ(pointer, "/spec/x~1y~0z");
}

TEST(JsonPatch, EmptyPatchIsEmptyArray) {
  JsonPatch patch;
  EXPECT_TRUE(patch.empty());
  EXPECT_EQ(patch.size(), 0u);
  EXPECT_EQ(patch.text(), "[]");
  EXPECT_EQ(patch.ToJson(), json::array());
}

TEST(JsonPatch, AddWritesSortedMembers) {
  JsonPatch patch;
  const json value = {{"name", "vtguard-tls"}, {"readOnly", true}};
  patch.Add("add", "/spec/a~1b/0", &value);
  patch.Add("remove", "/spec/old", nullptr);
  EXPECT_EQ(patch.size(), 2u);
  EXPECT_EQ(patch.text(),
            R"([{"op":"add","path":"/spec/a~1b/0","value":{"name":"vtguard-tls","readOnly":true}},)"
            R"({"op":"remove","path":"/spec/old"}])");
  EXPECT_EQ(patch.text(), patch.ToJson().dump());
}

TEST(JsonPatch, InvalidUtf8ThrowsAndKeepsText) {
  JsonPatch patch;
  const json good = "ok";
  patch.Add("add", "/a", &good);
  const std::string before = patch.text();
  const json bad = std::string("\xc3\x28");
  EXPECT_THROW(patch.Add("add", "/b", &bad), nlohmann::json::type_error);
  EXPECT_THROW(patch.Add("add", "/\xff", &good), nlohmann::json::type_error);
  EXPECT_EQ(patch.text(), before);
  EXPECT_EQ(patch.size(), 1u);
}

json Object() {
  return json::parse(R"({"spec": {"flags": {"a": "1"}, "list": [1], "text": "x", "gone": null}})");
}

TEST(PatchBuilder, SetMemberOfMatchesSetMember) {
  struct Case {
    std::string key;
    json value;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"b", "2", R"([{"op":"add","path":"/spec/flags/b","value":"2"}])"},
      {"a", "9", R"([{"op":"replace","path":"/spec/flags/a","value":"9"}])"},
      {"a", "1", "[]"},
      {"x/y~z", "3", R"([{"op":"add","path":"/spec/flags/x~1y~0z","value":"3"}])"},
  };
  for (const Case& c : cases) {
    PatchBuilder walked(Object());
    ASSERT_TRUE(walked.SetMember(PointerTokens{"spec", "flags"}, c.key, c.value)) << c.key;
    PatchBuilder direct(Object());
    const json* flags = FindAt(direct.working(), PointerTokens{"spec", "flags"});
    ASSERT_NE(flags, nullptr);
    direct.SetMemberOf(*flags, "/spec/flags", c.key, c.value);
    EXPECT_EQ(walked.patch().text(), c.expected) << c.key;
    EXPECT_EQ(direct.patch().text(), c.expected) << c.key;
    EXPECT_EQ(direct.working(), walked.working()) << c.key;
  }
}

TEST(PatchBuilder, SetMemberCreatesSmallestMissingSubtree) {
  PatchBuilder builder(Object());
  ASSERT_TRUE(builder.SetMember(PointerTokens{"spec", "new", "deeper"}, "k", "v"));
  EXPECT_EQ(builder.patch().text(),
            R"([{"op":"add","path":"/spec/new","value":{"deeper":{"k":"v"}}}])");
  EXPECT_FALSE(builder.SetMember(PointerTokens{"spec", "text"}, "k", "v"));
  EXPECT_EQ(builder.patch().size(), 1u);
}

TEST(PatchBuilder, AppendMemberMatchesAppend) {
  struct Case {
    std::string key;
    bool ok;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"list", true, R"([{"op":"add","path":"/spec/list/1","value":"e"}])"},
      {"missing", true, R"([{"op":"add","path":"/spec/missing","value":["e"]}])"},
      {"gone", true, R"([{"op":"replace","path":"/spec/gone","value":["e"]}])"},
      {"text", false, "[]"},
      {"a/b", true, R"([{"op":"add","path":"/spec/a~1b","value":["e"]}])"},
  };
  for (const Case& c : cases) {
    PatchBuilder walked(Object());
    EXPECT_EQ(walked.Append(PointerTokens{"spec", c.key}, "e"), c.ok) << c.key;
    PatchBuilder direct(Object());
    EXPECT_EQ(direct.AppendMember(PointerTokens{"spec"}, "/spec", c.key, "e"), c.ok) << c.key;
    EXPECT_EQ(walked.patch().text(), c.expected) << c.key;
    EXPECT_EQ(direct.patch().text(), c.expected) << c.key;
    EXPECT_EQ(direct.working(), walked.working()) << c.key;
  }
}

TEST(PatchBuilder, AppendMemberCreatesMissingParent) {
  PatchBuilder builder(Object());
  ASSERT_TRUE(builder.AppendMember(PointerTokens{"spec", "gateway"}, "/spec/gateway", "env", 1));
  EXPECT_EQ(builder.patch().text(), R"([{"op":"add","path":"/spec/gateway","value":{"env":[1]}}])");
}

// The policies of the recorded patches in tests/testdata/patches.
std::vector<std::pair<std::string, TlsPolicy>> RecordedPolicies() {
  TlsPolicy base = DefaultPolicy();
  base.vitess_version = ParseVersionText("v24").value();
  TlsPolicy required = base;
  required.client_auth = ClientAuth::kRequired;
  required.crl_enabled = true;
  TlsPolicy optional = base;
  optional.migration = Migration::kOptionalTls;
  TlsPolicy underscore = base;
  underscore.flag_spelling = FlagSpelling::kUnderscore;
  underscore.server_name = "tablet~a/b.example";
  return {{"default", base},
          {"required-crl", required},
          {"optional-tls", optional},
          {"underscore", underscore}};
}

// vitess_cluster_patches.txt contains the patch bytes that the nlohmann-object patch builder wrote
// (serialized with dump()), one "<file>#<document>/<policy> <patch>" line each. The text patch
// must write the same bytes. The 09#2 lines no longer add tablet_manager_grpc_ca alone, because
// the mutation now copies only complete user families.
TEST(JsonPatch, TextEqualsRecordedPatches) {
  std::map<std::string, std::string> recorded;
  std::ifstream in(std::string(VTGUARD_TESTDATA_DIR) + "/patches/vitess_cluster_patches.txt");
  ASSERT_TRUE(in) << "missing tests/testdata/patches/vitess_cluster_patches.txt";
  for (std::string line; std::getline(in, line);) {
    const std::size_t space = line.find(' ');
    ASSERT_NE(space, std::string::npos) << line;
    recorded[line.substr(0, space)] = line.substr(space + 1);
  }

  const std::vector<std::string> files = {
      "data/vitess-operator/101_initial_cluster.yaml",
      "data/vitess-operator/101_initial_cluster_vtorc_vtadmin.yaml",
      "data/vitess-operator/201_customer_tablets.yaml",
      "cases/09-flag-spelling-by-version.yaml",
  };
  std::size_t compared = 0;
  for (const std::string& file : files) {
    const std::vector<json> documents = ReadYamlFile(SharedPath(file));
    const std::string name = file.substr(file.rfind('/') + 1);
    for (std::size_t d = 0; d < documents.size(); ++d) {
      if (!documents[d].is_object() || documents[d].value("kind", "") != "VitessCluster") continue;
      for (const auto& [label, policy] : RecordedPolicies()) {
        const std::string key = name + "#" + std::to_string(d) + "/" + label;
        const MutationResult result = MutateVitessCluster(policy, documents[d], nullptr);
        ASSERT_TRUE(recorded.count(key)) << "no recorded patch for " << key;
        EXPECT_EQ(result.patch.text(), recorded[key]) << key;
        EXPECT_EQ(result.patch.text(), result.patch.ToJson().dump()) << key;
        ++compared;
      }
    }
  }
  EXPECT_EQ(compared, recorded.size());
}

}  // namespace
}  // namespace vtguard::vitess
