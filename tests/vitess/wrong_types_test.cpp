// Type sweeps over the real manifests, the admission cases and the examples: every node is
// replaced by a value of each JSON type. Validation, mutation and policy parsing must handle
// each variant without throwing, and every patch must apply to the object it was made for.
// A container whose name was null once made the Pod lookup throw.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/vitess/admission.h"
#include "common/vitess/policy.h"
#include "common/vitess/yaml_json.h"
#include "tests/vitess/retype.h"
#include "tests/vitess/test_util.h"

namespace vtguard::vitess {
namespace {

using testing::ReadText;
using testing::ReadYamlFile;
using testing::SharedPath;
using vtguard::testing::ForEachRetyped;

struct Input {
  std::string name;
  nlohmann::json object;
};

std::vector<Input> ModelInputs() {
  std::vector<Input> inputs;
  auto add_file = [&](const std::string& label, const std::string& path) {
    std::vector<nlohmann::json> documents = ReadYamlFile(path);
    for (std::size_t i = 0; i < documents.size(); ++i) {
      if (documents[i].is_object()) {
        inputs.push_back({label + ":document " + std::to_string(i + 1), documents[i]});
      }
    }
  };
  for (const char* file : {"101_initial_cluster.yaml", "101_initial_cluster_vtorc_vtadmin.yaml",
                           "201_customer_tablets.yaml"}) {
    add_file(file, SharedPath(std::string("data/vitess-operator/") + file));
  }
  add_file("09-flag-spelling-by-version.yaml",
           SharedPath("cases/09-flag-spelling-by-version.yaml"));
  for (const char* file : {"cluster-v21.yaml", "cluster-v24.yaml", "cluster-broken.yaml"}) {
    add_file(file, std::string(VTGUARD_SOURCE_DIR) + "/examples/" + file);
  }
  for (const char* file : {"01-annotation-slash.json", "02-no-volumes.json",
                           "03-double-injection.json", "05-pod-update-no-spec-patch.json"}) {
    nlohmann::json review =
        nlohmann::json::parse(ReadText(SharedPath(std::string("cases/") + file)));
    for (const char* field : {"object", "oldObject"}) {
      const nlohmann::json& object = review["request"][field];
      if (object.is_object()) inputs.push_back({std::string(file) + ":" + field, object});
    }
  }
  return inputs;
}

std::vector<TlsPolicy> Policies() {
  TlsPolicy versionless = DefaultPolicy();
  versionless.name = "versionless";
  TlsPolicy v24 = DefaultPolicy();
  v24.name = "v24";
  v24.vitess_version = ParseVersionText("v24").value();
  Result<TlsPolicy> options = ParsePolicy(nlohmann::json::parse(R"({
    "metadata": {"name": "options", "namespace": "ns1"},
    "spec": {"enforcement": "Warn", "clientAuth": "Required", "flagSpelling": "Underscore",
             "vitessVersion": "v21", "issuer": {"caSecretRef": {"name": "my-ca"}},
             "migration": "OptionalTLS", "crl": {"enabled": true}}})"));
  EXPECT_TRUE(options.ok()) << options.status().ToString();
  return {versionless, v24, options.ok() ? *options : DefaultPolicy()};
}

// Collects failures and reports the first few in full, so that one fault met at a thousand
// nodes does not flood the output.
class Failures {
 public:
  void Add(const std::string& message) {
    if (++count_ <= 10) ADD_FAILURE() << message;
  }
  int count() const { return count_; }

 private:
  int count_ = 0;
};

// Runs one admission request; returns "" or what went wrong.
std::string Exercise(const TlsPolicy& policy, const AdmissionRequestInfo& request,
                     const nlohmann::json& object, const nlohmann::json* old_object) {
  AdmissionDecision decision;
  try {
    decision = Decide(&policy, request, object, old_object);
  } catch (const std::exception& error) {
    return std::string("Decide threw: ") + error.what();
  }
  for (const std::string& warning : decision.warnings) {
    if (warning.size() > kMaxWarningLength) return "warning longer than the limit: " + warning;
  }
  if (request.stage != AdmissionStage::kMutate || decision.patch.empty()) return "";
  try {
    (void)object.patch(decision.patch.ToJson());
  } catch (const std::exception& error) {
    return std::string("the patch does not apply: ") + error.what() + "\n" + decision.patch.text();
  }
  return "";
}

ObjectKind KindOf(const nlohmann::json& object) {
  return object.at("kind") == "Pod" ? ObjectKind::kPod : ObjectKind::kVitessCluster;
}

TEST(WrongTypes, AdmissionHandlesRetypedObjects) {
  const std::vector<TlsPolicy> policies = Policies();
  Failures failures;
  int variants = 0;
  for (const Input& input : ModelInputs()) {
    const ObjectKind own_kind = KindOf(input.object);
    const ObjectKind other_kind =
        own_kind == ObjectKind::kPod ? ObjectKind::kVitessCluster : ObjectKind::kPod;
    ForEachRetyped(input.object, [&](const nlohmann::json& variant, const std::string& pointer,
                                     const nlohmann::json& value) {
      ++variants;
      auto check = [&](const TlsPolicy& policy, const AdmissionRequestInfo& request,
                       const nlohmann::json& object, const nlohmann::json* old_object) {
        std::string error = Exercise(policy, request, object, old_object);
        if (error.empty()) return;
        failures.Add(input.name + " with " + pointer + " = " + value.dump() + " as " +
                     (old_object == &input.object ? "the new" : "the") + " object (policy " +
                     policy.name + ", " + std::string(request.operation) + ", " +
                     (request.stage == AdmissionStage::kMutate ? "mutate" : "validate") +
                     "): " + error);
      };
      for (AdmissionStage stage : {AdmissionStage::kMutate, AdmissionStage::kValidate}) {
        for (const TlsPolicy& policy : policies) {
          check(policy, {own_kind, "CREATE", stage}, variant, nullptr);
          check(policy, {own_kind, "UPDATE", stage}, variant, &input.object);
        }
        // The variant as the old object of an update, and sent to the other kind's route.
        check(policies[1], {own_kind, "UPDATE", stage}, input.object, &variant);
        check(policies[1], {other_kind, "CREATE", stage}, variant, nullptr);
      }
    });
  }
  EXPECT_GT(variants, 10000) << "the inputs shrank; is the reference data complete?";
  EXPECT_EQ(failures.count(), 0) << "over " << variants << " variants";
}

TEST(WrongTypes, PolicyParsingHandlesRetypedFields) {
  std::vector<nlohmann::json> documents =
      ReadYamlFile(std::string(VTGUARD_SOURCE_DIR) + "/examples/policy.yaml");
  ASSERT_EQ(documents.size(), 1u);
  nlohmann::json full = documents[0];
  full["spec"].update(nlohmann::json::parse(R"({
    "trustDomain": "Policy", "ca": {"duration": "43800h"},
    "certificate": {"duration": "720h", "renewBefore": "240h",
                    "privateKey": {"algorithm": "RSA", "size": 3072}},
    "rollout": "Manual", "migration": "OptionalTLS", "crl": {"enabled": true},
    "clusterSelector": {"matchLabels": {"tier": "db"},
      "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]}]}})"));
  ASSERT_TRUE(ParsePolicy(full).ok()) << ParsePolicy(full).status().ToString();
  Failures failures;
  int variants = 0;
  ForEachRetyped(full, [&](const nlohmann::json& variant, const std::string& pointer,
                           const nlohmann::json& value) {
    ++variants;
    const std::string where = pointer + " = " + value.dump() + ": ";
    try {
      Result<TlsPolicy> parsed = ParsePolicy(variant);
      if (!parsed.ok() && parsed.status().message().empty()) {
        failures.Add(where + "rejected without a message");
      }
      // The file reader looks at "kind" before it parses a document.
      Result<std::vector<TlsPolicy>> from_yaml =
          ParsePolicyYaml(ToYaml(OrderedJson::parse(variant.dump())));
      if (!from_yaml.ok() && from_yaml.status().message().empty()) {
        failures.Add(where + "file rejected without a message");
      }
    } catch (const std::exception& error) {
      failures.Add(where + "threw: " + error.what());
    }
  });
  EXPECT_GT(variants, 300);
  EXPECT_EQ(failures.count(), 0) << "over " << variants << " variants";
}

}  // namespace
}  // namespace vtguard::vitess
