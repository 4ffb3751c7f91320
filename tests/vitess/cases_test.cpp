// Inputs that broke comparable admission tools, each with the result vtguard must give.
#include <gtest/gtest.h>

#include "common/vitess/admission.h"
#include "tests/vitess/test_util.h"

namespace vtguard::vitess {
namespace {

using testing::ApplyStrict;
using testing::PathOf;
using testing::ReadText;
using testing::ReadYamlFile;
using testing::SharedPath;

nlohmann::json ReviewObject(const std::string& file) {
  return nlohmann::json::parse(ReadText(SharedPath("cases/" + file)))["request"]["object"];
}

void ExpectNoDashSegment(const nlohmann::json& patch) {
  for (const nlohmann::json& op : patch) {
    std::string path = PathOf(op);
    EXPECT_EQ(path.find("/-/"), std::string::npos) << path;
    EXPECT_FALSE(path.size() >= 2 && path.substr(path.size() - 2) == "/-") << path;
  }
}

int CountNamed(const nlohmann::json& list, const std::string& key, const std::string& value) {
  int count = 0;
  for (const nlohmann::json& entry : list) {
    count += entry.contains(key) && entry.at(key) == value ? 1 : 0;
  }
  return count;
}

TEST(PodCases, AnnotationKeysWithSlashAndTildeAreEscaped) {
  nlohmann::json pod = ReviewObject("01-annotation-slash.json");
  MutationResult result = MutatePod(DefaultPolicy(), pod, "CREATE");
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  bool marker_seen = false;
  for (const nlohmann::json& op : result.patch.ToJson()) {
    EXPECT_NE(PathOf(op), "/metadata/annotations") << "replaced the annotation map";
    if (PathOf(op) == "/metadata/annotations/vtguard.io~1injected") marker_seen = true;
  }
  EXPECT_TRUE(marker_seen) << result.patch.ToJson().dump(2);
  nlohmann::json patched = ApplyStrict(pod, result.patch.ToJson());
  const nlohmann::json& annotations = patched["metadata"]["annotations"];
  for (const auto& [key, value] : pod["metadata"]["annotations"].items()) {
    EXPECT_EQ(annotations[key], value) << key;
  }
  EXPECT_EQ(annotations.size(), pod["metadata"]["annotations"].size() + 1);
  for (const auto& [key, value] : annotations.items()) EXPECT_TRUE(value.is_string()) << key;
}

TEST(PodCases, MissingVolumesAreCreatedAsArrays) {
  nlohmann::json pod = ReviewObject("02-no-volumes.json");
  MutationResult result = MutatePod(DefaultPolicy(), pod, "CREATE");
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  ExpectNoDashSegment(result.patch.ToJson());
  bool created_volumes = false, created_mounts = false;
  for (const nlohmann::json& op : result.patch.ToJson()) {
    if (PathOf(op) == "/spec/volumes") created_volumes = op.at("value").is_array();
    if (PathOf(op) == "/spec/containers/1/volumeMounts") created_mounts = op.at("value").is_array();
  }
  EXPECT_TRUE(created_volumes) << result.patch.ToJson().dump(2);
  EXPECT_TRUE(created_mounts) << result.patch.ToJson().dump(2);
  nlohmann::json patched = ApplyStrict(pod, result.patch.ToJson());
  EXPECT_EQ(CountNamed(patched["spec"]["volumes"], "name", "vtguard-tls"), 1);
  EXPECT_EQ(patched["spec"]["volumes"][0]["secret"]["secretName"], "cluster1-vtguard-vttablet");
  EXPECT_EQ(CountNamed(patched["spec"]["containers"][1]["volumeMounts"], "name", "vtguard-tls"), 1);
  EXPECT_EQ(patched["spec"]["containers"][0], pod["spec"]["containers"][0]);
  // vitess-operator owns the args of its pods: they stay as they were.
  EXPECT_EQ(patched["spec"]["containers"][1]["args"], pod["spec"]["containers"][1]["args"]);
  EXPECT_EQ(patched["spec"]["automountServiceAccountToken"], false);
}

TEST(PodCases, SecondInjectionIsNoOp) {
  nlohmann::json pod = ReviewObject("03-double-injection.json");
  MutationResult first = MutatePod(DefaultPolicy(), pod, "CREATE");
  ASSERT_TRUE(first.changed());
  nlohmann::json once = ApplyStrict(pod, first.patch.ToJson());
  MutationResult second = MutatePod(DefaultPolicy(), once, "CREATE");
  EXPECT_TRUE(second.patch.empty()) << second.patch.ToJson().dump(2);

  nlohmann::json with_sidecar = once;
  nlohmann::json sidecar = {
      {"name", "proxy"}, {"image", "registry.example.com/proxy:1.0"}, {"args", {"--listen=:9000"}}};
  with_sidecar["spec"]["containers"].insert(with_sidecar["spec"]["containers"].begin(), sidecar);
  MutationResult third = MutatePod(DefaultPolicy(), with_sidecar, "CREATE");
  EXPECT_TRUE(third.patch.empty()) << third.patch.ToJson().dump(2);
  nlohmann::json after = ApplyStrict(with_sidecar, third.patch.ToJson());
  EXPECT_EQ(after["spec"]["containers"][0], sidecar);
  EXPECT_EQ(CountNamed(after["spec"]["volumes"], "name", "vtguard-tls"), 1);
  EXPECT_EQ(
      CountNamed(after["spec"]["containers"][1]["volumeMounts"], "mountPath", "/vt/vtguard/tls"),
      1);
}

TEST(PodCases, OptedInPodGetsFlagsOnceOnly) {
  nlohmann::json pod = ReviewObject("03-double-injection.json");
  pod["metadata"].erase("ownerReferences");
  pod["metadata"]["labels"].erase("planetscale.com/component");
  pod["metadata"]["labels"]["vtguard.io/inject"] = "true";
  MutationResult first = MutatePod(DefaultPolicy(), pod, "CREATE");
  ASSERT_TRUE(first.status.ok()) << first.status.ToString();
  nlohmann::json once = ApplyStrict(pod, first.patch.ToJson());
  const nlohmann::json& args = once["spec"]["containers"][0]["args"];
  int grpc_cert = 0;
  for (const nlohmann::json& arg : args) {
    grpc_cert += arg == "--grpc-cert=/vt/vtguard/tls/tls.crt" ? 1 : 0;
  }
  EXPECT_EQ(grpc_cert, 1) << args.dump();
  EXPECT_TRUE(ValidatePod(DefaultPolicy(), once).empty());
  MutationResult second = MutatePod(DefaultPolicy(), once, "CREATE");
  EXPECT_TRUE(second.patch.empty()) << second.patch.ToJson().dump(2);
}

TEST(PodCases, UpdateNeverPatchesSpec) {
  nlohmann::json review =
      nlohmann::json::parse(ReadText(SharedPath("cases/05-pod-update-no-spec-patch.json")));
  const nlohmann::json& request = review["request"];
  AdmissionRequestInfo info{ObjectKind::kPod, "UPDATE", AdmissionStage::kMutate, false};
  AdmissionDecision mutate = Decide(nullptr, info, request["object"], &request["oldObject"]);
  EXPECT_TRUE(mutate.allowed);
  TlsPolicy policy = DefaultPolicy();
  mutate = Decide(&policy, info, request["object"], &request["oldObject"]);
  EXPECT_TRUE(mutate.allowed);
  for (const nlohmann::json& op : mutate.patch.ToJson()) {
    EXPECT_NE(std::string(PathOf(op)).rfind("/spec", 0), 0u) << op.dump();
  }
  EXPECT_FALSE(mutate.warnings.empty());
  info.stage = AdmissionStage::kValidate;
  AdmissionDecision validate = Decide(&policy, info, request["object"], &request["oldObject"]);
  EXPECT_TRUE(validate.allowed) << validate.message;
}

class SpellingCase : public ::testing::Test {
 protected:
  void SetUp() override {
    documents_ = ReadYamlFile(SharedPath("cases/09-flag-spelling-by-version.yaml"));
    ASSERT_EQ(documents_.size(), 3u);
  }
  std::vector<nlohmann::json> documents_;
};

const char* kPool = "/spec/keyspaces/0/partitionings/0/equal/shardTemplate/tabletPools/0";

TEST_F(SpellingCase, V25GetsDashedFlags) {
  MutationResult result = MutateVitessCluster(DefaultPolicy(), documents_[0], nullptr);
  // The fragment sets no vtctld image, so only the dashboard lacks a version.
  EXPECT_NE(result.status.message().find("/spec/images/vtctld"), std::string::npos);
  nlohmann::json patched = ApplyStrict(documents_[0], result.patch.ToJson());
  const nlohmann::json& flags =
      patched.at(nlohmann::json::json_pointer(std::string(kPool) + "/vttablet/extraFlags"));
  EXPECT_EQ(flags.size(), 6u) << flags.dump();
  for (const auto& [key, value] : flags.items()) {
    EXPECT_EQ(key.find('_'), std::string::npos) << key;
  }
  for (const Violation& violation : ValidateVitessCluster(DefaultPolicy(), patched)) {
    EXPECT_TRUE(violation.path == "/spec/images/vtctld" ||
                violation.path == "/spec/vitessDashboard")
        << FormatViolation(violation);
  }
}

TEST_F(SpellingCase, V24DashedUserFlagsAreKept) {
  MutationResult result = MutateVitessCluster(DefaultPolicy(), documents_[1], nullptr);
  nlohmann::json patched = ApplyStrict(documents_[1], result.patch.ToJson());
  const nlohmann::json& flags =
      patched.at(nlohmann::json::json_pointer(std::string(kPool) + "/vttablet/extraFlags"));
  std::map<std::string, int> count;
  for (const auto& [key, value] : flags.items()) ++count[CanonicalFlagName(key)];
  for (const auto& [name, n] : count) EXPECT_EQ(n, 1) << name;
  // The tablets serve the user's certificate, so the tablet-manager client takes the same
  // pod's CA and server name, and nothing of vtguard's is added.
  nlohmann::json expected = {
      {"grpc-cert", "/vt/tls/tls.crt"},
      {"grpc-key", "/vt/tls/tls.key"},
      {"--tablet-grpc-ca", "/vt/tls/ca.crt"},
      {"tablet-grpc-server-name", "vttablet.cluster2.ns1.example.com"},
      {"tablet-manager-grpc-ca", "/vt/tls/ca.crt"},
      {"tablet-manager-grpc-server-name", "vttablet.cluster2.ns1.example.com"}};
  EXPECT_EQ(flags, expected);
  EXPECT_EQ(patched.dump().find("/vt/vtguard/tls"), std::string::npos) << patched.dump();
  EXPECT_EQ(patched.dump().find("cluster2-vtguard-"), std::string::npos) << patched.dump();
}

TEST_F(SpellingCase, V24UserTlsNamesClientsWithoutIt) {
  TlsPolicy policy = DefaultPolicy();
  policy.vitess_version = ParseVersionText("v24.0.4").value();
  nlohmann::json patched = ApplyStrict(
      documents_[1], MutateVitessCluster(policy, documents_[1], nullptr).patch.ToJson());
  std::vector<Violation> violations = ValidateVitessCluster(policy, patched);
  ASSERT_EQ(violations.size(), 1u) << FormatViolation(violations.front());
  EXPECT_EQ(violations[0].path, "/spec/vitessDashboard");
  EXPECT_EQ(violations[0].message,
            "vtctld lacks TLS flags tablet-grpc-ca, tablet-grpc-server-name, "
            "tablet-manager-grpc-ca, tablet-manager-grpc-server-name for tablets that serve "
            "/vt/tls/tls.crt");
}

TEST_F(SpellingCase, V21RejectsDashedFlags) {
  std::vector<Violation> violations = ValidateVitessCluster(DefaultPolicy(), documents_[2]);
  int spelling = 0;
  for (const Violation& violation : violations) {
    if (violation.message.find("v21.0.4 does not accept the dashed flag") != std::string::npos) {
      ++spelling;
    }
  }
  EXPECT_EQ(spelling, 3) << ::testing::PrintToString(violations.size());
  TlsPolicy policy = DefaultPolicy();
  AdmissionDecision decision =
      Decide(&policy, {ObjectKind::kVitessCluster, "CREATE", AdmissionStage::kValidate, false},
             documents_[2], nullptr);
  EXPECT_FALSE(decision.allowed);
  EXPECT_NE(decision.message.find("grpc-cert"), std::string::npos);
  EXPECT_NE(decision.message.find("v21"), std::string::npos);
  // Mutation writes underscores for v21 and leaves the user's keys alone.
  MutationResult result = MutateVitessCluster(DefaultPolicy(), documents_[2], nullptr);
  for (const nlohmann::json& op : result.patch.ToJson()) {
    std::string path = PathOf(op);
    if (path.find("extraFlags/") == std::string::npos) continue;
    EXPECT_EQ(path.substr(path.rfind('/')).find('-'), std::string::npos) << path;
  }
}

TEST_F(SpellingCase, UnversionedImageIsNeverGuessed) {
  for (const char* image : {"vitess/lite:latest", "vitess/lite@sha256:0123abcd"}) {
    nlohmann::json cluster = documents_[0];
    cluster["spec"]["images"]["vttablet"] = image;
    MutationResult result = MutateVitessCluster(DefaultPolicy(), cluster, nullptr);
    EXPECT_FALSE(result.status.ok()) << image;
    for (const nlohmann::json& op : result.patch.ToJson()) {
      EXPECT_EQ(std::string(PathOf(op)).find("tabletPools/0/vttablet"), std::string::npos);
    }
    std::vector<Violation> violations = ValidateVitessCluster(DefaultPolicy(), cluster);
    ASSERT_FALSE(violations.empty());
    EXPECT_EQ(violations[0].path, "/spec/images/vttablet");
    TlsPolicy pinned = DefaultPolicy();
    pinned.vitess_version = ParseVersionText("v22").value();
    MutationResult with_version = MutateVitessCluster(pinned, cluster, nullptr);
    EXPECT_TRUE(with_version.status.ok());
  }
}

}  // namespace
}  // namespace vtguard::vitess
