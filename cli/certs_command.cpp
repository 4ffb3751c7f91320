#include <ostream>

#include "cli/commands.h"

namespace vtguard::cli {

int RunCertsCommand(const std::vector<std::string>&, CommandIo io) {
  io.err << "vtguard certs: not built yet\n";
  return kExitUsage;
}

}  // namespace vtguard::cli
