#include "common/pki/renewal.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

namespace vtguard::pki {
namespace {

// FNV-1a, 64 bits: stable across runs, platforms and library versions, unlike std::hash.
uint64_t StableHash(std::string_view text, uint64_t seed = 0) {
  uint64_t hash = 14695981039346656037ULL ^ seed;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  // A final avalanche step so that names differing in the last byte spread over the range.
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdULL;
  hash ^= hash >> 33;
  return hash;
}

}  // namespace

SystemTime RenewalTime(SystemTime not_before, SystemTime not_after,
                       std::optional<Seconds> renew_before, std::string_view name) {
  Seconds lifetime = std::chrono::duration_cast<Seconds>(not_after - not_before);
  if (lifetime <= Seconds::zero()) return not_before;

  Seconds default_renew_before = lifetime / 3;
  Seconds before = renew_before.value_or(default_renew_before);
  if (before <= Seconds::zero() || before >= lifetime) before = default_renew_before;

  auto max_jitter = std::min(
      Seconds(static_cast<int64_t>(static_cast<double>(before.count()) * kRenewalJitterFraction)),
      kMaxRenewalJitter);
  uint64_t range = static_cast<uint64_t>(max_jitter.count()) + 1;
  Seconds jitter(static_cast<int64_t>(StableHash(name) % range));

  return std::max(not_after - before - jitter, not_before);
}

Seconds Backoff(int attempt, std::string_view name, const BackoffPolicy& policy) {
  attempt = std::max(attempt, 1);
  Seconds cap = std::max(policy.cap, Seconds::zero());
  Seconds delay = std::min(std::max(policy.base, Seconds::zero()), cap);
  // Doubling stops once the cap is reached, so large attempt numbers cannot overflow.
  for (int i = 1; i < attempt && delay < cap; ++i) delay = std::min(delay * 2, cap);

  double fraction = std::clamp(policy.jitter_fraction, 0.0, 1.0);
  uint64_t hash = StableHash(name, static_cast<uint64_t>(attempt));
  double unit = static_cast<double>(hash >> 11) / static_cast<double>(uint64_t{1} << 53);
  auto jitter = Seconds(static_cast<int64_t>(static_cast<double>(delay.count()) * fraction * unit));
  return delay - jitter;
}

}  // namespace vtguard::pki
