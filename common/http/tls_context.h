// The server-side TLS configuration every vtguard HTTPS listener uses.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "common/base/status.h"
#include "common/http/certificate_store.h"

namespace vtguard::http {

// Creates a server context that accepts TLS 1.2 and 1.3 only, with AEAD ciphers only
// (ECDHE with AES-GCM or ChaCha20-Poly1305 for TLS 1.2; the TLS 1.3 suites are all AEAD),
// no renegotiation and no compression. Certificates come from `store` on each handshake.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(CertificateStore& store);

}  // namespace vtguard::http
