#include <gtest/gtest.h>

#include <functional>

#include "common/vitess/admission.h"
#include "common/vitess/pod_sites.h"
#include "tests/vitess/test_util.h"

namespace vtguard::vitess {
namespace {

nlohmann::json OptedInPod(const std::string& image, nlohmann::json args) {
  return {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", "t1"}, {"labels", {{"vtguard.io/inject", "true"}, {"vtguard.io/cluster", "c1"}}}}},
      {"spec",
       {{"containers",
         {{{"name", "vttablet"},
           {"image", image},
           {"command", {"/vt/bin/vttablet"}},
           {"args", std::move(args)}}}}}}};
}

TEST(PodValidation, OptedInPodNeedsFlags) {
  nlohmann::json pod = OptedInPod("vitess/lite:v22.0.1", {"--port=15000"});
  std::vector<Violation> violations = ValidatePod(DefaultPolicy(), pod);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].path, "/spec/containers/0/args");
  EXPECT_NE(violations[0].message.find("grpc_cert"), std::string::npos);

  MutationResult result = MutatePod(DefaultPolicy(), pod, "CREATE");
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  nlohmann::json patched = testing::ApplyStrict(pod, result.patch.ToJson());
  EXPECT_EQ(patched["spec"]["volumes"][0]["secret"]["secretName"], "c1-vtguard-vttablet");
  EXPECT_TRUE(ValidatePod(DefaultPolicy(), patched).empty());
}

TEST(PodValidation, OptedInUserTlsTabletGetsOwnFiles) {
  nlohmann::json pod = OptedInPod(
      "vitess/lite:v24.0.4",
      {"--grpc-cert=/vt/tls/tls.crt", "--grpc-key=/vt/tls/tls.key",
       "--tablet-grpc-ca=/vt/tls/ca.crt", "--tablet-grpc-server-name=vttablet.example.com"});
  std::vector<Violation> before = ValidatePod(DefaultPolicy(), pod);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].message,
            "vttablet lacks TLS flags tablet-manager-grpc-ca, tablet-manager-grpc-server-name "
            "for tablets that serve /vt/tls/tls.crt");

  MutationResult result = MutatePod(DefaultPolicy(), pod, "CREATE");
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  nlohmann::json patched = testing::ApplyStrict(pod, result.patch.ToJson());
  nlohmann::json expected_args = {"--grpc-cert=/vt/tls/tls.crt",
                                  "--grpc-key=/vt/tls/tls.key",
                                  "--tablet-grpc-ca=/vt/tls/ca.crt",
                                  "--tablet-grpc-server-name=vttablet.example.com",
                                  "--tablet-manager-grpc-ca=/vt/tls/ca.crt",
                                  "--tablet-manager-grpc-server-name=vttablet.example.com"};
  EXPECT_EQ(patched["spec"]["containers"][0]["args"], expected_args);
  // No vtguard volume or mount, because no flag reads vtguard's files.
  EXPECT_FALSE(patched["spec"].contains("volumes")) << patched.dump();
  EXPECT_FALSE(patched["spec"]["containers"][0].contains("volumeMounts")) << patched.dump();
  EXPECT_TRUE(ValidatePod(DefaultPolicy(), patched).empty());
  EXPECT_FALSE(MutatePod(DefaultPolicy(), patched, "CREATE").changed());
}

TEST(PodValidation, OptedInTabletMixedTrustIsReported) {
  nlohmann::json pod = OptedInPod(
      "vitess/lite:v24.0.4",
      {"--grpc-cert=/vt/tls/tls.crt", "--grpc-key=/vt/tls/tls.key",
       "--tablet-grpc-ca=/vt/vtguard/tls/ca.crt",
       "--tablet-grpc-server-name=vttablet.vtguard.internal",
       "--tablet-manager-grpc-ca=/vt/tls/ca.crt", "--tablet-manager-grpc-server-name=x.example"});
  std::vector<Violation> violations = ValidatePod(DefaultPolicy(), pod);
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(violations[0].path, "/spec/containers/0/args/2");
  EXPECT_EQ(violations[0].message,
            "vttablet dials tablets that serve /vt/tls/tls.crt, but tablet-grpc-ca is vtguard's "
            "CA /vt/vtguard/tls/ca.crt");
}

TEST(PodValidation, OperatorPodWithoutTlsIsAdmitted) {
  // vitess-operator writes the flags of its pods from the VitessCluster, so a v24 vttablet Pod
  // without TLS is admitted. Its VitessCluster is where missing TLS is denied.
  nlohmann::json pod = OptedInPod("vitess/lite:v24.0.4", {"--port=15000"});
  pod["metadata"]["labels"] = {{"planetscale.com/component", "vttablet"},
                               {"planetscale.com/cluster", "c1"}};
  TlsPolicy policy = DefaultPolicy();
  EXPECT_TRUE(ValidatePod(policy, pod).empty());
  AdmissionDecision decision =
      Decide(&policy, {ObjectKind::kPod, "CREATE", AdmissionStage::kValidate, false}, pod, nullptr);
  EXPECT_TRUE(decision.allowed) << decision.message;

  // The same pod with a flag that makes vttablet exit is denied.
  pod["spec"]["containers"][0]["args"].push_back("--vreplication_ssl_ca=/x");
  decision =
      Decide(&policy, {ObjectKind::kPod, "CREATE", AdmissionStage::kValidate, false}, pod, nullptr);
  EXPECT_FALSE(decision.allowed);
}

TEST(PodValidation, BogusAndMisspelledArgs) {
  nlohmann::json pod = OptedInPod("vitess/lite:v25.0.0", {"--vreplication_ssl_ca=/x", "--grpc_cert",
                                                          "/vt/vtguard/tls/tls.crt", "--port=1"});
  std::vector<Violation> violations = ValidatePod(DefaultPolicy(), pod);
  bool bogus = false, spelling = false;
  for (const Violation& violation : violations) {
    bogus |= violation.path == "/spec/containers/0/args/0" &&
             violation.message.find("does not exist") != std::string::npos;
    spelling |= violation.path == "/spec/containers/0/args/1" &&
                violation.message.find("underscored flag grpc_cert") != std::string::npos;
  }
  EXPECT_TRUE(bogus);
  EXPECT_TRUE(spelling);
}

TEST(PodValidation, FlagsGoToCommandWithoutArgs) {
  nlohmann::json pod = OptedInPod("vitess/lite:v24.0.4", nullptr);
  pod["spec"]["containers"][0].erase("args");
  MutationResult result = MutatePod(DefaultPolicy(), pod, "CREATE");
  nlohmann::json patched = testing::ApplyStrict(pod, result.patch.ToJson());
  const nlohmann::json& command = patched["spec"]["containers"][0]["command"];
  EXPECT_EQ(command[0], "/vt/bin/vttablet");
  EXPECT_EQ(command[1], "--grpc-cert=/vt/vtguard/tls/tls.crt");
  EXPECT_FALSE(patched["spec"]["containers"][0].contains("args"));
}

TEST(PodValidation, PodsWithoutVitessAreIgnored) {
  nlohmann::json pod = {{"apiVersion", "v1"},
                        {"kind", "Pod"},
                        {"metadata", {{"name", "web"}}},
                        {"spec", {{"containers", {{{"name", "nginx"}, {"image", "nginx"}}}}}}};
  EXPECT_TRUE(ValidatePod(DefaultPolicy(), pod).empty());
  EXPECT_TRUE(MutatePod(DefaultPolicy(), pod, "CREATE").patch.empty());
}

// Flags that read /vt/vtguard/tls need vtguard's Secret volume mounted there. A user's volume
// of the same name, or another volume at that path, would leave vttablet without its files.
TEST(PodValidation, ClashingTlsVolumeOrMountIsReported) {
  struct Case {
    std::string name;
    std::function<void(nlohmann::json&)> edit;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"emptyDir named vtguard-tls",
       [](nlohmann::json& pod) {
         pod["spec"]["volumes"][0] = {{"name", "vtguard-tls"},
                                      {"emptyDir", nlohmann::json::object()}};
       },
       "volume vtguard-tls is not a Secret volume"},
      {"another volume at the path",
       [](nlohmann::json& pod) {
         pod["spec"]["volumes"].push_back(
             {{"name", "scratch"}, {"emptyDir", nlohmann::json::object()}});
         pod["spec"]["containers"][0]["volumeMounts"][0]["name"] = "scratch";
       },
       "/vt/vtguard/tls is the mount of volume scratch, not of vtguard-tls"},
      {"mount removed",
       [](nlohmann::json& pod) { pod["spec"]["containers"][0]["volumeMounts"] = "vt-root"; },
       "the vtguard-tls volume is not mounted there"},
  };
  nlohmann::json pod = OptedInPod("vitess/lite:v22.0.1", {"--port=15000"});
  MutationResult result = MutatePod(DefaultPolicy(), pod, "CREATE");
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  const nlohmann::json injected = testing::ApplyStrict(pod, result.patch.ToJson());
  ASSERT_TRUE(ValidatePod(DefaultPolicy(), injected).empty());
  for (const Case& c : cases) {
    nlohmann::json broken = injected;
    c.edit(broken);
    std::vector<Violation> violations = ValidatePod(DefaultPolicy(), broken);
    ASSERT_EQ(violations.size(), 1u) << c.name;
    EXPECT_EQ(violations[0].path, "/spec/containers/0/volumeMounts") << c.name;
    EXPECT_NE(violations[0].message.find(c.message), std::string::npos)
        << c.name << ": " << violations[0].message;
    EXPECT_FALSE(violations[0].fix.empty()) << c.name;
  }
}

// A label that is not a string never takes effect: vtguard.io/inject: true (a YAML boolean)
// would leave the pod without TLS and without a word.
TEST(PodValidation, LabelThatIsNotStringIsReported) {
  nlohmann::json pod = OptedInPod("vitess/lite:v22.0.1", {"--port=15000"});
  pod["metadata"]["labels"]["vtguard.io/inject"] = true;
  pod["metadata"]["labels"]["team"] = 7;  // Not a label vtguard reads.
  std::vector<Violation> violations = ValidatePod(DefaultPolicy(), pod);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].path, "/metadata/labels/vtguard.io~1inject");
  EXPECT_NE(violations[0].message.find("which is not a string"), std::string::npos);
  EXPECT_NE(violations[0].fix.find("\"true\""), std::string::npos);
}

// Without a cluster label the Secret name is unknown; check reports what inject cannot do.
TEST(PodValidation, OptedInPodWithoutClusterLabelIsReported) {
  nlohmann::json pod = OptedInPod("vitess/lite:v22.0.1", {"--port=15000"});
  pod["metadata"]["labels"].erase("vtguard.io/cluster");
  std::vector<Violation> violations = ValidatePod(DefaultPolicy(), pod);
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(violations[0].path, "/metadata/labels");
  EXPECT_EQ(violations[0].message, kNoClusterLabel);
  MutationResult result = MutatePod(DefaultPolicy(), pod, "CREATE");
  EXPECT_FALSE(result.status.ok());
  ASSERT_EQ(result.notes.size(), 1u);
  EXPECT_EQ(result.notes[0].message, kNoClusterLabel);
}

}  // namespace
}  // namespace vtguard::vitess
