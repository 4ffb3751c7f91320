// The test API server as a separate process (`vtguard-test-apiserver`), so that the benchmark
// process holds only the operator: its RSS is the operator's, as it would be in a cluster.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace vtguard::op::bench {

// Writes counted in the server's request log (create, update and patch requests).
struct RequestCounts {
  std::int64_t object_writes = 0;  // Every resource but Events.
  std::int64_t event_writes = 0;
};

class ApiServerProcess {
 public:
  // Starts `binary` with `--apply` for each file (in order) and waits up to 120 s until it
  // serves. Its kubeconfig, request log and output go to `work_dir`.
  static Result<std::unique_ptr<ApiServerProcess>> Start(
      const std::string& binary, const std::filesystem::path& work_dir,
      const std::vector<std::filesystem::path>& apply_files);
  ApiServerProcess(const ApiServerProcess&) = delete;
  ApiServerProcess& operator=(const ApiServerProcess&) = delete;
  // Stops the server by its PID: SIGTERM, then SIGKILL after 10 s.
  ~ApiServerProcess();

  const std::filesystem::path& kubeconfig() const { return kubeconfig_; }
  pid_t pid() const { return pid_; }

  // Asks the server for its request log (SIGUSR1) and counts the writes in it. The log is
  // parsed as a stream, so this adds no more than a few KiB to the caller's memory.
  Result<RequestCounts> CountWrites();
  // The server's peak RSS (VmHWM) in KiB, or -1 when it cannot be read.
  long PeakRssKib() const;

 private:
  ApiServerProcess(pid_t pid, std::filesystem::path work_dir);

  pid_t pid_;
  std::filesystem::path work_dir_;
  std::filesystem::path kubeconfig_;
  std::filesystem::path request_log_;
};

// VmHWM or VmRSS of /proc/<pid>/status in KiB ("self" for this process), or -1.
long ProcStatusKib(const std::string& pid, const char* field);

}  // namespace vtguard::op::bench
