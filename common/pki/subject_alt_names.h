// Validation and encoding of subject alternative names. Internal to vtguard_pki.
#pragma once

#include "common/base/status.h"
#include "common/pki/issue.h"
#include "common/pki/openssl_handles.h"

namespace vtguard::pki {

// Encodes the DNS names, IP addresses and URIs of `request`; kInvalidArgument naming the first
// value that is not a valid DNS name, IP address or absolute URI.
Result<GeneralNamesPtr> BuildSubjectAltNames(const LeafRequest& request);

}  // namespace vtguard::pki
