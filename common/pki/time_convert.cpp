#include "common/pki/time_convert.h"

#include <openssl/err.h>

#include <ctime>

#include "common/pki/openssl_error.h"

namespace vtguard::pki {

SystemTime Asn1TimeToSystemTime(const ASN1_TIME* time) {
  std::tm parts{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) {
    ERR_clear_error();
    return SystemTime{};
  }
  return std::chrono::system_clock::from_time_t(timegm(&parts));
}

Status SetAsn1Time(ASN1_TIME* target, SystemTime time) {
  if (ASN1_TIME_set(target, static_cast<time_t>(ToUnixSeconds(time))) == nullptr) {
    return OpenSslError("setting a certificate time");
  }
  return Status::Ok();
}

int64_t ToUnixSeconds(SystemTime time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

}  // namespace vtguard::pki
