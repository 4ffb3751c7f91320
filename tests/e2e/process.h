// Child processes and waits for the end-to-end flow: the test API server, vtguard-operator
// and vtguard-webhook run as real processes, each stopped by its own PID.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace vtguard::e2e {

// A process started with fork/exec whose stdout and stderr go to one log file. The destructor
// stops it: SIGTERM, then SIGKILL after the stop timeout.
class ChildProcess {
 public:
  // Starts `binary` with `args`; output goes to `log_file` (appended).
  static Result<std::unique_ptr<ChildProcess>> Start(const std::string& binary,
                                                     const std::vector<std::string>& args,
                                                     const std::filesystem::path& log_file);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  const std::filesystem::path& log_file() const { return log_file_; }

  // True while the process has not exited. Reaps it when it has.
  bool IsRunning();

  // Sends SIGTERM and waits up to `timeout` for the exit, then sends SIGKILL.
  // Returns the exit code, or 128 + signal number.
  int Stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  ChildProcess(pid_t pid, std::filesystem::path log_file)
      : pid_(pid), log_file_(std::move(log_file)) {}

  pid_t pid_;
  std::filesystem::path log_file_;
  std::optional<int> exit_code_;
};

// Returns a TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then closed).
// Another process may take it before the caller binds it; callers retry on a bind failure.
Result<int> PickFreePort();

// True when a TCP connection to 127.0.0.1:`port` succeeds.
bool CanConnect(int port);

// Polls `condition` every `interval` until it returns true or `timeout` passes.
// DeadlineExceeded names `what` on timeout.
Status WaitFor(const std::string& what, const std::function<bool()>& condition,
               std::chrono::milliseconds timeout,
               std::chrono::milliseconds interval = std::chrono::milliseconds(100));

// Runs a command to completion (at most `timeout`) and returns its stdout. A non-zero exit is
// an error whose message holds the command's stderr (first 4 KiB).
Result<std::string> RunCommand(const std::vector<std::string>& argv,
                               std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Returns the last `max_bytes` of a log file, for failure messages.
std::string TailFile(const std::filesystem::path& path, size_t max_bytes = 4096);

}  // namespace vtguard::e2e
