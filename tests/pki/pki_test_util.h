// Helpers shared by the certificate core tests: temporary folders, files and running the real
// openssl command-line tool.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "common/base/time.h"

namespace vtguard::pki::testing {

// A fixed start time for FakeClock: 2026-03-01T00:00:00Z.
inline SystemTime TestEpoch() { return std::chrono::system_clock::from_time_t(1772323200); }

// A fresh folder under the system temporary folder, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `contents` to `name` inside the folder and returns the full path.
  std::filesystem::path Write(const std::string& name, const std::string& contents) const;

 private:
  std::filesystem::path path_;
};

std::string ReadFile(const std::filesystem::path& path);

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together.
};

// Runs `command` with /bin/sh and returns its exit code and output.
CommandResult RunCommand(const std::string& command);

// "-attime <seconds>" for openssl verify at `time`.
std::string AtTime(SystemTime time);

}  // namespace vtguard::pki::testing
