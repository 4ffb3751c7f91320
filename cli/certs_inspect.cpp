// `vtguard certs inspect` and `vtguard certs verify`.
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "cli/certs_internal.h"

namespace vtguard::cli {
namespace {

std::string Join(const std::vector<std::string>& values) {
  if (values.empty()) return "-";
  std::string joined;
  for (const std::string& value : values) joined += (joined.empty() ? "" : ", ") + value;
  return joined;
}

std::vector<std::string> UsageNames(const std::vector<pki::Usage>& usages) {
  std::vector<std::string> names;
  for (pki::Usage usage : usages) names.emplace_back(pki::UsageName(usage));
  return names;
}

// "in 89d 23h" or "2d 1h ago", for people reading a terminal.
std::string Relative(SystemTime when, SystemTime now) {
  auto seconds = std::chrono::duration_cast<Seconds>(when - now).count();
  bool past = seconds < 0;
  if (past) seconds = -seconds;
  std::ostringstream text;
  text << (past ? "" : "in ") << seconds / 86400 << "d " << (seconds % 86400) / 3600 << "h"
       << (past ? " ago" : "");
  return text.str();
}

nlohmann::json ToJson(const pki::Certificate& cert, SystemTime renewal, SystemTime now) {
  Result<pki::KeySpec> key = cert.PublicKeySpec();
  return {{"subject", cert.Subject()},
          {"issuer", cert.Issuer()},
          {"serial", cert.SerialHex()},
          {"not_before", FormatRfc3339(cert.NotBefore())},
          {"not_after", FormatRfc3339(cert.NotAfter())},
          {"renewal_time", FormatRfc3339(renewal)},
          {"seconds_until_renewal", std::chrono::duration_cast<Seconds>(renewal - now).count()},
          {"dns_names", cert.DnsNames()},
          {"ip_addresses", cert.IpAddresses()},
          {"uris", cert.Uris()},
          {"usages", UsageNames(cert.Usages())},
          {"key_usages", cert.KeyUsages()},
          {"key_algorithm", key.ok() ? pki::DescribeKeySpec(*key) : "unsupported"},
          {"is_ca", cert.IsCa()},
          {"sha256_fingerprint", cert.Sha256Fingerprint()}};
}

void PrintText(std::ostream& out, const pki::Certificate& cert, SystemTime renewal,
               SystemTime now) {
  Result<pki::KeySpec> key = cert.PublicKeySpec();
  out << "Subject:       " << cert.Subject() << "\n"
      << "Issuer:        " << cert.Issuer() << "\n"
      << "Serial:        " << cert.SerialHex() << "\n"
      << "Not before:    " << FormatRfc3339(cert.NotBefore()) << "\n"
      << "Not after:     " << FormatRfc3339(cert.NotAfter()) << " ("
      << Relative(cert.NotAfter(), now) << ")\n"
      << "Renewal time:  " << FormatRfc3339(renewal) << " (" << Relative(renewal, now) << ")\n"
      << "DNS names:     " << Join(cert.DnsNames()) << "\n"
      << "IP addresses:  " << Join(cert.IpAddresses()) << "\n"
      << "URIs:          " << Join(cert.Uris()) << "\n"
      << "Usages:        " << Join(UsageNames(cert.Usages())) << "\n"
      << "Key usages:    " << Join(cert.KeyUsages()) << "\n"
      << "Key:           " << (key.ok() ? pki::DescribeKeySpec(*key) : "unsupported") << "\n"
      << "CA:            " << (cert.IsCa() ? "yes" : "no") << "\n"
      << "SHA-256:       " << cert.Sha256Fingerprint() << "\n";
}

}  // namespace

int RunCertsInspect(const std::vector<std::string>& args, CommandIo io) {
  static const std::vector<OptionSpec> kSpecs = {
      {"output", "o", true, false, "Output format: text (default) or json."},
      {"renew-before", "", true, false,
       "Renewal window for the renewal time (Go duration); default a third of the lifetime."},
  };
  constexpr std::string_view kCommand = "inspect";
  int exit_code = kExitOk;
  std::optional<ParsedArgs> parsed =
      ParseCommandArgs(args, kSpecs, kCommand, "inspect FILE [OPTIONS]", io, exit_code);
  if (!parsed) return exit_code;
  if (parsed->positionals().size() != 1) {
    return ReportError(io, kCommand, InvalidArgument("give exactly one certificate file"));
  }
  std::string output = parsed->GetOr("output", "text");
  if (output != "text" && output != "json") {
    return ReportError(io, kCommand,
                       InvalidArgument("--output \"" + output + "\" is not text or json"));
  }
  std::optional<Seconds> renew_before;
  if (std::optional<std::string> text = parsed->Get("renew-before")) {
    Result<Seconds> parsed_duration = ParseDuration(*text);
    if (!parsed_duration.ok()) {
      return ReportError(io, kCommand,
                         InvalidArgument("--renew-before \"" + *text +
                                         "\" is not a duration; use hours, e.g. 720h"));
    }
    renew_before = *parsed_duration;
  }
  std::filesystem::path path(parsed->positionals()[0]);
  Result<std::vector<pki::Certificate>> certs = LoadCertificates(path);
  if (!certs.ok()) return ReportError(io, kCommand, certs.status());

  SystemTime now = RealClock::Get().Now();
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < certs->size(); ++i) {
    const pki::Certificate& cert = (*certs)[i];
    // The fingerprint names the certificate for the jitter, so repeated runs agree.
    SystemTime renewal =
        pki::RenewalTime(cert.NotBefore(), cert.NotAfter(), renew_before, cert.Sha256Fingerprint());
    if (output == "json") {
      list.push_back(ToJson(cert, renewal, now));
      continue;
    }
    if (i > 0) io.out << "\n";
    if (certs->size() > 1) io.out << "Certificate " << i + 1 << " of " << certs->size() << "\n";
    PrintText(io.out, cert, renewal, now);
  }
  if (output == "json") io.out << (list.size() == 1 ? list[0] : list).dump(2) << "\n";
  return kExitOk;
}

int RunCertsVerify(const std::vector<std::string>& args, CommandIo io) {
  static const std::vector<OptionSpec> kSpecs = {
      {"bundle", "", true, false, "PEM file with the trusted CA certificates."},
      {"server-name", "", true, false, "DNS name or IP address the certificate must carry."},
      {"usage", "", true, false, "Required usage: server or client."},
      {"crl", "", true, true, "PEM CRL to check revocation against (repeatable)."},
  };
  constexpr std::string_view kCommand = "verify";
  int exit_code = kExitOk;
  std::optional<ParsedArgs> parsed = ParseCommandArgs(
      args, kSpecs, kCommand, "verify --bundle FILE CERTIFICATE [OPTIONS]", io, exit_code);
  if (!parsed) return exit_code;
  std::optional<std::string> bundle_path = parsed->Get("bundle");
  if (!bundle_path) return ReportError(io, kCommand, InvalidArgument("--bundle is required"));
  if (parsed->positionals().size() != 1) {
    return ReportError(io, kCommand, InvalidArgument("give exactly one certificate file"));
  }
  pki::VerifyOptions options;
  options.server_name = parsed->Get("server-name");
  if (std::optional<std::string> usage = parsed->Get("usage")) {
    Result<pki::Usage> parsed_usage = pki::ParseUsage(*usage);
    if (!parsed_usage.ok()) return ReportError(io, kCommand, parsed_usage.status());
    options.usage = *parsed_usage;
  }
  for (const std::string& crl_path : parsed->GetAll("crl")) {
    Result<std::string> crl = pki::ReadPkiFile(crl_path);
    if (!crl.ok()) return ReportError(io, kCommand, crl.status());
    options.crl_pems.push_back(*crl);
  }
  Result<pki::TrustBundle> bundle = pki::LoadTrustBundleFile(*bundle_path);
  if (!bundle.ok()) return ReportError(io, kCommand, bundle.status());
  // The same loader as `certs inspect`, so that a bad file gets the same message; the first
  // certificate is the one verified.
  Result<std::vector<pki::Certificate>> chain = LoadCertificates(parsed->positionals()[0]);
  if (!chain.ok()) return ReportError(io, kCommand, chain.status());
  const pki::Certificate& leaf = chain->front();

  pki::VerifyResult result = pki::VerifyCertificate(leaf, *bundle, options, RealClock::Get());
  if (result.failure == pki::VerifyFailure::kInvalid && result.openssl_error == 0) {
    return ReportError(io, kCommand, InvalidArgument(result.message));
  }
  if (!result.ok()) {
    io.out << "INVALID (" << pki::VerifyFailureName(result.failure) << "): " << result.message
           << "\n";
    return kExitFindings;
  }
  std::optional<pki::Certificate> signer = bundle->FindSigner(leaf);
  io.out << "OK: " << leaf.Subject() << " is valid until " << FormatRfc3339(leaf.NotAfter());
  if (signer)
    io.out << ", issued by " << signer->Subject() << " (" << signer->Sha256Fingerprint() << ")";
  io.out << "\n";
  return kExitOk;
}

}  // namespace vtguard::cli
