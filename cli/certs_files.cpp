#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>

#include "cli/certs_internal.h"

namespace vtguard::cli {
namespace {

Status WriteOneFile(const OutputFile& file) {
  std::string pattern = file.path.string() + ".tmp-XXXXXX";
  int fd = mkstemp(pattern.data());
  if (fd < 0) {
    return Unavailable("cannot create a temporary file next to " + file.path.string() + ": " +
                       std::strerror(errno) + "; check that the folder is writable");
  }
  bool ok = fchmod(fd, static_cast<mode_t>(file.mode)) == 0;
  size_t written = 0;
  while (ok && written < file.contents.size()) {
    ssize_t n = write(fd, file.contents.data() + written, file.contents.size() - written);
    if (n <= 0) {
      ok = false;
      break;
    }
    written += static_cast<size_t>(n);
  }
  ok = ok && fsync(fd) == 0;
  int saved_errno = errno;
  ok = close(fd) == 0 && ok;
  if (ok && std::rename(pattern.c_str(), file.path.c_str()) == 0) return Status::Ok();
  saved_errno = saved_errno != 0 ? saved_errno : errno;
  unlink(pattern.c_str());
  return Unavailable("cannot write " + file.path.string() + ": " + std::strerror(saved_errno));
}

}  // namespace

Status CheckOverwrite(const std::vector<std::filesystem::path>& paths, bool force) {
  if (force) return Status::Ok();
  for (const std::filesystem::path& path : paths) {
    std::error_code error;
    if (std::filesystem::exists(path, error)) {
      return AlreadyExists(path.string() +
                           " already exists; nothing was written. Pass --force to replace it");
    }
  }
  return Status::Ok();
}

Status WriteFilesAtomically(const std::filesystem::path& dir,
                            const std::vector<OutputFile>& files) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return Unavailable("cannot create the folder " + dir.string() + ": " + error.message());
  }
  for (const OutputFile& file : files) VTG_RETURN_IF_ERROR(WriteOneFile(file));
  return Status::Ok();
}

Result<pki::KeySpec> ParseKeyOptions(const ParsedArgs& args) {
  std::string algorithm = args.GetOr("algorithm", "ECDSA");
  int size = 0;
  if (std::optional<std::string> text = args.Get("size")) {
    try {
      size_t used = 0;
      size = std::stoi(*text, &used);
      if (used != text->size()) throw std::invalid_argument(*text);
    } catch (const std::exception&) {
      return InvalidArgument("--size \"" + *text + "\" is not a number of bits, e.g. 256");
    }
  }
  Result<pki::KeySpec> spec = pki::ParseKeySpec(algorithm, size);
  if (!spec.ok()) return spec.status().WithContext("--algorithm/--size");
  return spec;
}

Result<Seconds> ParseDurationOption(const ParsedArgs& args, Seconds fallback) {
  std::optional<std::string> text = args.Get("duration");
  if (!text) return fallback;
  Result<Seconds> duration = ParseDuration(*text);
  if (!duration.ok()) {
    return InvalidArgument("--duration \"" + *text + "\" is not a duration; use hours, e.g. 2160h");
  }
  if (*duration <= Seconds::zero()) return InvalidArgument("--duration must be positive");
  return duration;
}

int ReportError(CommandIo io, std::string_view command, const Status& status) {
  io.err << "vtguard certs " << command << ": " << status.message() << "\n";
  return kExitUsage;
}

std::optional<ParsedArgs> ParseCommandArgs(const std::vector<std::string>& args,
                                           const std::vector<OptionSpec>& specs,
                                           std::string_view command, std::string_view usage,
                                           CommandIo io, int& exit_code) {
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      io.out << "Usage: vtguard certs " << usage << "\n\nOptions:\n" << FormatOptions(specs);
      exit_code = kExitOk;
      return std::nullopt;
    }
  }
  Result<ParsedArgs> parsed = ParseArgs(args, specs);
  if (!parsed.ok()) {
    exit_code = ReportError(io, command, parsed.status());
    return std::nullopt;
  }
  return *parsed;
}

Result<std::vector<pki::Certificate>> LoadCertificates(const std::filesystem::path& path) {
  VTG_ASSIGN_OR_RETURN(std::string data, pki::ReadPkiFile(path));
  Status error;
  if (data.find("-----BEGIN") != std::string::npos) {
    Result<std::vector<pki::Certificate>> certs = pki::ParseCertificates(data);
    if (certs.ok()) return certs;
    error = certs.status();
  } else {
    Result<pki::Certificate> der = pki::Certificate::FromDer(data);
    if (der.ok()) return std::vector<pki::Certificate>{*der};
    error = der.status();
  }
  return InvalidArgument(path.string() + ": " + error.message() +
                         "; give a PEM or DER X.509 certificate");
}

}  // namespace vtguard::cli
