// `vtguard certs`: create a CA, issue, inspect and verify certificates on local files.
#include <ostream>

#include "cli/certs_internal.h"
#include "cli/commands.h"

namespace vtguard::cli {
namespace {

constexpr std::string_view kCertsUsage =
    "Usage: vtguard certs COMMAND [OPTIONS]\n\n"
    "Commands:\n"
    "  ca create   Create a CA (ca.crt, ca.key) in a folder.\n"
    "  issue       Issue a certificate for a Vitess component (tls.crt, tls.key, ca.crt).\n"
    "  inspect     Show the subject, names, usages, validity and renewal time of a "
    "certificate.\n"
    "  verify      Verify a certificate against a CA bundle.\n"
    "  demo        Create a CA and a vttablet certificate, verify it and print a report.\n\n"
    "Run 'vtguard certs COMMAND --help' for the options of a command.\n";

}  // namespace

int RunCertsCommand(const std::vector<std::string>& args, CommandIo io) {
  if (args.empty()) {
    io.err << kCertsUsage;
    return kExitUsage;
  }
  const std::string& command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "--help" || command == "-h" || command == "help") {
    io.out << kCertsUsage;
    return kExitOk;
  }
  if (command == "ca") {
    if (rest.empty() || rest[0] != "create") {
      io.err << "vtguard certs ca: expected 'ca create'; run 'vtguard certs ca create --help'\n";
      return kExitUsage;
    }
    return RunCertsCaCreate(std::vector<std::string>(rest.begin() + 1, rest.end()), io);
  }
  if (command == "issue") return RunCertsIssue(rest, io);
  if (command == "inspect") return RunCertsInspect(rest, io);
  if (command == "verify") return RunCertsVerify(rest, io);
  if (command == "demo") return RunCertsDemo(rest, io);
  io.err << "vtguard certs: unknown command \"" << command << "\"\n\n" << kCertsUsage;
  return kExitUsage;
}

}  // namespace vtguard::cli
