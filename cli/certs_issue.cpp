// `vtguard certs ca create` and `vtguard certs issue`.
#include <algorithm>
#include <ostream>

#include "cli/certs_internal.h"

namespace vtguard::cli {
namespace {

const std::vector<OptionSpec>& KeyOptionSpecs() {
  static const std::vector<OptionSpec> kSpecs = {
      {"algorithm", "", true, false, "Key algorithm: ECDSA (default), RSA or Ed25519."},
      {"size", "", true, false,
       "Key size in bits: 256 or 384 for ECDSA (default 256), 2048, 3072 or 4096 for RSA."},
      {"force", "", false, false, "Replace existing files."},
  };
  return kSpecs;
}

std::vector<OptionSpec> WithKeyOptions(std::vector<OptionSpec> specs) {
  specs.insert(specs.end(), KeyOptionSpecs().begin(), KeyOptionSpecs().end());
  return specs;
}

// The names and usages each component gets unless command-line options override them.
struct ComponentDefaults {
  std::string_view name;
  std::vector<pki::Usage> usages;
  std::vector<std::string> dns_names;
};

const std::vector<ComponentDefaults>& Components() {
  using pki::Usage;
  static const std::vector<ComponentDefaults> kComponents = {
      {"vttablet", {Usage::kServer, Usage::kClient}, {"vttablet.vtguard.internal"}},
      {"vtgate", {Usage::kClient}, {}},
      {"vtctld", {Usage::kClient}, {}},
      {"vtorc", {Usage::kClient}, {}},
      {"webhook", {Usage::kServer}, {}},
  };
  return kComponents;
}

Result<pki::LeafRequest> BuildLeafRequest(const ParsedArgs& args) {
  std::optional<std::string> component = args.Get("component");
  if (!component) {
    return InvalidArgument("--component is required: vttablet, vtgate, vtctld, vtorc or webhook");
  }
  auto found = std::find_if(Components().begin(), Components().end(),
                            [&](const ComponentDefaults& c) { return c.name == *component; });
  if (found == Components().end()) {
    return InvalidArgument("unknown --component \"" + *component +
                           "\"; allowed: vttablet, vtgate, vtctld, vtorc, webhook");
  }
  pki::LeafRequest request;
  request.common_name = *component;
  request.organization = "vtguard";
  request.dns_names = found->dns_names;
  for (const std::string& dns : args.GetAll("dns")) {
    if (std::find(request.dns_names.begin(), request.dns_names.end(), dns) ==
        request.dns_names.end()) {
      request.dns_names.push_back(dns);
    }
  }
  request.ip_addresses = args.GetAll("ip");
  request.uris = args.GetAll("uri");
  request.usages = found->usages;
  if (args.Has("usage")) {
    request.usages.clear();
    for (const std::string& text : args.GetAll("usage")) {
      VTG_ASSIGN_OR_RETURN(pki::Usage usage, pki::ParseUsage(text));
      if (std::find(request.usages.begin(), request.usages.end(), usage) == request.usages.end()) {
        request.usages.push_back(usage);
      }
    }
  }
  if (*component == "webhook" && request.dns_names.empty() && request.ip_addresses.empty()) {
    return InvalidArgument(
        "the webhook certificate needs the Service name its clients dial; give --dns "
        "vtguard-webhook.NAMESPACE.svc");
  }
  VTG_ASSIGN_OR_RETURN(request.key, ParseKeyOptions(args));
  VTG_ASSIGN_OR_RETURN(request.duration, ParseDurationOption(args, pki::kDefaultLeafDuration));
  return request;
}

}  // namespace

int RunCertsCaCreate(const std::vector<std::string>& args, CommandIo io) {
  static const std::vector<OptionSpec> kSpecs = WithKeyOptions({
      {"out-dir", "", true, false, "Folder to write ca.crt and ca.key to (created if missing)."},
      {"common-name", "", true, false, "Subject common name of the CA (default vtguard-ca)."},
      {"duration", "", true, false, "CA lifetime as a Go duration (default 87600h)."},
  });
  constexpr std::string_view kCommand = "ca create";
  int exit_code = kExitOk;
  std::optional<ParsedArgs> parsed =
      ParseCommandArgs(args, kSpecs, kCommand, "ca create --out-dir DIR [OPTIONS]", io, exit_code);
  if (!parsed) return exit_code;
  if (!parsed->positionals().empty()) {
    return ReportError(io, kCommand,
                       InvalidArgument("unexpected argument \"" + parsed->positionals()[0] +
                                       "\"; give the folder with --out-dir"));
  }
  std::optional<std::string> out_dir = parsed->Get("out-dir");
  if (!out_dir) return ReportError(io, kCommand, InvalidArgument("--out-dir is required"));

  pki::CaOptions options;
  options.common_name = parsed->GetOr("common-name", options.common_name);
  Result<pki::KeySpec> key = ParseKeyOptions(*parsed);
  if (!key.ok()) return ReportError(io, kCommand, key.status());
  options.key = *key;
  Result<Seconds> duration = ParseDurationOption(*parsed, pki::kDefaultCaDuration);
  if (!duration.ok()) return ReportError(io, kCommand, duration.status());
  options.duration = *duration;

  std::filesystem::path dir(*out_dir);
  Status free = CheckOverwrite({dir / "ca.crt", dir / "ca.key"}, parsed->Has("force"));
  if (!free.ok()) return ReportError(io, kCommand, free);

  Result<pki::CertifiedKey> ca = pki::CreateCa(options, RealClock::Get());
  if (!ca.ok()) return ReportError(io, kCommand, ca.status());
  Result<std::string> key_pem = ca->key.ToPkcs8Pem();
  if (!key_pem.ok()) return ReportError(io, kCommand, key_pem.status());
  Status written =
      WriteFilesAtomically(dir, {{dir / "ca.key", *key_pem, kKeyFileMode},
                                 {dir / "ca.crt", ca->certificate.ToPem(), kCertificateFileMode}});
  if (!written.ok()) return ReportError(io, kCommand, written);

  io.out << "Created CA " << ca->certificate.Subject() << " ("
         << pki::DescribeKeySpec(ca->key.spec()) << ", expires "
         << FormatRfc3339(ca->certificate.NotAfter()) << ")\n"
         << "  " << (dir / "ca.crt").string() << "\n"
         << "  " << (dir / "ca.key").string() << " (mode 0600)\n";
  return kExitOk;
}

int RunCertsIssue(const std::vector<std::string>& args, CommandIo io) {
  static const std::vector<OptionSpec> kSpecs = WithKeyOptions({
      {"ca-dir", "", true, false, "Folder with ca.crt and ca.key."},
      {"component", "", true, false, "vttablet, vtgate, vtctld, vtorc or webhook."},
      {"out-dir", "", true, false, "Folder to write tls.crt, tls.key and ca.crt to."},
      {"dns", "", true, true,
       "DNS name to add (repeatable); vttablet always has vttablet.vtguard.internal."},
      {"ip", "", true, true, "IP address to add (repeatable)."},
      {"uri", "", true, true, "URI to add (repeatable)."},
      {"usage", "", true, true,
       "server or client (repeatable); replaces the component's default usages."},
      {"duration", "", true, false,
       "Certificate lifetime as a Go duration (default 2160h), capped at the CA's expiry."},
  });
  constexpr std::string_view kCommand = "issue";
  int exit_code = kExitOk;
  std::optional<ParsedArgs> parsed = ParseCommandArgs(
      args, kSpecs, kCommand, "issue --ca-dir DIR --component NAME --out-dir DIR [OPTIONS]", io,
      exit_code);
  if (!parsed) return exit_code;
  std::optional<std::string> ca_dir = parsed->Get("ca-dir");
  std::optional<std::string> out_dir = parsed->Get("out-dir");
  if (!ca_dir) return ReportError(io, kCommand, InvalidArgument("--ca-dir is required"));
  if (!out_dir) return ReportError(io, kCommand, InvalidArgument("--out-dir is required"));
  Result<pki::LeafRequest> request = BuildLeafRequest(*parsed);
  if (!request.ok()) return ReportError(io, kCommand, request.status());
  Status valid = pki::ValidateLeafRequest(*request);
  if (!valid.ok()) return ReportError(io, kCommand, valid);

  std::filesystem::path ca_path(*ca_dir);
  Result<pki::CertifiedKey> ca = pki::LoadCertifiedKeyFiles(ca_path / "ca.crt", ca_path / "ca.key");
  if (!ca.ok()) return ReportError(io, kCommand, ca.status());
  if (!ca->certificate.IsCa()) {
    return ReportError(io, kCommand,
                       InvalidArgument((ca_path / "ca.crt").string() +
                                       ": not a CA certificate; create one with 'vtguard certs "
                                       "ca create'"));
  }
  std::filesystem::path dir(*out_dir);
  Status free =
      CheckOverwrite({dir / "tls.crt", dir / "tls.key", dir / "ca.crt"}, parsed->Has("force"));
  if (!free.ok()) return ReportError(io, kCommand, free);

  Result<pki::CertifiedKey> leaf = pki::IssueLeaf(*ca, *request, RealClock::Get());
  if (!leaf.ok()) return ReportError(io, kCommand, leaf.status());
  Result<std::string> key_pem = leaf->key.ToPkcs8Pem();
  if (!key_pem.ok()) return ReportError(io, kCommand, key_pem.status());
  Status written =
      WriteFilesAtomically(dir, {{dir / "tls.key", *key_pem, kKeyFileMode},
                                 {dir / "tls.crt", leaf->certificate.ToPem(), kCertificateFileMode},
                                 {dir / "ca.crt", ca->certificate.ToPem(), kCertificateFileMode}});
  if (!written.ok()) return ReportError(io, kCommand, written);

  io.out << "Issued " << leaf->certificate.Subject() << " ("
         << pki::DescribeKeySpec(leaf->key.spec()) << ", expires "
         << FormatRfc3339(leaf->certificate.NotAfter()) << ")\n"
         << "  " << (dir / "tls.crt").string() << "\n"
         << "  " << (dir / "tls.key").string() << " (mode 0600)\n"
         << "  " << (dir / "ca.crt").string() << "\n";
  if (leaf->certificate.NotAfter() == ca->certificate.NotAfter()) {
    io.out << "NOTE: the lifetime was shortened to the CA's expiry; renew the CA.\n";
  }
  return kExitOk;
}

}  // namespace vtguard::cli
