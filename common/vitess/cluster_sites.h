// The places in a VitessCluster where a Vitess component is configured ("sites"): every tablet
// pool, every cell's gateway, the dashboard (vtctld) and each keyspace's vtorc.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/vitess/admission.h"
#include "common/vitess/flags.h"
#include "common/vitess/json_patch.h"
#include "common/vitess/policy.h"
#include "common/vitess/version.h"

namespace vtguard::vitess {

struct ClusterSite {
  Component component = Component::kVttablet;
  PointerTokens tokens;        // The object holding extraVolumes, extraVolumeMounts, extraEnv.
  PointerTokens flags_tokens;  // The extraFlags map.
  std::string pointer;         // `tokens` as a JSON Pointer.
  std::string flags_pointer;   // `flags_tokens` as a JSON Pointer.
  bool exists = false;         // False for a gateway or dashboard that vitess-operator defaults.
  PointerTokens image_tokens;  // The image field that decides the Vitess version.
  std::optional<std::string> image;
};

// Every site of `cluster`, in object order: pools, gateways, dashboard, vtorcs.
std::vector<ClusterSite> EnumerateSites(const nlohmann::json& cluster);

// A member of a VitessCluster that must be a list or a map.
enum class Shape { kList, kMap };
struct ShapeRule {
  std::string pattern;  // JSON Pointer with "*" for every element of a list.
  Shape shape;
};

// The members that vtguard reads or writes, with the shape that vitess-operator requires.
const std::vector<ShapeRule>& ClusterShapeRules();

// Reports each member of `cluster` in ClusterShapeRules() of another shape, such as
// keyspaces: "orders". A null map member counts as absent.
void CheckClusterShape(const nlohmann::json& cluster, std::vector<Violation>& violations);

// The fix for an image whose Vitess version is unknown.
inline constexpr std::string_view kUnknownVersionFix =
    "use a tag such as v24.0.4 or set spec.vitessVersion in the VitessTLSPolicy";

// Why `image` gives no Vitess version, without the field path or the fix:
// "image \"vitess/lite:latest\" has no version in its tag" or "no image is set".
std::string DescribeUnversionedImage(const std::optional<std::string>& image);

// The Vitess version of a site: its image tag, else the policy's vitessVersion. The error
// names the image field and tells how to fix it.
Result<VitessVersion> ResolveSiteVersion(const ClusterSite& site, const TlsPolicy& policy);
// The same for a Pod container image at `path`.
Result<VitessVersion> ResolveImageVersion(const std::optional<std::string>& image,
                                          const std::string& path, const TlsPolicy& policy);

// The spelling to write for `version` under the policy's flagSpelling. A forced spelling that
// the version rejects falls back to the version's own, with a note in `warning`.
Spelling ChooseSpelling(const TlsPolicy& policy, const VitessVersion& version,
                        std::string* warning);

// metadata.name, or "" when missing.
std::string ObjectName(const nlohmann::json& object);
// The string at `key` in the object at `tokens`, if any.
std::optional<std::string> StringAt(const nlohmann::json& root, const PointerTokens& tokens);

}  // namespace vtguard::vitess
