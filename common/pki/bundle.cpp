#include "common/pki/bundle.h"

#include <algorithm>

namespace vtguard::pki {
namespace {

// The bundle order: older certificates first, ties broken by fingerprint.
bool ComesBefore(const Certificate& a, const Certificate& b) {
  if (a.NotBefore() != b.NotBefore()) return a.NotBefore() < b.NotBefore();
  return a.Sha256Fingerprint() < b.Sha256Fingerprint();
}

}  // namespace

Result<TrustBundle> TrustBundle::Parse(std::string_view pem) {
  TrustBundle bundle;
  if (pem.find_first_not_of(" \t\r\n") == std::string_view::npos) return bundle;
  VTG_ASSIGN_OR_RETURN(std::vector<Certificate> certificates, ParseCertificates(pem));
  for (const Certificate& cert : certificates) bundle.Add(cert);
  return bundle;
}

void TrustBundle::Add(const Certificate& certificate) {
  // X509_cmp compares the cached SHA-1 of the DER encoding, so equal means same bytes.
  if (std::find(certificates_.begin(), certificates_.end(), certificate) != certificates_.end()) {
    return;
  }
  auto position =
      std::upper_bound(certificates_.begin(), certificates_.end(), certificate, ComesBefore);
  certificates_.insert(position, certificate);
}

void TrustBundle::Merge(const TrustBundle& other) {
  for (const Certificate& cert : other.certificates_) Add(cert);
}

int TrustBundle::RemoveExpired(SystemTime now) {
  auto removed = std::erase_if(certificates_,
                               [now](const Certificate& cert) { return cert.NotAfter() < now; });
  return static_cast<int>(removed);
}

std::optional<Certificate> TrustBundle::FindSigner(const Certificate& leaf) const {
  for (const Certificate& cert : certificates_) {
    if (leaf.IsSignedBy(cert)) return cert;
  }
  return std::nullopt;
}

std::string TrustBundle::ToPem() const {
  std::string pem;
  for (const Certificate& cert : certificates_) pem += cert.ToPem();
  return pem;
}

}  // namespace vtguard::pki
