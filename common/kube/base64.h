// Standard base64 (RFC 4648 with padding), as Secret data and caBundle fields use it.
#pragma once

#include <string>
#include <string_view>

#include "common/base/status.h"

namespace vtguard::kube {

std::string Base64Encode(std::string_view data);
// Rejects invalid characters and lengths; line breaks and spaces are skipped.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace vtguard::kube
