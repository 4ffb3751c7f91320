#include "cli/certs_demo.h"

#include <stdlib.h>

#include <ostream>

#include "cli/certs_internal.h"

namespace vtguard::cli {
namespace {

constexpr std::string_view kCommand = "demo";
constexpr const char* kServerName = "vttablet.vtguard.internal";

Result<std::filesystem::path> MakeTempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "vtguard-demo-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return Unavailable("cannot create a temporary folder; give one with --out-dir");
  }
  return std::filesystem::path(pattern);
}

}  // namespace

int RunCertificateDemo(const std::filesystem::path& dir, bool force, CommandIo io) {
  const Clock& clock = RealClock::Get();
  std::filesystem::path ca_dir = dir / "ca";
  std::filesystem::path tablet_dir = dir / "vttablet";
  Status free = CheckOverwrite({ca_dir / "ca.crt", ca_dir / "ca.key", tablet_dir / "tls.crt",
                                tablet_dir / "tls.key", tablet_dir / "ca.crt"},
                               force);
  if (!free.ok()) return ReportError(io, kCommand, free);

  Result<pki::CertifiedKey> ca = pki::CreateCa({}, clock);
  if (!ca.ok()) return ReportError(io, kCommand, ca.status());
  pki::LeafRequest request{.common_name = "vttablet",
                           .organization = "vtguard",
                           .dns_names = {kServerName},
                           .usages = {pki::Usage::kServer, pki::Usage::kClient}};
  Result<pki::CertifiedKey> leaf = pki::IssueLeaf(*ca, request, clock);
  if (!leaf.ok()) return ReportError(io, kCommand, leaf.status());
  Result<std::string> ca_key = ca->key.ToPkcs8Pem();
  Result<std::string> leaf_key = leaf->key.ToPkcs8Pem();
  if (!ca_key.ok()) return ReportError(io, kCommand, ca_key.status());
  if (!leaf_key.ok()) return ReportError(io, kCommand, leaf_key.status());
  Status written = WriteFilesAtomically(
      ca_dir, {{ca_dir / "ca.key", *ca_key, kKeyFileMode},
               {ca_dir / "ca.crt", ca->certificate.ToPem(), kCertificateFileMode}});
  if (written.ok()) {
    written = WriteFilesAtomically(
        tablet_dir, {{tablet_dir / "tls.key", *leaf_key, kKeyFileMode},
                     {tablet_dir / "tls.crt", leaf->certificate.ToPem(), kCertificateFileMode},
                     {tablet_dir / "ca.crt", ca->certificate.ToPem(), kCertificateFileMode}});
  }
  if (!written.ok()) return ReportError(io, kCommand, written);

  pki::TrustBundle bundle;
  bundle.Add(ca->certificate);
  pki::VerifyResult result = pki::VerifyCertificate(
      leaf->certificate, bundle, {.server_name = kServerName, .usage = pki::Usage::kServer}, clock);
  const pki::Certificate& cert = leaf->certificate;
  io.out << "vtguard certificate demo in " << dir.string() << "\n\n"
         << "CA:           " << ca->certificate.Subject() << " ("
         << pki::DescribeKeySpec(ca->key.spec()) << ")\n"
         << "Certificate:  " << cert.Subject() << " (" << pki::DescribeKeySpec(leaf->key.spec())
         << ")\n"
         << "DNS names:    " << cert.DnsNames().front() << "\n"
         << "Usages:       server, client\n"
         << "Expires:      " << FormatRfc3339(cert.NotAfter()) << "\n"
         << "Renewal time: "
         << FormatRfc3339(
                pki::RenewalTime(cert.NotBefore(), cert.NotAfter(), std::nullopt, "vttablet"))
         << "\n"
         << "Verification: "
         << (result.ok() ? std::string("OK as a server for ") + kServerName
                         : "FAILED (" + std::string(pki::VerifyFailureName(result.failure)) +
                               "): " + result.message)
         << "\n\nFiles: " << (ca_dir / "ca.crt").string() << ", " << (ca_dir / "ca.key").string()
         << ",\n       " << (tablet_dir / "tls.crt").string() << ", "
         << (tablet_dir / "tls.key").string() << ", " << (tablet_dir / "ca.crt").string()
         << "\nNext: vtguard certs inspect " << (tablet_dir / "tls.crt").string() << "\n";
  return result.ok() ? kExitOk : kExitFindings;
}

int RunCertsDemo(const std::vector<std::string>& args, CommandIo io) {
  static const std::vector<OptionSpec> kSpecs = {
      {"out-dir", "", true, false, "Folder for the files (default: a new temporary folder)."},
      {"force", "", false, false, "Replace existing files."},
  };
  int exit_code = kExitOk;
  std::optional<ParsedArgs> parsed =
      ParseCommandArgs(args, kSpecs, kCommand, "demo [--out-dir DIR]", io, exit_code);
  if (!parsed) return exit_code;
  std::filesystem::path dir;
  if (std::optional<std::string> out_dir = parsed->Get("out-dir")) {
    dir = *out_dir;
  } else {
    Result<std::filesystem::path> temp = MakeTempDir();
    if (!temp.ok()) return ReportError(io, kCommand, temp.status());
    dir = *temp;
  }
  return RunCertificateDemo(dir, parsed->Has("force"), io);
}

}  // namespace vtguard::cli
