// The three PATCH formats of the Kubernetes API, applied to JSON objects.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/base/status.h"

namespace vtguard::testing {

// RFC 7396 JSON merge patch (application/merge-patch+json).
Result<nlohmann::json> ApplyMergePatch(const nlohmann::json& target, const nlohmann::json& patch);

// RFC 6902 JSON patch (application/json-patch+json); a failed `test` operation is an error.
Result<nlohmann::json> ApplyJsonPatch(const nlohmann::json& target, const nlohmann::json& patch);

// Strategic merge patch (application/strategic-merge-patch+json), the subset kubectl's
// client-side apply and patch produce for the kinds the tests use: maps merge as in a merge
// patch; lists named containers, initContainers, ephemeralContainers, volumes, env,
// imagePullSecrets (key "name"), volumeMounts (key "mountPath"), ports (key "containerPort")
// and ownerReferences (key "uid") merge by key; other lists are replaced. Directives:
// "$patch": "delete" / "replace" on list items and maps, "$deleteFromPrimitiveList/<field>";
// "$setElementOrder/<field>" and "$retainKeys" are accepted and ignored.
// NOTE: the merge keys come from this fixed table, not from an OpenAPI schema, so a custom
// resource's lists are replaced; kubectl sends custom resources merge patches anyway.
Result<nlohmann::json> ApplyStrategicMergePatch(const nlohmann::json& target,
                                                const nlohmann::json& patch);

}  // namespace vtguard::testing
