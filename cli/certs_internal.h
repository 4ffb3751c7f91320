// Shared pieces of the `vtguard certs` subcommands. Internal to the CLI.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "common/base/status.h"
#include "common/pki/pki.h"

namespace vtguard::cli {

int RunCertsCaCreate(const std::vector<std::string>& args, CommandIo io);
int RunCertsIssue(const std::vector<std::string>& args, CommandIo io);
int RunCertsInspect(const std::vector<std::string>& args, CommandIo io);
int RunCertsVerify(const std::vector<std::string>& args, CommandIo io);
int RunCertsDemo(const std::vector<std::string>& args, CommandIo io);

// A file to write: its path, contents and permission bits.
struct OutputFile {
  std::filesystem::path path;
  std::string contents;
  std::filesystem::perms mode;
};

// Permission bits for private keys (0600) and for certificates (0644).
inline constexpr std::filesystem::perms kKeyFileMode =
    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
inline constexpr std::filesystem::perms kCertificateFileMode =
    kKeyFileMode | std::filesystem::perms::group_read | std::filesystem::perms::others_read;

// Fails with kAlreadyExists naming the first file that exists, unless `force` is set. Called
// before any key is generated so that nothing is written when one file would be overwritten.
Status CheckOverwrite(const std::vector<std::filesystem::path>& paths, bool force);

// Creates `dir` if needed, then writes each file through a temporary file in the same folder
// and a rename, so a reader never sees a partial file.
Status WriteFilesAtomically(const std::filesystem::path& dir, const std::vector<OutputFile>& files);

// Parses --algorithm and --size (defaults ECDSA and the algorithm's default size).
Result<pki::KeySpec> ParseKeyOptions(const ParsedArgs& args);

// Parses --duration as a Go duration, or returns `fallback` when it is absent.
Result<Seconds> ParseDurationOption(const ParsedArgs& args, Seconds fallback);

// Reads every certificate of a PEM file, or the one certificate of a DER file. Errors read
// "FILE: what is wrong; give a PEM or DER X.509 certificate" for `inspect` and `verify` alike.
Result<std::vector<pki::Certificate>> LoadCertificates(const std::filesystem::path& path);

// Prints "vtguard certs <command>: <message>" to io.err and returns kExitUsage.
int ReportError(CommandIo io, std::string_view command, const Status& status);

// Parses the options of one subcommand. After printing help or an error it returns nullopt
// and sets `exit_code`.
std::optional<ParsedArgs> ParseCommandArgs(const std::vector<std::string>& args,
                                           const std::vector<OptionSpec>& specs,
                                           std::string_view command, std::string_view usage,
                                           CommandIo io, int& exit_code);

}  // namespace vtguard::cli
