// Fuzzes what `vtguard check` and `vtguard inject` do with one input file: YAML or JSON
// documents through validation, mutation, patch application and YAML output.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/vitess/admission.h"
#include "common/vitess/yaml_json.h"

namespace {

void Exercise(const nlohmann::json& object) {
  using namespace vtguard::vitess;
  TlsPolicy policy = DefaultPolicy();
  policy.vitess_version = ParseVersionText("v24").value();
  for (ObjectKind kind : {ObjectKind::kVitessCluster, ObjectKind::kPod}) {
    AdmissionDecision validate =
        Decide(&policy, {kind, "CREATE", AdmissionStage::kValidate, false}, object, &object);
    for (const std::string& warning : validate.warnings) {
      if (warning.size() > kMaxWarningLength) __builtin_trap();
    }
    AdmissionDecision mutate =
        Decide(&policy, {kind, "CREATE", AdmissionStage::kMutate, false}, object, &object);
    if (mutate.patch.empty()) continue;
    // Every patch vtguard produces must apply to the object it was made for.
    nlohmann::json patched = object.patch(mutate.patch.ToJson());
    (void)ToYaml(OrderedJson::parse(patched.dump()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto documents = vtguard::vitess::ParseYamlDocuments(text);
  if (!documents.ok()) return 0;
  for (const auto& document : *documents) {
    Exercise(nlohmann::json::parse(document.dump()));
  }
  return 0;
}
