// Every validation rule, run on clusters of three Vitess versions, checked for how its message
// reads: flag names in the version's spelling, and no text repeated between message and fix.
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <sstream>

#include "common/vitess/admission.h"
#include "common/vitess/flags.h"
#include "tests/vitess/secured_cluster.h"

namespace vtguard::vitess {
namespace {

using testing::At;
using testing::kFlags;
using testing::kPool;
using testing::RemoveFlag;
using testing::SecuredCluster;

struct Rule {
  std::string name;
  // Breaks the cluster for one rule; `spelling` is the one the cluster's version uses.
  std::function<void(nlohmann::json&, Spelling)> fault;
  TlsPolicy policy = DefaultPolicy();
};

std::vector<Rule> Rules() {
  TlsPolicy required = DefaultPolicy();
  required.client_auth = ClientAuth::kRequired;
  auto set = [](std::string name, std::string value) {
    return [name, value](nlohmann::json& cluster, Spelling spelling) {
      At(cluster, kFlags)[SpellFlag(name, spelling)] = value;
    };
  };
  auto remove = [](std::string name) {
    return [name](nlohmann::json& cluster, Spelling) { RemoveFlag(cluster, name); };
  };
  return {
      {"flag that never existed", set("vreplication-ssl-ca", "/x")},
      {"flag removed in v20", set("vreplication-tablet-type", "replica")},
      {"minimum TLS version look-alike", set("grpc-tls-min-version", "1.3")},
      {"reload interval look-alike", set("tls-reload-interval", "1h")},
      {"cert without key", remove("grpc-key")},
      {"client key without cert", set("tablet-grpc-key", "/vt/vtguard/tls/tls.key")},
      {"ca without server name", remove("tablet-grpc-server-name")},
      {"crl without ca", set("grpc-crl", "/vt/vtguard/tls/crl.pem")},
      {"server ca under the operator", set("grpc-ca", "/vt/vtguard/tls/ca.crt")},
      {"server ca with clientAuth Required", set("grpc-ca", "/vt/vtguard/tls/ca.crt"), required},
      {"optional TLS after migration", set("grpc-enable-optional-tls", "true")},
      {"missing flags", remove("tablet-manager-grpc-ca")},
      {"wrong server name", set("tablet-grpc-server-name", "x.example.com")},
      {"user CA towards vtguard tablets", set("tablet-grpc-ca", "/vt/tls/ca.crt")},
      {"vtguard CA towards user tablets",
       [](nlohmann::json& cluster, Spelling spelling) {
         At(cluster, kFlags)[SpellFlag("grpc-cert", spelling)] = "/vt/tls/tls.crt";
         At(cluster, kFlags)[SpellFlag("grpc-key", spelling)] = "/vt/tls/tls.key";
       }},
      {"user certificate without its key",
       [](nlohmann::json& cluster, Spelling spelling) {
         At(cluster, kFlags)[SpellFlag("grpc-cert", spelling)] = "/vt/tls/tls.crt";
         RemoveFlag(cluster, "grpc-key");
       }},
      {"spelling the version rejects",
       [](nlohmann::json& cluster, Spelling spelling) {
         Spelling other = spelling == Spelling::kDash ? Spelling::kUnderscore : Spelling::kDash;
         At(cluster, kFlags)[SpellFlag("binlog-player-grpc-ca", other)] = "/x";
       }},
      {"flag vtbackup does not accept",
       [](nlohmann::json& cluster, Spelling spelling) {
         At(cluster, kPool + "/vttablet/vtbackupExtraFlags")[SpellFlag("grpc-cert", spelling)] =
             "/x";
       }},
      {"volume not mounted",
       [](nlohmann::json& cluster, Spelling) { At(cluster, kPool).erase("extraVolumeMounts"); }},
      {"TLS flag for every component",
       [](nlohmann::json& cluster, Spelling spelling) {
         At(cluster, "/spec/extraVitessFlags")[SpellFlag("tablet-grpc-ca", spelling)] = "/x";
       }},
      {"image without version",
       [](nlohmann::json& cluster, Spelling) {
         At(cluster, "/spec/images/vttablet") = "vitess/lite:latest";
       }},
      {"no image", [](nlohmann::json& cluster, Spelling) { At(cluster, "/spec").erase("images"); }},
  };
}

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text + " ") {
    bool name_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_' || c == '.';
    if (name_char) {
      word += c;
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    }
  }
  return words;
}

// The flag names in `text` that are not in `spelling`, other than `written_key`.
std::vector<std::string> MisspelledFlags(const std::string& text, Spelling spelling,
                                         const std::string& written_key) {
  std::vector<std::string> wrong;
  for (std::string word : Words(text)) {
    while (!word.empty() && word.back() == '.') word.pop_back();
    if (word.empty() || word.front() == '-' || word == written_key) continue;
    if (FindTlsFlag(word) == nullptr && FindBogusFlag(word) == nullptr) continue;
    std::optional<Spelling> used = SpellingOf(word);
    if (used && *used != spelling) wrong.push_back(word);
  }
  return wrong;
}

// Runs of four words that appear in both texts, lower-cased.
std::set<std::string> SharedPhrases(const std::string& a, const std::string& b) {
  auto phrases = [](const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> words;
    for (std::string word; in >> word;) {
      for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      words.push_back(word);
    }
    std::set<std::string> out;
    for (std::size_t i = 0; i + 4 <= words.size(); ++i) {
      out.insert(words[i] + " " + words[i + 1] + " " + words[i + 2] + " " + words[i + 3]);
    }
    return out;
  };
  std::set<std::string> shared;
  std::set<std::string> first = phrases(a);
  for (const std::string& phrase : phrases(b)) {
    if (first.count(phrase) > 0) shared.insert(phrase);
  }
  return shared;
}

std::string LastPointerToken(const std::string& path) {
  std::string token = path.substr(path.rfind('/') + 1);
  std::string key;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size()) {
      key += token[++i] == '1' ? '/' : '~';
    } else {
      key += token[i];
    }
  }
  return key;
}

TEST(ViolationMessages, EveryRuleReadsConsistently) {
  struct Version {
    std::string image;
    Spelling spelling;
  };
  const std::vector<Version> versions = {{"vitess/lite:v21.0.4", Spelling::kUnderscore},
                                         {"vitess/lite:v24.0.4", Spelling::kDash},
                                         {"vitess/lite:v25.0.0", Spelling::kDash}};
  for (const Version& version : versions) {
    for (const Rule& rule : Rules()) {
      nlohmann::json cluster = SecuredCluster(version.image);
      ASSERT_TRUE(ValidateVitessCluster(rule.policy, cluster).empty() ||
                  rule.policy.client_auth == ClientAuth::kRequired)
          << version.image;
      rule.fault(cluster, version.spelling);
      std::vector<Violation> violations = ValidateVitessCluster(rule.policy, cluster);
      std::string where = version.image + ", " + rule.name;
      EXPECT_FALSE(violations.empty()) << where;
      for (const Violation& violation : violations) {
        std::string written_key = LastPointerToken(violation.path);
        std::string text = FormatViolation(violation);
        EXPECT_FALSE(violation.message.empty()) << where;
        EXPECT_FALSE(violation.fix.empty()) << where << ": " << text;
        EXPECT_EQ(MisspelledFlags(violation.message, version.spelling, written_key),
                  std::vector<std::string>())
            << where << ": " << text;
        EXPECT_EQ(MisspelledFlags(violation.fix, version.spelling, written_key),
                  std::vector<std::string>())
            << where << ": " << text;
        EXPECT_EQ(SharedPhrases(violation.message, violation.fix), std::set<std::string>())
            << where << ": " << text;
        EXPECT_EQ(violation.message.find(violation.path), std::string::npos)
            << where << ": the message repeats the path: " << text;
      }
    }
  }
}

TEST(ViolationMessages, CertWithoutKeyUsesVersionSpelling) {
  nlohmann::json cluster = SecuredCluster("vitess/lite:v21.0.4");
  RemoveFlag(cluster, "grpc-key");
  std::vector<Violation> violations = ValidateVitessCluster(DefaultPolicy(), cluster);
  ASSERT_EQ(violations.size(), 2u) << FormatViolation(violations[0]);
  EXPECT_EQ(FormatViolation(violations[0]), kFlags +
                                                "/grpc_cert: grpc_cert is set without grpc_key "
                                                "(set grpc_key too, or remove grpc_cert)");
}

TEST(ViolationMessages, UnknownVersionStatesFixOnce) {
  nlohmann::json cluster = SecuredCluster("vitess/lite:v24.0.4");
  At(cluster, "/spec/images/vttablet") = "vitess/lite:latest";
  std::vector<Violation> violations = ValidateVitessCluster(DefaultPolicy(), cluster);
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(FormatViolation(violations[0]),
            "/spec/images/vttablet: image \"vitess/lite:latest\" has no version in its tag, so "
            "the Vitess version of vttablet is unknown (use a tag such as v24.0.4 or set "
            "spec.vitessVersion in the VitessTLSPolicy)");
}

TEST(ViolationMessages, BogusFlagFixFollowsVersion) {
  nlohmann::json cluster = SecuredCluster("vitess/lite:v21.0.4");
  At(cluster, kFlags)["vreplication_ssl_cert"] = "/x";
  std::vector<Violation> violations = ValidateVitessCluster(DefaultPolicy(), cluster);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].message,
            "flag vreplication_ssl_cert does not exist; vttablet exits at start-up");
  EXPECT_EQ(violations[0].fix,
            "set grpc_cert on vttablet; client certificates use tablet_grpc_cert");
}

TEST(SpellFlagsIn, RewritesOnlyCatalogueNames) {
  EXPECT_EQ(SpellFlagsIn("set grpc-cert/grpc-key on vttablet", Spelling::kUnderscore),
            "set grpc_cert/grpc_key on vttablet");
  EXPECT_EQ(SpellFlagsIn("use tablet_grpc_ca, not vtguard-tls", Spelling::kDash),
            "use tablet-grpc-ca, not vtguard-tls");
  EXPECT_EQ(SpellFlagsIn("pass --tablet-types to the workflow", Spelling::kUnderscore),
            "pass --tablet-types to the workflow");
}

}  // namespace
}  // namespace vtguard::vitess
