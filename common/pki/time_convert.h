// Conversions between ASN1_TIME and SystemTime (whole seconds, UTC). Internal to vtguard_pki.
#pragma once

#include <openssl/asn1.h>

#include "common/base/status.h"
#include "common/base/time.h"

namespace vtguard::pki {

// The time in `time`, or the epoch when OpenSSL cannot read it.
SystemTime Asn1TimeToSystemTime(const ASN1_TIME* time);
// Sets `target` to `time` (UTCTime before 2050, GeneralizedTime after, as RFC 5280 requires).
Status SetAsn1Time(ASN1_TIME* target, SystemTime time);
// Seconds since the Unix epoch.
int64_t ToUnixSeconds(SystemTime time);

}  // namespace vtguard::pki
