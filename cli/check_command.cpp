#include <ostream>

#include "cli/commands.h"

namespace vtguard::cli {

int RunCheckCommand(const std::vector<std::string>&, CommandIo io) {
  io.err << "vtguard check: not built yet\n";
  return kExitUsage;
}

int RunInjectCommand(const std::vector<std::string>&, CommandIo io) {
  io.err << "vtguard inject: not built yet\n";
  return kExitUsage;
}

}  // namespace vtguard::cli
