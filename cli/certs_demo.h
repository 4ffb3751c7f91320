// The first-run demonstration of `vtguard certs demo`, kept apart so a fuller end-to-end
// demonstration can replace or extend it.
#pragma once

#include <filesystem>

#include "cli/commands.h"

namespace vtguard::cli {

// Creates a CA and a vttablet certificate in `dir` (ca/ and vttablet/ inside it), verifies the
// certificate as a server for vttablet.vtguard.internal and prints a short report. Returns the
// process exit code.
int RunCertificateDemo(const std::filesystem::path& dir, bool force, CommandIo io);

}  // namespace vtguard::cli
