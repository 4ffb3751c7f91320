// Pod mutation: the TLS volume and mount for Vitess pods, and flags for opted-in pods that no
// operator rewrites.
#include <algorithm>

#include "common/vitess/admission.h"
#include "common/vitess/cluster_sites.h"
#include "common/vitess/pod_args.h"
#include "common/vitess/pod_sites.h"
#include "common/vitess/tablet_trust.h"
#include "common/vitess/tls_config.h"

namespace vtguard::vitess {
namespace {

void AddWarning(MutationResult& result, const std::string& path, const std::string& message) {
  result.notes.push_back({path, message, "", Severity::kWarning});
  result.warnings.push_back(FormatWarning(result.notes.back()));
}

// Appends each missing flag as "--name=value" to args, or to command when the container has
// command but no args.
void AddPodFlags(PatchBuilder& builder, const PointerTokens& container,
                 const std::vector<DesiredFlag>& flags, Spelling spelling,
                 std::string& fingerprint) {
  PointerTokens args_tokens = container;
  args_tokens.push_back("args");
  PointerTokens command_tokens = container;
  command_tokens.push_back("command");
  const nlohmann::json* args = FindAt(builder.working(), args_tokens);
  const nlohmann::json* command = FindAt(builder.working(), command_tokens);
  bool use_command =
      (args == nullptr || args->is_null()) && command != nullptr && command->is_array();
  PointerTokens list = container;
  list.push_back(use_command ? "command" : "args");
  for (const DesiredFlag& flag : flags) {
    std::string key = SpellFlag(flag.name, spelling);
    fingerprint += "|" + key + "=" + flag.value;
    const nlohmann::json& working_container = *FindAt(builder.working(), container);
    if (ContainerHasFlag(working_container, flag.name)) continue;
    builder.Append(list, "--" + key + "=" + flag.value);
  }
}

}  // namespace

MutationResult MutatePod(const TlsPolicy& policy, const nlohmann::json& pod,
                         std::string_view operation, const MutationOptions& options) {
  MutationResult result;
  std::optional<PodTarget> target = FindPodTarget(pod);
  if (!target) return result;
  PointerTokens container = {"spec", "containers", std::to_string(target->container_index)};
  PointerTokens mounts = container;
  mounts.push_back("volumeMounts");

  if (operation != "CREATE") {
    // A Pod's spec is immutable after creation; it gets TLS when it is recreated.
    if (operation == "UPDATE" &&
        FindListEntry(FindAt(pod, {"spec", "volumes"}), "name", kTlsVolumeName) == nullptr) {
      AddWarning(result, "/spec/volumes", "pod runs without vtguard TLS until it is recreated");
    }
    return result;
  }

  std::string cluster = options.cluster_name.value_or(target->cluster);
  if (cluster.empty()) {
    result.status = InvalidArgument("/metadata/labels: " + std::string(kNoClusterLabel));
    AddWarning(result, "/metadata/labels", std::string(kNoClusterLabel));
    return result;
  }
  std::string secret = LeafSecretName(cluster, target->component);
  std::string fingerprint = std::string(ComponentName(target->component)) + "|" + secret;

  // vitess-operator rewrites args and env of the pods it manages; flags belong in the
  // VitessCluster there.
  const bool flags_by_vtguard = target->opted_in && !target->operator_managed;
  const nlohmann::json& container_json = *FindAt(pod, container);
  std::vector<FlagEntry> present = ReadContainerFlags(container_json, ToPointer(container));
  TabletServerTrust trust =
      flags_by_vtguard ? ReadPodTrust(target->component, present) : TabletServerTrust{};

  PatchBuilder builder(pod);
  // A vttablet that serves the user's certificate reads vtguard's Secret only where a flag of
  // the user's already names it, because the flags added then are copies of the user's.
  // NOTE: a Pod does not show its VitessCluster, so the operator-managed pod of a cluster whose
  // tablets serve the user's certificate still gets vtguard's volume and mount, unread.
  if (!trust.user() || ReadsVtguardFiles(present)) {
    if (FindListEntry(FindAt(pod, {"spec", "volumes"}), "name", kTlsVolumeName) == nullptr) {
      builder.Append(PointerTokens{"spec", "volumes"}, TlsVolume(secret));
    }
    const nlohmann::json* existing_mounts = FindAt(pod, mounts);
    if (FindListEntry(existing_mounts, "name", kTlsVolumeName) == nullptr &&
        FindListEntry(existing_mounts, "mountPath", kTlsMountPath) == nullptr) {
      builder.Append(mounts, TlsVolumeMount());
    }
  }

  if (flags_by_vtguard) {
    std::string image_path = ToPointer(container) + "/image";
    Result<VitessVersion> version = ResolveImageVersion(
        StringAt(pod, {"spec", "containers", container[2], "image"}), image_path, policy);
    if (!version.ok()) {
      result.status = version.status();
      AddWarning(result, image_path, version.status().message());
    } else {
      std::string spelling_warning;
      Spelling spelling = ChooseSpelling(policy, *version, &spelling_warning);
      if (!spelling_warning.empty()) AddWarning(result, image_path, spelling_warning);
      MigrationStep step = ResolveMigrationStep(policy, pod, options);
      std::vector<DesiredFlag> desired =
          trust.user()
              ? UserTrustFlags(target->component, present)
              : DropUserClientFamilies(DesiredFlags(policy, target->component, step), present);
      // Which flags get copied under the user's trust depends on what the pod already sets, so
      // they stay out of the hash and a second pass finds the same one.
      std::string copied_flags;
      AddPodFlags(builder, container, desired, spelling, trust.user() ? copied_flags : fingerprint);
      if (trust.user()) fingerprint += "|user-trust";
    }
  }

  std::string hash = ShortHash(fingerprint);
  if (StringAt(builder.working(), {"metadata", "annotations", std::string(kInjectedAnnotation)}) !=
      hash) {
    builder.SetMember({"metadata", "annotations"}, std::string(kInjectedAnnotation), hash);
  }
  result.patch = builder.TakePatch();
  return result;
}

}  // namespace vtguard::vitess
