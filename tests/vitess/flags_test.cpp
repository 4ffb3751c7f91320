// Checks the flag catalogue against the flag lists of the Vitess reference docs, v18-v25.
#include "common/vitess/flags.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>

namespace vtguard::vitess {
namespace {

std::set<std::string> DocumentedFlags(int major, std::string_view program) {
  std::string path = std::string(VTGUARD_SHARED_DATA_DIR) + "/data/vitess-flags/v" +
                     std::to_string(major) + "/" + std::string(program) + ".txt";
  std::set<std::string> names;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) names.insert(line);
  }
  return names;
}

// Every documented flag of the catalogue's families.
bool InCatalogueFamilies(const std::string& name) {
  static const std::regex kFamilies(
      "^(grpc[-_](cert|key|ca|crl|server[-_]ca|enable[-_]optional[-_]tls|auth[-_]mode|"
      "auth[-_]mtls[-_]allowed[-_]substrings)|tablet[-_](manager[-_])?grpc[-_](ca|cert|key|crl|"
      "server[-_]name)|db[-_](ssl|tls)[-_].*|binlog[-_]player[-_]grpc[-_].*|vtctld[-_]grpc[-_].*)"
      "$");
  return std::regex_match(name, kFamilies);
}

TEST(FlagCatalogue, MatchesDocumentedFlagsPerVersion) {
  const Component components[] = {Component::kVttablet, Component::kVtgate, Component::kVtctld,
                                  Component::kVtorc, Component::kVtbackup};
  int checked = 0;
  for (int major = kOldestKnownMajor; major <= kNewestKnownMajor; ++major) {
    for (Component component : components) {
      std::set<std::string> documented = DocumentedFlags(major, ComponentName(component));
      if (documented.empty()) continue;  // No v25 vtctld page exists.
      std::set<std::string> expected;
      for (const std::string& name : documented) {
        if (InCatalogueFamilies(name)) expected.insert(name);
      }
      // The docs list the canonical spelling of each version.
      std::set<std::string> from_catalogue;
      for (const FlagInfo& flag : TlsFlagCatalogue()) {
        if (ComponentAcceptsFlag(component, flag, major)) {
          from_catalogue.insert(SpellFlag(flag.name, PreferredSpelling(major)));
        }
      }
      EXPECT_EQ(from_catalogue, expected) << ComponentName(component) << " v" << major;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 39);
}

TEST(FlagCatalogue, ClientFamiliesPerComponent) {
  for (int major : {19, 20, 22, 23, 24, 25}) {
    EXPECT_FALSE(ComponentAcceptsFlag(Component::kVtorc, *FindTlsFlag("tablet-grpc-ca"), major));
    EXPECT_FALSE(
        ComponentAcceptsFlag(Component::kVtgate, *FindTlsFlag("tablet-manager-grpc-ca"), major));
    EXPECT_TRUE(
        ComponentAcceptsFlag(Component::kVtorc, *FindTlsFlag("tablet_manager_grpc_ca"), major));
  }
}

TEST(FlagSpelling, AcceptedSpellingsByVersion) {
  struct Case {
    int major;
    bool dash;
    bool underscore;
    Spelling preferred;
  };
  const Case cases[] = {
      {19, false, true, Spelling::kUnderscore}, {20, false, true, Spelling::kUnderscore},
      {22, false, true, Spelling::kUnderscore}, {23, true, true, Spelling::kDash},
      {24, true, true, Spelling::kDash},        {25, true, false, Spelling::kDash},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(VersionAcceptsSpelling(c.major, Spelling::kDash), c.dash) << c.major;
    EXPECT_EQ(VersionAcceptsSpelling(c.major, Spelling::kUnderscore), c.underscore) << c.major;
    EXPECT_EQ(PreferredSpelling(c.major), c.preferred) << c.major;
  }
}

TEST(FlagKeys, CompareAcrossSpellingsAndDashes) {
  EXPECT_TRUE(FlagKeysEqual("--tablet-grpc-ca", "tablet_grpc_ca"));
  EXPECT_TRUE(FlagKeysEqual("-grpc_cert", "grpc-cert"));
  EXPECT_FALSE(FlagKeysEqual("grpc-cert", "grpc-key"));
  EXPECT_FALSE(FlagKeysEqual("grpc-cert", "grpc-cer"));
  EXPECT_FALSE(FlagKeysEqual("grpc-cert", "grpc-cert-"));
  EXPECT_TRUE(FlagKeysEqual("--", ""));
  EXPECT_EQ(CanonicalFlagName("--tablet_manager_grpc_ca"), "tablet-manager-grpc-ca");
  EXPECT_EQ(SpellFlag("tablet-grpc-ca", Spelling::kUnderscore), "tablet_grpc_ca");
  EXPECT_EQ(SpellingOf("--grpc-cert"), Spelling::kDash);
  EXPECT_EQ(SpellingOf("grpc_cert"), Spelling::kUnderscore);
  EXPECT_EQ(SpellingOf("port"), std::nullopt);
}

TEST(BogusFlags, KnownNamesWithFixes) {
  for (const char* name : {"vreplication_ssl_ca", "vreplication-ssl-cert", "--vreplication_ssl_key",
                           "grpc_ssl_min_version", "tls-min-version", "tls_reload_interval"}) {
    const BogusFlag* flag = FindBogusFlag(name);
    ASSERT_NE(flag, nullptr) << name;
    EXPECT_FALSE(flag->fix.empty());
    EXPECT_FALSE(BogusFlagAcceptedBy(*flag, 18)) << name;
  }
  const BogusFlag* removed = FindBogusFlag("vreplication_tablet_type");
  ASSERT_NE(removed, nullptr);
  EXPECT_TRUE(BogusFlagAcceptedBy(*removed, 19));
  EXPECT_FALSE(BogusFlagAcceptedBy(*removed, 20));
  // Real flags that merely look alike.
  EXPECT_EQ(FindBogusFlag("db_tls_min_version"), nullptr);
  EXPECT_EQ(FindBogusFlag("vreplication_retry_delay"), nullptr);
}

TEST(BogusFlags, NoneOfThemIsDocumented) {
  for (int major = kOldestKnownMajor; major <= kNewestKnownMajor; ++major) {
    for (const char* program : {"vttablet", "vtgate", "vtctld", "vtorc", "vtbackup"}) {
      for (const std::string& name : DocumentedFlags(major, program)) {
        const BogusFlag* bogus = FindBogusFlag(name);
        if (bogus == nullptr) continue;
        EXPECT_TRUE(BogusFlagAcceptedBy(*bogus, major)) << name << " v" << major;
      }
    }
  }
}

}  // namespace
}  // namespace vtguard::vitess

namespace vtguard::vitess {
namespace {

TEST(FlagCatalogue, VitessOperatorTakesOnlyCaAndServerName) {
  for (const FlagInfo& flag : TlsFlagCatalogue()) {
    bool expected =
        flag.name == "tablet-manager-grpc-ca" || flag.name == "tablet-manager-grpc-server-name";
    EXPECT_EQ(ComponentAcceptsFlag(Component::kVitessOperator, flag, 24), expected) << flag.name;
  }
}

}  // namespace
}  // namespace vtguard::vitess
