// Conversion of OpenSSL's thread-local error queue into vtguard Status values.
#pragma once

#include <string_view>

#include "common/base/status.h"

namespace vtguard::pki {

// Drains the calling thread's OpenSSL error queue and returns a Status whose message is
// "<context>: <reason>; <reason>..." (or "<context>: unknown OpenSSL error" when the queue was
// empty). The queue is always left empty so that a later call reports only its own errors.
Status OpenSslError(std::string_view context, ErrorCode code = ErrorCode::kInternal);

// Empties the calling thread's OpenSSL error queue without reporting it.
void ClearOpenSslErrors();

}  // namespace vtguard::pki
