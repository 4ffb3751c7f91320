// libFuzzer target over the certificate, key and bundle parsers: any input must give a value
// or an error, never a crash, leak or hang. Parsed values are read back through every accessor.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/pki/pki.h"

namespace {

void ReadEveryField(const vtguard::pki::Certificate& cert) {
  (void)cert.Subject();
  (void)cert.Issuer();
  (void)cert.CommonName();
  (void)cert.DnsNames();
  (void)cert.IpAddresses();
  (void)cert.Uris();
  (void)cert.Usages();
  (void)cert.KeyUsages();
  (void)cert.SerialHex();
  (void)cert.NotBefore();
  (void)cert.NotAfter();
  (void)cert.Sha256Fingerprint();
  (void)cert.IsCa();
  (void)cert.PublicKeySpec().ok();
  (void)cert.ToPem();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  vtguard::pki::ClearOpenSslErrors();

  if (auto cert = vtguard::pki::Certificate::Parse(input); cert.ok()) ReadEveryField(*cert);
  if (auto bundle = vtguard::pki::TrustBundle::Parse(input); bundle.ok()) {
    for (const auto& cert : bundle->certificates()) ReadEveryField(cert);
    (void)bundle->ToPem();
  }
  if (auto key = vtguard::pki::PrivateKey::FromPem(input); key.ok()) {
    (void)key->ToPkcs8Pem().ok();
  }
  if (auto key = vtguard::pki::PrivateKey::FromDer(input); key.ok()) {
    (void)key->ToPkcs8Pem().ok();
  }
  return 0;
}
