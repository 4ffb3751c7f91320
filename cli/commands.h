// Entry points of the vtguard subcommands. Each returns the process exit code:
// 0 success, 1 findings (for check-like commands), 2 unusable input or a failed operation.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace vtguard::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

struct CommandIo {
  std::ostream& out;
  std::ostream& err;
};

// `vtguard certs ...`: create a CA, issue, inspect and verify certificates.
int RunCertsCommand(const std::vector<std::string>& args, CommandIo io);
// `vtguard check -f FILE...`: report TLS policy violations in Vitess manifests.
int RunCheckCommand(const std::vector<std::string>& args, CommandIo io);
// `vtguard inject -f FILE`: write manifests with the TLS configuration added.
int RunInjectCommand(const std::vector<std::string>& args, CommandIo io);

}  // namespace vtguard::cli
