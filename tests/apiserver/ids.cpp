#include "tests/apiserver/ids.h"

#include <openssl/rand.h>

#include <cstdio>

#include "common/base/time.h"

namespace vtguard::testing {

std::string NewUuid() {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof(bytes));
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);
  char text[37];
  std::snprintf(text, sizeof(text),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
  return text;
}

std::string NowRfc3339() { return FormatRfc3339(RealClock::Get().Now()); }

std::string RandomSuffix(size_t length) {
  static const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  unsigned char byte = 0;
  for (size_t i = 0; i < length; ++i) {
    RAND_bytes(&byte, 1);
    out += kAlphabet[byte % (sizeof(kAlphabet) - 1)];
  }
  return out;
}

}  // namespace vtguard::testing
