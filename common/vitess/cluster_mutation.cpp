// VitessCluster mutation: TLS flags, the Secret volume and mount, and the revision env var for
// every site, as one minimal JSON Patch.
#include <algorithm>

#include "common/vitess/admission.h"
#include "common/vitess/cluster_sites.h"
#include "common/vitess/tablet_trust.h"
#include "common/vitess/tls_config.h"

namespace vtguard::vitess {
namespace {

PointerTokens Child(PointerTokens tokens, const std::string& key) {
  tokens.push_back(key);
  return tokens;
}

// The key in `flags` that names `canonical` in any spelling, or nullptr.
const std::string* FindFlagKey(const nlohmann::json* flags, const std::string& canonical,
                               std::string& storage) {
  if (flags == nullptr || !flags->is_object()) return nullptr;
  for (const auto& [key, value] : flags->items()) {
    if (FlagKeysEqual(key, canonical)) {
      storage = key;
      return &storage;
    }
  }
  return nullptr;
}

// True for the extraEnv entry {name: VTGUARD_TLS_REVISION, ...}.
bool IsRevisionEntry(const nlohmann::json& entry) {
  if (!entry.is_object()) return false;
  auto name = entry.find("name");
  return name != entry.end() && name->is_string() &&
         name->get_ref<const std::string&>() == kRevisionEnvName;
}

// The member `key` of the object at `tokens`, or nullptr.
const nlohmann::json* MemberAt(const nlohmann::json& object, const PointerTokens& tokens,
                               std::string_view key) {
  const nlohmann::json* node = FindAt(object, tokens);
  return node == nullptr ? nullptr : FindChild(*node, key);
}

// The VTGUARD_TLS_REVISION value in the extraEnv of `tokens`, if any.
std::optional<std::string> RevisionAt(const nlohmann::json& object, const PointerTokens& tokens) {
  const nlohmann::json* env = MemberAt(object, tokens, "extraEnv");
  if (env == nullptr || !env->is_array()) return std::nullopt;
  for (const nlohmann::json& entry : *env) {
    if (!IsRevisionEntry(entry)) continue;
    auto value = entry.find("value");
    if (value != entry.end() && value->is_string()) return value->get<std::string>();
  }
  return std::nullopt;
}

// The first VTGUARD_TLS_REVISION among `sites` of `object`, in site order.
std::optional<std::string> FirstRevision(const nlohmann::json& object,
                                         const std::vector<ClusterSite>& sites) {
  for (const ClusterSite& site : sites) {
    if (auto revision = RevisionAt(object, site.tokens)) return revision;
  }
  return std::nullopt;
}

// The revision to write when the site has none. The first found wins: the same site's in the
// stored object (a GitOps re-apply drops it), `object_revision` (the first site's in the
// incoming object), any other site's in the stored object, and last "1".
std::string FallbackRevision(const std::optional<std::string>& object_revision,
                             const nlohmann::json* old_object, const ClusterSite& site) {
  if (old_object != nullptr) {
    if (auto revision = RevisionAt(*old_object, site.tokens)) return *revision;
  }
  if (object_revision) return *object_revision;
  if (old_object != nullptr) {
    if (auto revision = FirstRevision(*old_object, EnumerateSites(*old_object))) return *revision;
  }
  return "1";
}

// "grpc-key" for "grpc-cert" and the reverse; "" for flags without a partner.
std::string PartnerFlag(const std::string& name) {
  auto ends_with = [&](const std::string& suffix) {
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with("-cert")) return name.substr(0, name.size() - 4) + "key";
  if (ends_with("-key")) return name.substr(0, name.size() - 3) + "cert";
  return "";
}

class ClusterMutator {
 public:
  // Reads what it needs of the incoming object before moving it into the patch builder.
  ClusterMutator(const TlsPolicy& policy, nlohmann::json object, const nlohmann::json* old_object,
                 const MutationOptions& options)
      : policy_(policy),
        old_object_(old_object),
        options_(options),
        sites_(EnumerateSites(object)),
        trust_(ReadTabletTrust(object, sites_)),
        step_(ResolveMigrationStep(policy, object, options)),
        cluster_(options.cluster_name.value_or(ObjectName(object))),
        object_revision_(FirstRevision(object, sites_)),
        builder_(std::move(object)) {}

  MutationResult Run() {
    std::string fingerprint;
    fingerprint.reserve(4096);
    fingerprint.append(ToString(step_)).append("|").append(policy_.server_name);
    for (const ClusterSite& site : sites_) MutateSite(site, fingerprint);
    SetMarker(ShortHash(fingerprint));
    result_.patch = builder_.TakePatch();
    if (!errors_.empty()) {
      std::string message;
      for (const std::string& error : errors_) message += (message.empty() ? "" : "; ") + error;
      result_.status = InvalidArgument(message);
    }
    return std::move(result_);
  }

 private:
  // Adds a warning unless another site already gave the same one.
  void Warn(const std::string& text) {
    Violation violation{"", text, "", Severity::kWarning};
    if (std::find(result_.notes.begin(), result_.notes.end(), violation) != result_.notes.end()) {
      return;
    }
    result_.warnings.push_back(FormatWarning(violation));
    result_.notes.push_back(std::move(violation));
  }

  void MutateSite(const ClusterSite& site, std::string& fingerprint) {
    Result<VitessVersion> version = ResolveSiteVersion(site, policy_);
    if (!version.ok()) {
      errors_.push_back(version.status().message());
      Warn(version.status().message());
      return;
    }
    std::string spelling_warning;
    Spelling spelling = ChooseSpelling(policy_, *version, &spelling_warning);
    if (!spelling_warning.empty()) Warn(ToPointer(site.image_tokens) + ": " + spelling_warning);

    std::vector<FlagEntry> present = ReadFlagMap(builder_.working(), site.flags_tokens);
    std::vector<DesiredFlag> flags =
        trust_.user()
            ? UserTrustFlags(site.component, present)
            : DropUserClientFamilies(DesiredFlags(policy_, site.component, step_), present);
    fingerprint += '|';
    fingerprint += site.pointer;
    // Adding a member keeps the map where it is, so the pointer stays valid across flags.
    const nlohmann::json* flag_map = FindAt(builder_.working(), site.flags_tokens);
    for (const DesiredFlag& flag : flags) {
      std::string key = SpellFlag(flag.name, spelling);
      // Under the user's trust, which flags get copied depends on what the pod already sets.
      // Hashing them would make a second pass differ, so the user's own values stand alone.
      if (!trust_.user()) {
        fingerprint += '|';
        fingerprint += key;
        fingerprint += '=';
        fingerprint += flag.value;
      }
      AddFlagIfMissing(site, flag, key, flag_map);
    }
    if (trust_.user()) {
      // vtguard's Secret, mount and revision serve only a site that reads vtguard's files.
      fingerprint += "|user-trust";
      if (!ReadsVtguardFiles(ReadFlagMap(builder_.working(), site.flags_tokens))) return;
    } else if (step_ == MigrationStep::kComplete && policy_.migration == Migration::kOptionalTls) {
      RemoveFlag(site, "grpc-enable-optional-tls");
    }
    std::string secret = LeafSecretName(cluster_, site.component);
    fingerprint += "|" + secret;
    AddVolume(site, secret);
    fingerprint += "|rev=" + SetRevision(site);
  }

  // Adds the flag unless the map at site.flags_tokens names it. `flags` is that map as FindAt
  // returns it, and is updated when the map is created.
  void AddFlagIfMissing(const ClusterSite& site, const DesiredFlag& flag, const std::string& key,
                        const nlohmann::json*& flags) {
    std::string existing;
    // A user value in any spelling that already names the flag is kept as it is.
    if (FindFlagKey(flags, flag.name, existing)) return;
    // Completing a user's own cert with vtguard's key (or the reverse) would pair files that do
    // not belong together; validation reports the half pair instead.
    std::string partner = PartnerFlag(flag.name);
    if (!partner.empty() && FindFlagKey(flags, partner, existing) &&
        (*flags)[existing].is_string() &&
        (*flags)[existing].get<std::string>().rfind(std::string(kTlsMountPath), 0) != 0) {
      return;
    }
    if (flags != nullptr && flags->is_object()) {
      builder_.SetMemberOf(*flags, site.flags_pointer, key, flag.value);
      return;
    }
    if (!builder_.SetMember(site.flags_tokens, key, flag.value)) {
      Warn(site.flags_pointer + ": not a map, so flag " + key + " was not added");
      return;
    }
    flags = FindAt(builder_.working(), site.flags_tokens);
  }

  void RemoveFlag(const ClusterSite& site, const std::string& canonical) {
    std::string existing;
    if (FindFlagKey(FindAt(builder_.working(), site.flags_tokens), canonical, existing)) {
      builder_.Remove(Child(site.flags_tokens, existing));
    }
  }

  void AddVolume(const ClusterSite& site, const std::string& secret) {
    const nlohmann::json* volumes = MemberAt(builder_.working(), site.tokens, "extraVolumes");
    if (FindListEntry(volumes, "name", kTlsVolumeName) == nullptr) {
      if (!builder_.AppendMember(site.tokens, site.pointer, "extraVolumes", TlsVolume(secret))) {
        Warn(site.pointer + "/extraVolumes: not a list, so the TLS volume was not added");
      }
    }
    const nlohmann::json* mounts = MemberAt(builder_.working(), site.tokens, "extraVolumeMounts");
    if (FindListEntry(mounts, "name", kTlsVolumeName) != nullptr) return;
    if (FindListEntry(mounts, "mountPath", kTlsMountPath) != nullptr) {
      Warn(site.pointer + "/extraVolumeMounts: another volume is mounted at " +
           std::string(kTlsMountPath));
      return;
    }
    if (!builder_.AppendMember(site.tokens, site.pointer, "extraVolumeMounts", tls_mount_)) {
      Warn(site.pointer + "/extraVolumeMounts: not a list, so the TLS mount was not added");
    }
  }

  // Returns the revision the site ends with.
  std::string SetRevision(const ClusterSite& site) {
    std::optional<std::string> current = RevisionAt(builder_.working(), site.tokens);
    std::string wanted;
    if (options_.revision) {
      wanted = *options_.revision;
    } else if (current) {
      wanted = *current;
    } else {
      wanted = FallbackRevision(object_revision_, old_object_, site);
    }
    if (current == wanted) return wanted;
    const nlohmann::json* list = MemberAt(builder_.working(), site.tokens, "extraEnv");
    if (current && list != nullptr) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        const nlohmann::json& entry = (*list)[i];
        if (IsRevisionEntry(entry)) {
          PointerTokens value = site.tokens;
          value.insert(value.end(), {"extraEnv", std::to_string(i), "value"});
          builder_.Replace(value, wanted);
          return wanted;
        }
      }
    }
    // Filled member by member, because a braced initializer list copies every element again.
    nlohmann::json entry(nlohmann::json::value_t::object);
    entry["name"] = kRevisionEnvName;
    entry["value"] = wanted;
    if (!builder_.AppendMember(site.tokens, site.pointer, "extraEnv", std::move(entry))) {
      Warn(site.pointer + "/extraEnv: not a list, so no revision added");
    }
    return wanted;
  }

  void SetMarker(const std::string& hash) {
    std::optional<std::string> current =
        StringAt(builder_.working(), {"metadata", "annotations", std::string(kInjectedAnnotation)});
    if (current == hash) return;
    builder_.SetMember({"metadata", "annotations"}, std::string(kInjectedAnnotation), hash);
  }

  const TlsPolicy& policy_;
  const nlohmann::json* old_object_;
  const MutationOptions& options_;
  std::vector<ClusterSite> sites_;
  TabletServerTrust trust_;
  MigrationStep step_;
  std::string cluster_;
  std::optional<std::string> object_revision_;
  PatchBuilder builder_;
  // Built once and copied per site, because building from an initializer list is slow.
  const nlohmann::json tls_mount_ = TlsVolumeMount();
  MutationResult result_;
  std::vector<std::string> errors_;
};

}  // namespace

std::vector<Component> ComponentsWithRevision(const nlohmann::json& cluster) {
  std::vector<Component> components;
  for (const ClusterSite& site : EnumerateSites(cluster)) {
    if (!RevisionAt(cluster, site.tokens)) continue;
    if (std::find(components.begin(), components.end(), site.component) != components.end()) {
      continue;
    }
    components.push_back(site.component);
  }
  return components;
}

MutationResult MutateVitessCluster(const TlsPolicy& policy, nlohmann::json&& object,
                                   const nlohmann::json* old_object,
                                   const MutationOptions& options) {
  if (!object.is_object() || !object.contains("spec") || !object["spec"].is_object()) {
    MutationResult result;
    result.status = InvalidArgument("VitessCluster has no spec object");
    return result;
  }
  return ClusterMutator(policy, std::move(object), old_object, options).Run();
}

MutationResult MutateVitessCluster(const TlsPolicy& policy, const nlohmann::json& object,
                                   const nlohmann::json* old_object,
                                   const MutationOptions& options) {
  return MutateVitessCluster(policy, nlohmann::json(object), old_object, options);
}

}  // namespace vtguard::vitess
