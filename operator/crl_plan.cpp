#include "operator/crl_plan.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <map>
#include <set>

#include "common/pki/openssl_handles.h"
#include "common/vitess/policy.h"

namespace vtguard::op {

namespace {

CrlDecision Sign(std::string reason) { return {true, std::move(reason)}; }

std::vector<std::string> NormalizedSerials(const pki::Crl& crl) {
  std::set<std::string> serials;
  for (const pki::RevokedSerial& revoked : crl.Revoked()) {
    if (auto serial = vitess::NormalizeSerial(revoked.serial_hex)) serials.insert(*serial);
  }
  return {serials.begin(), serials.end()};
}

// The earliest revocation date of each serial in `stored_pem`, by normalized serial.
std::map<std::string, SystemTime> StoredRevocationDates(std::string_view stored_pem) {
  std::map<std::string, SystemTime> dates;
  if (stored_pem.empty()) return dates;
  Result<std::vector<pki::Crl>> stored = pki::Crl::ParseAll(stored_pem);
  if (!stored.ok()) return dates;
  for (const pki::Crl& crl : *stored) {
    for (const pki::RevokedSerial& revoked : crl.Revoked()) {
      std::optional<std::string> serial = vitess::NormalizeSerial(revoked.serial_hex);
      if (!serial) continue;
      auto [it, inserted] = dates.emplace(*serial, revoked.revocation_time);
      if (!inserted) it->second = std::min(it->second, revoked.revocation_time);
    }
  }
  return dates;
}

// The highest cRLNumber of the CRLs in `pem`, or 0 when none can be read.
uint64_t HighestCrlNumber(std::string_view pem) {
  pki::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  uint64_t highest = 0;
  while (pki::X509CrlPtr crl{PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)}) {
    pki::Asn1IntegerPtr number(static_cast<ASN1_INTEGER*>(
        X509_CRL_get_ext_d2i(crl.get(), NID_crl_number, nullptr, nullptr)));
    uint64_t value = 0;
    if (number != nullptr && ASN1_INTEGER_get_uint64(&value, number.get()) == 1) {
      highest = std::max(highest, value);
    }
  }
  ERR_clear_error();
  return highest;
}

}  // namespace

std::vector<pki::CertifiedKey> CrlSigners(const CaMaterial& ca) {
  std::vector<pki::CertifiedKey> signers = {ca.signer};
  if (ca.next) signers.push_back(*ca.next);
  return signers;
}

CrlDecision DecideCrl(std::string_view stored_pem, const std::vector<pki::CertifiedKey>& signers,
                      const std::vector<std::string>& serials, Seconds renew_before,
                      SystemTime now) {
  if (stored_pem.empty()) return Sign("DoesNotExist");
  Result<std::vector<pki::Crl>> stored = pki::Crl::ParseAll(stored_pem);
  if (!stored.ok()) return Sign("InvalidData");
  if (stored->size() != signers.size()) return Sign("SignersChanged");
  for (const pki::CertifiedKey& signer : signers) {
    auto crl = std::find_if(stored->begin(), stored->end(), [&](const pki::Crl& candidate) {
      return candidate.IsSignedBy(signer.certificate);
    });
    if (crl == stored->end()) return Sign("SignersChanged");
    if (NormalizedSerials(*crl) != serials) return Sign("SerialsChanged");
    std::optional<SystemTime> next_update = crl->NextUpdate();
    if (!next_update || now >= *next_update - renew_before) return Sign("Renewing");
  }
  return {};
}

Result<std::string> SignCrlPem(std::string_view stored_pem,
                               const std::vector<pki::CertifiedKey>& signers,
                               const std::vector<std::string>& serials, Seconds validity,
                               const Clock& clock) {
  const SystemTime now = clock.Now();
  std::map<std::string, SystemTime> dates = StoredRevocationDates(stored_pem);
  pki::CrlOptions options;
  options.validity = validity;
  // RFC 5280 wants the number to grow with every CRL of a CA, also within one second.
  const auto unix_seconds = static_cast<uint64_t>(std::max<std::int64_t>(
      1, std::chrono::duration_cast<Seconds>(now.time_since_epoch()).count()));
  options.crl_number = std::max(unix_seconds, HighestCrlNumber(stored_pem) + 1);
  for (const std::string& serial : serials) {
    auto stored = dates.find(serial);
    options.revoked.push_back({serial, stored != dates.end() ? stored->second : now});
  }
  std::string pem;
  for (const pki::CertifiedKey& signer : signers) {
    Result<std::string> crl = pki::CreateCrlPem(signer, options, clock);
    if (!crl.ok()) {
      return crl.status().WithContext("signing the CRL of CA " + signer.certificate.Subject());
    }
    pem += *crl;
  }
  return pem;
}

std::optional<SystemTime> CrlRenewalTime(std::string_view pem, Seconds renew_before) {
  Result<std::vector<pki::Crl>> crls = pki::Crl::ParseAll(pem);
  if (!crls.ok()) return std::nullopt;
  std::optional<SystemTime> earliest;
  for (const pki::Crl& crl : *crls) {
    std::optional<SystemTime> next_update = crl.NextUpdate();
    if (!next_update) return std::nullopt;
    if (!earliest || *next_update < *earliest) earliest = *next_update;
  }
  if (!earliest) return std::nullopt;
  return *earliest - renew_before;
}

bool IsRevoked(const pki::Certificate& certificate, const std::vector<std::string>& serials) {
  std::optional<std::string> serial = vitess::NormalizeSerial(certificate.SerialHex());
  return serial && std::binary_search(serials.begin(), serials.end(), *serial);
}

}  // namespace vtguard::op
