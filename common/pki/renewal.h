// When to renew a certificate, and how long to wait after a failed issuance. Pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "common/base/time.h"

namespace vtguard::pki {

// The largest share of renewBefore that the per-name jitter moves the renewal time earlier.
inline constexpr double kRenewalJitterFraction = 0.1;
// An upper bound on that jitter whatever the lifetime.
inline constexpr Seconds kMaxRenewalJitter = std::chrono::hours(24);

// Returns the time at which a certificate valid from `not_before` to `not_after` is renewed:
// not_after - renew_before - jitter. `renew_before` defaults to a third of the lifetime. A
// renew_before that is not shorter than the lifetime (or not positive) is replaced by a third
// of the lifetime too, because a leaf capped by a short-lived CA would otherwise be re-issued
// in a loop. The jitter is a
// deterministic function of `name` in [0, min(kRenewalJitterFraction * renew_before,
// kMaxRenewalJitter)], so renewals of many certificates spread out but each name always gets
// the same time. The result is never before not_before.
SystemTime RenewalTime(SystemTime not_before, SystemTime not_after,
                       std::optional<Seconds> renew_before, std::string_view name);

struct BackoffPolicy {
  Seconds base = std::chrono::seconds(5);
  Seconds cap = std::chrono::minutes(10);
  // The largest share of the delay removed by jitter, in [0, 1].
  double jitter_fraction = 0.2;
};

// Returns the delay before retry number `attempt` (1 = the first retry) after a failed
// issuance: min(base * 2^(attempt-1), cap) minus a deterministic jitter derived from `name`
// and `attempt`. Never negative, never above the cap; attempt < 1 counts as 1.
Seconds Backoff(int attempt, std::string_view name = {}, const BackoffPolicy& policy = {});

}  // namespace vtguard::pki
