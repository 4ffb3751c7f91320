// Identifiers and timestamps the test API server assigns.
#pragma once

#include <string>

namespace vtguard::testing {

// A random RFC 4122 version 4 UUID.
std::string NewUuid();
// The current time as metav1.Time ("2026-12-04T10:00:00Z").
std::string NowRfc3339();
// A random suffix of `length` lower-case letters and digits, for generateName.
std::string RandomSuffix(size_t length);

}  // namespace vtguard::testing
