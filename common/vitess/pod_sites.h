// How vtguard sees a Pod: which Vitess component it runs, in which container, for which
// cluster, and whether an operator rewrites its args and env.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/vitess/admission.h"
#include "common/vitess/flags.h"

namespace vtguard::vitess {

struct PodTarget {
  Component component = Component::kVttablet;
  std::size_t container_index = 0;
  std::string cluster;            // Cluster part of the Secret name; empty when unknown.
  bool operator_managed = false;  // vitess-operator owns it: volumes and mounts only.
  bool opted_in = false;          // vtguard.io/inject=true.
};

// Reports each label and annotation of `object` whose value is not a string, where the key
// starts with one of `prefixes` (every key when `prefixes` is empty). Kubernetes rejects such
// an object, and vtguard would not see a label such as vtguard.io/inject: true (a boolean).
void CheckMetadataStrings(const nlohmann::json& object, std::span<const std::string_view> prefixes,
                          std::vector<Violation>& violations);

// The message for an opted-in Pod without a cluster label, whose Secret name is unknown.
inline constexpr std::string_view kNoClusterLabel =
    "no planetscale.com/cluster or vtguard.io/cluster label, so the TLS Secret name is unknown";

// The Vitess container of `pod`, or nullopt when the pod runs no Vitess component that vtguard
// configures (or is neither operator-managed nor opted in).
std::optional<PodTarget> FindPodTarget(const nlohmann::json& pod);

// True when vitess-operator manages the pod: a planetscale.com owner reference or the
// planetscale.com/component label.
bool IsOperatorManagedPod(const nlohmann::json& pod);

}  // namespace vtguard::vitess
