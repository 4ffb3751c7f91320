#include "common/pki/openssl_error.h"

#include <openssl/err.h>

#include <string>

namespace vtguard::pki {

Status OpenSslError(std::string_view context, ErrorCode code) {
  std::string message(context);
  message += ": ";
  bool first = true;
  // Each entry is one frame of the failure, outermost last; all of them are kept because the
  // innermost one (e.g. "bad decrypt", "wrong tag") is usually the useful one.
  while (unsigned long error = ERR_get_error()) {
    char reason[256];
    ERR_error_string_n(error, reason, sizeof(reason));
    if (!first) message += "; ";
    message += reason;
    first = false;
  }
  if (first) message += "unknown OpenSSL error";
  return Status(code, std::move(message));
}

void ClearOpenSslErrors() { ERR_clear_error(); }

}  // namespace vtguard::pki
