#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "common/vitess/admission.h"
#include "common/vitess/cluster_sites.h"
#include "tests/vitess/secured_cluster.h"
#include "tests/vitess/test_util.h"

namespace vtguard::vitess {
namespace {

using testing::kFlags;
using testing::SecuredCluster;

struct FaultCase {
  std::string name;
  std::string image;
  std::vector<std::pair<std::string, std::string>> set;  // flag -> value ("" removes).
  std::string expected_path;
  std::string expected_text;
};

TEST(ClusterValidation, ReportsEachFaultWithPath) {
  const FaultCase cases[] = {
      {"bogus vreplication ca",
       "v24.0.4",
       {{"vreplication_ssl_ca", "/x"}},
       kFlags + "/vreplication_ssl_ca",
       "does not exist"},
      {"removed tablet type v20",
       "v20.0.1",
       {{"vreplication_tablet_type", "replica"}},
       kFlags + "/vreplication_tablet_type",
       "removed in v20"},
      {"tls min version",
       "v24.0.4",
       {{"grpc-tls-min-version", "1.3"}},
       kFlags + "/grpc-tls-min-version",
       "does not exist"},
      {"cert without key",
       "v24.0.4",
       {{"grpc-key", ""}},
       kFlags + "/grpc-cert",
       "without grpc-key"},
      {"ca without server name",
       "v24.0.4",
       {{"tablet-grpc-server-name", ""}},
       kFlags + "/tablet-grpc-ca",
       "dialled by pod IP"},
      {"crl without ca",
       "v24.0.4",
       {{"grpc-crl", "/vt/vtguard/tls/crl.pem"}},
       kFlags + "/grpc-crl",
       "without grpc-ca"},
      {"grpc ca under operator",
       "v24.0.4",
       {{"grpc-ca", "/vt/vtguard/tls/ca.crt"}},
       kFlags + "/grpc-ca",
       "vitess-operator"},
      {"dashed on v22",
       "v22.0.1",
       {{"tablet-grpc-ca", "/vt/vtguard/tls/ca.crt"}},
       kFlags + "/tablet-grpc-ca",
       "v22.0.1 does not accept the dashed flag"},
      {"underscore on v25",
       "v25.0.0",
       {{"grpc_key", "/vt/vtguard/tls/tls.key"}},
       kFlags + "/grpc_key",
       "v25.0.0 does not accept the underscored flag"},
      {"missing flag",
       "v24.0.4",
       {{"tablet-manager-grpc-ca", ""}},
       kFlags,
       "lacks TLS flags tablet-manager-grpc-ca"},
      {"wrong server name",
       "v24.0.4",
       {{"tablet-grpc-server-name", "x.example.com"}},
       kFlags + "/tablet-grpc-server-name",
       "not the name in vtguard's certificates"},
  };
  for (const FaultCase& c : cases) {
    std::string image = "vitess/lite:" + c.image;
    nlohmann::json cluster = SecuredCluster(image);
    nlohmann::json& flags = cluster.at(nlohmann::json::json_pointer(kFlags));
    for (const auto& [key, value] : c.set) {
      if (value.empty()) {
        flags.erase(key);
      } else {
        flags[key] = value;
      }
    }
    std::vector<Violation> violations = ValidateVitessCluster(DefaultPolicy(), cluster);
    bool found = false;
    for (const Violation& violation : violations) {
      if (violation.path == c.expected_path &&
          violation.message.find(c.expected_text) != std::string::npos) {
        found = true;
        EXPECT_FALSE(violation.fix.empty()) << c.name;
      }
    }
    std::string all;
    for (const Violation& violation : violations) all += FormatViolation(violation) + "\n";
    EXPECT_TRUE(found) << c.name << ":\n" << all;
  }
}

TEST(ClusterValidation, SecuredClusterIsCleanForEachVersion) {
  for (const char* version : {"v19.0.5", "v20.0.1", "v22.0.1", "v23.0.1", "v24.0.4", "v25.0.0"}) {
    std::vector<Violation> violations = ValidateVitessCluster(
        DefaultPolicy(), SecuredCluster(std::string("vitess/lite:") + version));
    EXPECT_TRUE(violations.empty()) << version << ": " << FormatViolation(violations.front());
  }
}

TEST(ClusterValidation, ClientFlagsInExtraVitessFlags) {
  nlohmann::json cluster = SecuredCluster();
  cluster["spec"]["extraVitessFlags"] = {{"tablet_grpc_ca", "/x"}, {"port", "1"}};
  std::vector<Violation> violations = ValidateVitessCluster(DefaultPolicy(), cluster);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].path, "/spec/extraVitessFlags/tablet_grpc_ca");
  EXPECT_NE(violations[0].message.find("vtorc"), std::string::npos);
}

TEST(ClusterValidation, TabletClientFlagOnVtorc) {
  nlohmann::json cluster = SecuredCluster();
  cluster["spec"]["keyspaces"][0]["vitessOrchestrator"] = {
      {"extraFlags", {{"tablet-grpc-ca", "/vt/vtguard/tls/ca.crt"}}}};
  cluster["spec"]["images"]["vtorc"] = "vitess/lite:v24.0.4";
  std::vector<Violation> violations = ValidateVitessCluster(DefaultPolicy(), cluster);
  bool found = false;
  for (const Violation& violation : violations) {
    found |= violation.path == "/spec/keyspaces/0/vitessOrchestrator/extraFlags/tablet-grpc-ca" &&
             violation.message.find("vtorc v24.0.4 has no flag") != std::string::npos;
  }
  EXPECT_TRUE(found);
}

TEST(Decision, EnforcementModes) {
  nlohmann::json cluster = SecuredCluster();
  cluster["spec"]["extraVitessFlags"] = {{"vreplication_ssl_ca", "/x"}};
  TlsPolicy policy = DefaultPolicy();
  AdmissionRequestInfo request{ObjectKind::kVitessCluster, "UPDATE", AdmissionStage::kValidate,
                               false};
  AdmissionDecision enforce = Decide(&policy, request, cluster, nullptr);
  EXPECT_FALSE(enforce.allowed);
  EXPECT_EQ(enforce.code, 403);
  EXPECT_NE(enforce.message.find("vreplication_ssl_ca"), std::string::npos);

  policy.enforcement = Enforcement::kWarn;
  AdmissionDecision warn = Decide(&policy, request, cluster, nullptr);
  EXPECT_TRUE(warn.allowed);
  ASSERT_EQ(warn.warnings.size(), 1u);
  EXPECT_LE(warn.warnings[0].size(), kMaxWarningLength);
  EXPECT_TRUE(warn.record);

  policy.enforcement = Enforcement::kAudit;
  AdmissionDecision audit = Decide(&policy, request, cluster, nullptr);
  EXPECT_TRUE(audit.allowed);
  EXPECT_TRUE(audit.warnings.empty());
  EXPECT_EQ(audit.violations.size(), 1u);
  request.dry_run = true;
  EXPECT_FALSE(Decide(&policy, request, cluster, nullptr).record);
  EXPECT_TRUE(Decide(nullptr, request, cluster, nullptr).allowed);
}

TEST(Warnings, PutMessageBeforePath) {
  Violation violation{"/spec/cells/0/gateway/extraFlags", "vtgate lacks TLS flags tablet-grpc-ca",
                      "fix", Severity::kError};
  EXPECT_EQ(FormatWarning(violation),
            "vtgate lacks TLS flags tablet-grpc-ca (at /cells/0/gateway/extraFlags)");
}

TEST(Warnings, KeepKeyspaceOfLongPaths) {
  Violation violation{
      "/spec/keyspaces/1/partitionings/0/equal/shardTemplate/tabletPools/0/vttablet/extraFlags",
      "vttablet lacks TLS flags grpc-cert, grpc-key, tablet-grpc-ca, tablet-grpc-server-name, "
      "tablet-manager-grpc-ca, tablet-manager-grpc-server-name",
      "fix", Severity::kError};
  std::string text = FormatWarning(violation);
  EXPECT_LE(text.size(), kMaxWarningLength);
  EXPECT_EQ(text.rfind("vttablet lacks TLS flags grpc-cert", 0), 0u) << text;
  EXPECT_NE(text.find("... (at /keyspaces/1/partitionings/0/tabletPools/...)"), std::string::npos)
      << text;
}

TEST(Warnings, AreCutAtUtf8Boundary) {
  Violation violation{"/spec/x", std::string(200, 'a') + "\xc3\xa9", "fix", Severity::kError};
  std::string text = FormatWarning(violation);
  EXPECT_LE(text.size(), kMaxWarningLength);
  EXPECT_EQ(text.substr(text.size() - 12), "a... (at /x)");
  Violation accented{"/p", std::string(108, 'a') + "\xc3\xa9\xc3\xa9\xc3\xa9", "",
                     Severity::kError};
  std::string cut = FormatWarning(accented);
  EXPECT_LE(cut.size(), kMaxWarningLength);
  std::string message = cut.substr(0, cut.find(" (at /p)"));
  ASSERT_EQ(message.substr(message.size() - 3), "...") << cut;
  EXPECT_NE(static_cast<unsigned char>(message[message.size() - 4]), 0xc3) << cut;
}

// A pool's own volume named vtguard-tls, or another volume mounted at /vt/vtguard/tls, leaves
// the TLS flags reading files that vtguard's Secret does not provide.
TEST(ClusterValidation, ClashingTlsVolumeOrMountIsReported) {
  const std::string pool = testing::kPool;
  nlohmann::json volume_clash = SecuredCluster();
  testing::At(volume_clash, pool + "/extraVolumes/0") = {{"name", "vtguard-tls"},
                                                         {"emptyDir", nlohmann::json::object()}};
  nlohmann::json mount_clash = SecuredCluster();
  testing::At(mount_clash, pool + "/extraVolumeMounts/0/name") = "scratch";
  const std::pair<const nlohmann::json*, std::string> cases[] = {
      {&volume_clash, "volume vtguard-tls is not a Secret volume"},
      {&mount_clash, "/vt/vtguard/tls is the mount of volume scratch, not of vtguard-tls"},
  };
  for (const auto& [cluster, text] : cases) {
    std::vector<Violation> violations = ValidateVitessCluster(DefaultPolicy(), *cluster);
    ASSERT_EQ(violations.size(), 1u) << text;
    EXPECT_EQ(violations[0].path, pool) << text;
    EXPECT_NE(violations[0].message.find(text), std::string::npos) << violations[0].message;
  }
}

// vitess-operator's extraFlags map contains strings. A value of another type is reported once and
// is not read as a file name by the other checks.
TEST(ClusterValidation, FlagValueThatIsNotStringIsReported) {
  for (const nlohmann::json& value : {nlohmann::json(5), nlohmann::json(nullptr),
                                      nlohmann::json::object(), nlohmann::json(true)}) {
    nlohmann::json cluster = SecuredCluster();
    testing::At(cluster, kFlags + "/grpc-cert") = value;
    std::vector<Violation> violations = ValidateVitessCluster(DefaultPolicy(), cluster);
    ASSERT_FALSE(violations.empty()) << value.dump();
    EXPECT_EQ(violations[0].path, kFlags + "/grpc-cert") << value.dump();
    EXPECT_NE(violations[0].message.find("which is not a string"), std::string::npos)
        << violations[0].message;
    for (const Violation& violation : violations) {
      EXPECT_EQ(violation.message.find("serve " + value.dump()), std::string::npos)
          << violation.message;
    }
  }
}

// Policies select clusters by label, so a label of another type would silently match nothing.
TEST(ClusterValidation, LabelThatIsNotStringIsReported) {
  nlohmann::json cluster = SecuredCluster();
  cluster["metadata"]["labels"] = {{"tier", 1}};
  std::vector<Violation> violations = ValidateVitessCluster(DefaultPolicy(), cluster);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].path, "/metadata/labels/tier");
  EXPECT_NE(violations[0].message.find("label tier has the value 1"), std::string::npos);
}

// A list or map of another shape hides its whole subtree from the other checks, so it is
// reported where it is, and a null map member counts as absent.
TEST(ClusterValidation, ListOrMapOfWrongShapeIsReported) {
  struct Case {
    std::string pointer;  // The member set to `value`.
    nlohmann::json value;
    std::string reported_at;
    std::string message;  // Empty: no shape finding.
  };
  const std::vector<Case> cases = {
      {"/spec/keyspaces", "orders", "/spec/keyspaces", "must be a list, not a string"},
      {"/spec/keyspaces/0", nullptr, "/spec/keyspaces/0", "must be a map, not null"},
      {"/spec/keyspaces/0/partitionings/0/equal/shardTemplate/tabletPools",
       {{"cell", "z1"}},
       "/spec/keyspaces/0/partitionings/0/equal/shardTemplate/tabletPools",
       "must be a list, not a map"},
      {testing::kPool + "/vttablet", "on", testing::kPool + "/vttablet",
       "must be a map, not a string"},
      {testing::kPool + "/extraEnv", 1, testing::kPool + "/extraEnv",
       "must be a list, not a number"},
      {"/spec/cells", nlohmann::json::array({"zone1"}), "/spec/cells/0",
       "must be a map, not a string"},
      {"/spec/images", nullptr, "/spec/images", ""},
  };
  for (const Case& c : cases) {
    nlohmann::json cluster = SecuredCluster();
    testing::At(cluster, c.pointer) = c.value;
    std::vector<Violation> violations = ValidateVitessCluster(DefaultPolicy(), cluster);
    auto found = std::find_if(violations.begin(), violations.end(), [&](const Violation& v) {
      return v.path == c.reported_at && v.message.rfind("must be a ", 0) == 0;
    });
    if (c.message.empty()) {
      EXPECT_EQ(found, violations.end()) << c.pointer;
      continue;
    }
    ASSERT_NE(found, violations.end()) << c.pointer;
    EXPECT_EQ(found->message, c.message) << c.pointer;
    EXPECT_FALSE(found->fix.empty()) << c.pointer;
  }
}

// Every shape rule names a member of vitess-operator's VitessCluster schema with that shape.
// extraVolumes is left open in the schema (x-kubernetes-preserve-unknown-fields), and
// vitess-operator decodes it into a list of Volumes.
TEST(ClusterValidation, ShapeRulesMatchVitessOperatorSchema) {
  std::vector<nlohmann::json> crd =
      vtguard::vitess::testing::ReadYamlFile(vtguard::vitess::testing::SharedPath(
          "data/vitess-operator/crds/planetscale.com_vitessclusters.yaml"));
  ASSERT_EQ(crd.size(), 1u);
  const nlohmann::json& root = crd[0]["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
  for (const ShapeRule& rule : ClusterShapeRules()) {
    const nlohmann::json* node = &root;
    std::istringstream tokens(rule.pattern.substr(1));
    for (std::string token; node != nullptr && std::getline(tokens, token, '/');) {
      const nlohmann::json* next =
          token == "*" ? FindAt(*node, {"items"}) : FindAt(*node, {"properties", token});
      node = next;
    }
    ASSERT_NE(node, nullptr) << rule.pattern << " is not in the schema";
    if (node->value("x-kubernetes-preserve-unknown-fields", false)) continue;
    EXPECT_EQ(node->value("type", ""), rule.shape == Shape::kList ? "array" : "object")
        << rule.pattern;
  }
}

}  // namespace
}  // namespace vtguard::vitess
