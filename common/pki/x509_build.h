// Helpers that issue.cpp and crl.cpp share to build and sign X.509 objects. Internal to
// vtguard_pki.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <string>
#include <string_view>

#include "common/base/status.h"
#include "common/pki/key.h"
#include "common/pki/openssl_handles.h"

namespace vtguard::pki {

// A random positive serial of 128 bits (RFC 5280 allows up to 20 octets; the top bit is cleared
// so the DER integer is positive).
Result<Asn1IntegerPtr> RandomSerial();

// The digest to sign with for a key: SHA-384 for P-384, none for Ed25519 (it hashes
// internally), SHA-256 otherwise.
const EVP_MD* SigningDigest(const PrivateKey& key);

// Builds a name from optional CN, O and OU values (empty values are left out).
Result<X509NamePtr> BuildName(std::string_view common_name, std::string_view organization,
                              std::string_view organizational_unit);

// Adds an extension from its OpenSSL configuration value, e.g. (NID_basic_constraints,
// "critical,CA:TRUE,pathlen:0"). `context` names the issuer and subject for key identifiers.
Status AddExtension(X509* cert, X509V3_CTX& context, int nid, const char* value);

}  // namespace vtguard::pki
