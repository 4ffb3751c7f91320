// Reading and building Secret objects: base64 `data`, vtguard's labels, and the ownership check
// that keeps vtguard from writing to Secrets it did not create.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "operator/object_store.h"

namespace vtguard::op {

using SecretData = std::map<std::string, std::string, std::less<>>;  // key -> decoded bytes

std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);

// Decodes `data` (base64) and `stringData` of a Secret. A value that is not valid base64 is a
// kInvalidArgument error naming the Secret and the key.
Result<SecretData> ReadSecretData(const Json& secret);

// Identity of a Secret that vtguard writes.
struct SecretOwner {
  std::string policy;
  std::string cluster;    // Cluster name, or "" for a policy-wide or operator-wide Secret.
  std::string component;  // ca, vttablet, vtgate, vtctld, vtorc, trust-bundle, webhook.
};

// Builds a Secret with vtguard's labels, `annotations` and base64 `data`.
Json BuildSecret(std::string_view ns, std::string_view name, std::string_view type,
                 const SecretOwner& owner, const SecretData& data,
                 const std::map<std::string, std::string>& annotations);

// True when the Secret carries app.kubernetes.io/managed-by=vtguard.
bool IsManagedByVtguard(const Json& secret);

// Returns `current` with `desired`'s type, labels, the given annotations and data, so that an
// update keeps metadata vtguard does not own (other labels, owner references). Callers that
// no longer need `current` move it in to spare a copy.
Json MergeSecretForUpdate(Json current, const Json& desired);

}  // namespace vtguard::op
