// vtguard: the command-line tool. Runs the same certificate, check and injection code as the
// operator and the webhook, on local files, with no cluster.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace {

struct Subcommand {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>&, vtguard::cli::CommandIo);
};

constexpr Subcommand kSubcommands[] = {
    {"certs", "Create a CA, issue, inspect and verify certificates.",
     vtguard::cli::RunCertsCommand},
    {"check", "Report TLS policy violations in Vitess manifests.", vtguard::cli::RunCheckCommand},
    {"inject", "Write Vitess manifests with the TLS configuration added.",
     vtguard::cli::RunInjectCommand},
};

void PrintUsage(std::ostream& out) {
  out << "Usage: vtguard COMMAND [OPTIONS]\n\n"
         "vtguard secures Vitess gRPC traffic with TLS. Commands:\n";
  for (const Subcommand& sub : kSubcommands) {
    std::string name = sub.name;
    out << "  " << name << std::string(10 - name.size(), ' ') << sub.summary << "\n";
  }
  out << "\nRun 'vtguard COMMAND --help' for the options of a command.\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintUsage(args.empty() ? std::cerr : std::cout);
    return args.empty() ? vtguard::cli::kExitUsage : vtguard::cli::kExitOk;
  }
  for (const Subcommand& sub : kSubcommands) {
    if (args[0] == sub.name) {
      std::vector<std::string> rest(args.begin() + 1, args.end());
      try {
        return sub.run(rest, vtguard::cli::CommandIo{std::cout, std::cerr});
      } catch (const std::exception& error) {
        // Every input fault has its own message, so reaching this is a bug in vtguard.
        std::cout.flush();
        std::cerr
            << "vtguard " << sub.name << ": internal error: " << error.what()
            << "\nThis is a bug in vtguard; please report it with the input that caused it.\n";
        return vtguard::cli::kExitUsage;
      }
    }
  }
  std::cerr << "vtguard: unknown command \"" << args[0] << "\"\n\n";
  PrintUsage(std::cerr);
  return vtguard::cli::kExitUsage;
}
