#include "common/vitess/cluster_sites.h"

namespace vtguard::vitess {
namespace {

bool IsPresent(const nlohmann::json* node) { return node != nullptr && !node->is_null(); }

PointerTokens Join(PointerTokens base, std::initializer_list<std::string> more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

// The image field of a keyspace-level override when set, else the cluster-wide one.
void SetImage(const nlohmann::json& cluster, ClusterSite& site, const PointerTokens& keyspace,
              const std::string& key) {
  if (!keyspace.empty()) {
    PointerTokens own = Join(keyspace, {"images", key});
    if (std::optional<std::string> image = StringAt(cluster, own)) {
      site.image_tokens = own;
      site.image = image;
      return;
    }
  }
  site.image_tokens = {"spec", "images", key};
  site.image = StringAt(cluster, site.image_tokens);
}

void AddPools(const nlohmann::json& cluster, const PointerTokens& pools_tokens,
              const PointerTokens& keyspace, std::vector<ClusterSite>& sites) {
  const nlohmann::json* pools = FindAt(cluster, pools_tokens);
  if (pools == nullptr || !pools->is_array()) return;
  for (std::size_t i = 0; i < pools->size(); ++i) {
    ClusterSite site;
    site.component = Component::kVttablet;
    site.tokens = Join(pools_tokens, {std::to_string(i)});
    site.flags_tokens = Join(site.tokens, {"vttablet", "extraFlags"});
    site.exists = true;
    SetImage(cluster, site, keyspace, "vttablet");
    sites.push_back(std::move(site));
  }
}

void AddKeyspaceTablets(const nlohmann::json& cluster, const PointerTokens& keyspace,
                        std::vector<ClusterSite>& sites) {
  PointerTokens partitionings_tokens = Join(keyspace, {"partitionings"});
  const nlohmann::json* partitionings = FindAt(cluster, partitionings_tokens);
  if (partitionings == nullptr || !partitionings->is_array()) return;
  for (std::size_t p = 0; p < partitionings->size(); ++p) {
    PointerTokens partitioning = Join(partitionings_tokens, {std::to_string(p)});
    AddPools(cluster, Join(partitioning, {"equal", "shardTemplate", "tabletPools"}), keyspace,
             sites);
    PointerTokens shards_tokens = Join(partitioning, {"custom", "shards"});
    const nlohmann::json* shards = FindAt(cluster, shards_tokens);
    if (shards == nullptr || !shards->is_array()) continue;
    for (std::size_t s = 0; s < shards->size(); ++s) {
      AddPools(cluster, Join(shards_tokens, {std::to_string(s), "tabletPools"}), keyspace, sites);
    }
  }
}

}  // namespace

std::optional<std::string> StringAt(const nlohmann::json& root, const PointerTokens& tokens) {
  const nlohmann::json* node = FindAt(root, tokens);
  if (node == nullptr || !node->is_string()) return std::nullopt;
  return node->get<std::string>();
}

std::string ObjectName(const nlohmann::json& object) {
  return StringAt(object, {"metadata", "name"}).value_or("");
}

std::vector<ClusterSite> EnumerateSites(const nlohmann::json& cluster) {
  std::vector<ClusterSite> sites;
  const nlohmann::json* keyspaces = FindAt(cluster, {"spec", "keyspaces"});
  std::size_t keyspace_count =
      keyspaces != nullptr && keyspaces->is_array() ? keyspaces->size() : 0;
  for (std::size_t k = 0; k < keyspace_count; ++k) {
    AddKeyspaceTablets(cluster, {"spec", "keyspaces", std::to_string(k)}, sites);
  }

  const nlohmann::json* cells = FindAt(cluster, {"spec", "cells"});
  std::size_t cell_count = cells != nullptr && cells->is_array() ? cells->size() : 0;
  for (std::size_t c = 0; c < cell_count; ++c) {
    // vitess-operator deploys a vtgate in every cell, with or without a gateway key.
    ClusterSite site;
    site.component = Component::kVtgate;
    site.tokens = {"spec", "cells", std::to_string(c), "gateway"};
    site.flags_tokens = Join(site.tokens, {"extraFlags"});
    site.exists = IsPresent(FindAt(cluster, site.tokens));
    SetImage(cluster, site, {}, "vtgate");
    sites.push_back(std::move(site));
  }

  // vitess-operator always deploys vtctld (the dashboard).
  ClusterSite dashboard;
  dashboard.component = Component::kVtctld;
  dashboard.tokens = {"spec", "vitessDashboard"};
  dashboard.flags_tokens = {"spec", "vitessDashboard", "extraFlags"};
  dashboard.exists = IsPresent(FindAt(cluster, dashboard.tokens));
  SetImage(cluster, dashboard, {}, "vtctld");
  sites.push_back(std::move(dashboard));

  // vtorc runs only where a keyspace sets vitessOrchestrator, so adding the key would deploy it.
  for (std::size_t k = 0; k < keyspace_count; ++k) {
    PointerTokens keyspace = {"spec", "keyspaces", std::to_string(k)};
    ClusterSite site;
    site.component = Component::kVtorc;
    site.tokens = Join(keyspace, {"vitessOrchestrator"});
    if (!IsPresent(FindAt(cluster, site.tokens))) continue;
    site.flags_tokens = Join(site.tokens, {"extraFlags"});
    site.exists = true;
    SetImage(cluster, site, keyspace, "vtorc");
    sites.push_back(std::move(site));
  }
  for (ClusterSite& site : sites) {
    site.pointer = ToPointer(site.tokens);
    site.flags_pointer = ToPointer(site.flags_tokens);
  }
  return sites;
}

std::string DescribeUnversionedImage(const std::optional<std::string>& image) {
  return image ? "image \"" + *image + "\" has no version in its tag" : "no image is set";
}

Result<VitessVersion> ResolveImageVersion(const std::optional<std::string>& image,
                                          const std::string& path, const TlsPolicy& policy) {
  if (image) {
    if (std::optional<VitessVersion> version = ParseImageVersion(*image)) return *version;
  }
  if (policy.vitess_version) return *policy.vitess_version;
  // NOTE: a missing image key means vitess-operator's default image: vitess/lite:v24.0.0-mysql80
  // in v2.17.0 but vitess/lite:latest in later commits. vtguard cannot tell which operator
  // runs, so it treats a missing key like a tag without a version.
  return InvalidArgument(path + ": " + DescribeUnversionedImage(image) +
                         ", so the Vitess version is unknown; " + std::string(kUnknownVersionFix));
}

Result<VitessVersion> ResolveSiteVersion(const ClusterSite& site, const TlsPolicy& policy) {
  return ResolveImageVersion(site.image, ToPointer(site.image_tokens), policy);
}

Spelling ChooseSpelling(const TlsPolicy& policy, const VitessVersion& version,
                        std::string* warning) {
  Spelling preferred = PreferredSpelling(version.major);
  if (policy.flag_spelling == FlagSpelling::kAuto) return preferred;
  Spelling forced =
      policy.flag_spelling == FlagSpelling::kDash ? Spelling::kDash : Spelling::kUnderscore;
  if (VersionAcceptsSpelling(version.major, forced)) return forced;
  if (warning != nullptr) {
    *warning = "flagSpelling " + std::string(ToString(policy.flag_spelling)) + " is invalid for " +
               version.ToString() + "; writing " +
               (preferred == Spelling::kDash ? "dashed" : "underscored") + " flags";
  }
  return preferred;
}

}  // namespace vtguard::vitess
