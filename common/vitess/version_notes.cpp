// DescribeAssumedVersions: the Vitess versions that come from the policy, not from an image.
#include <set>

#include "common/vitess/admission.h"
#include "common/vitess/cluster_sites.h"
#include "common/vitess/pod_sites.h"

namespace vtguard::vitess {
namespace {

// Adds a note for the image field at `path` unless its tag has a version or the field already
// has a note.
void NoteImage(const TlsPolicy& policy, const std::optional<std::string>& image,
               const std::string& path, std::set<std::string>& noted,
               std::vector<Violation>& notes) {
  if (image && ParseImageVersion(*image)) return;
  if (!noted.insert(path).second) return;
  notes.push_back({path,
                   DescribeUnversionedImage(image) + "; assumed Vitess " +
                       policy.vitess_version->ToString() +
                       " from the VitessTLSPolicy's spec.vitessVersion",
                   "", Severity::kInfo});
}

}  // namespace

std::vector<Violation> DescribeAssumedVersions(const TlsPolicy& policy, ObjectKind kind,
                                               const nlohmann::json& object) {
  std::vector<Violation> notes;
  // Without spec.vitessVersion nothing is assumed: validation reports the image instead.
  if (!policy.vitess_version) return notes;
  std::set<std::string> noted;
  if (kind == ObjectKind::kVitessCluster) {
    for (const ClusterSite& site : EnumerateSites(object)) {
      NoteImage(policy, site.image, ToPointer(site.image_tokens), noted, notes);
    }
    return notes;
  }
  std::optional<PodTarget> target = FindPodTarget(object);
  if (!target) return notes;
  PointerTokens image = {"spec", "containers", std::to_string(target->container_index), "image"};
  NoteImage(policy, StringAt(object, image), ToPointer(image), noted, notes);
  return notes;
}

}  // namespace vtguard::vitess
