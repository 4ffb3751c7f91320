// Cold start of the operator over N VitessClusters (the vitess-operator 101 example renamed):
// wall time until every cluster is Secured, API writes per cluster, memory, CPU time, and the
// writes of a quiet period in which nothing changes (must be zero).
//
//   operator_cold_start [--clusters N] [--workers W] [--quiet-seconds S]
//                       [--api memory|in-process|process] [--api-server-binary PATH]
//
// --api memory (default): vtguard's in-memory ObjectStore (MemoryStore), which applies the API
// server's resourceVersion and status rules but has no network, TLS or JSON wire cost.
// --api in-process: the test API server in this process, reached over HTTPS through the real
// client and informers, as the vtguard-operator binary does.
// --api process: the same, with the test API server (vtguard-test-apiserver) as a separate
// process, so that the RSS of this process is the operator's own.
#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include "bench/operator/api_server_process.h"
#include "bench/operator/backends.h"
#include "common/base/log.h"
#include "operator/allocator.h"

namespace vtguard::op::bench {
namespace {

int Usage(const std::string& error) {
  std::fprintf(stderr,
               "error: %s\nusage: operator_cold_start [--clusters N] [--workers W] "
               "[--quiet-seconds S] [--api memory|in-process|process] "
               "[--api-server-binary PATH]\n",
               error.c_str());
  return 2;
}

// Parses the flags into `options`; returns 0, or the exit code after printing the usage.
int ParseOptions(int argc, char** argv, BenchOptions* options) {
  options->api_server_binary = VTGUARD_TEST_APISERVER_BINARY;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return Usage(flag + " needs a value");
    const std::string value = argv[i + 1];
    if (flag == "--clusters") {
      options->clusters = std::atoi(value.c_str());
    } else if (flag == "--workers") {
      options->workers = std::atoi(value.c_str());
    } else if (flag == "--quiet-seconds") {
      options->quiet_seconds = std::atoi(value.c_str());
    } else if (flag == "--api" && value == "memory") {
      options->api = Api::kMemory;
    } else if (flag == "--api" && value == "in-process") {
      options->api = Api::kInProcess;
    } else if (flag == "--api" && value == "process") {
      options->api = Api::kProcess;
    } else if (flag == "--api-server-binary") {
      options->api_server_binary = value;
    } else {
      return Usage("invalid flag or value: " + flag + " " + value);
    }
  }
  if (options->clusters < 1 || options->workers < 1 || options->quiet_seconds < 0) {
    return Usage("--clusters and --workers must be at least 1, --quiet-seconds at least 0");
  }
  return 0;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double Mib(long kib) { return kib / 1024.0; }

int CountSecured(const Operator& op, int clusters) {
  int secured = 0;
  for (int i = 0; i < clusters; ++i) {
    auto status = op.ClusterStatusOf("example", ClusterName(i));
    if (status && status->phase == ClusterPhase::kSecured) ++secured;
  }
  return secured;
}

int Measure(const BenchOptions& options, Backend& backend) {
  const std::string load_before = LoadAverage();
  OperatorMetrics metrics;
  Operator op(*backend.store, *backend.events, &metrics, RealClock::Get(), OperatorOptions{});
  const std::int64_t setup_writes = backend.object_writes();
  const std::int64_t setup_events = backend.event_writes();
  backend.connect(op);

  const auto started = std::chrono::steady_clock::now();
  const double cpu_started = CpuSeconds();
  if (!op.ResyncAll().ok()) return 2;
  op.Start(options.workers);
  for (int secured = 0; secured < options.clusters;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    secured = CountSecured(op, options.clusters);
    if (std::chrono::steady_clock::now() - started > std::chrono::minutes(5)) {
      std::fprintf(stderr, "timed out with %d of %d clusters secured\n", secured, options.clusters);
      return 1;
    }
  }
  const double cold_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double cold_cpu_seconds = CpuSeconds() - cpu_started;
  const long cold_peak_kib = ProcStatusKib("self", "VmHWM");
  // Let batched writes (policy status, trust bundle) and the follow-up reconciles finish:
  // wait until no write happened for three seconds.
  for (std::int64_t last = -1; last != backend.object_writes();) {
    last = backend.object_writes();
    std::this_thread::sleep_for(std::chrono::seconds(3));
  }
  const long settled_peak_kib = ProcStatusKib("self", "VmHWM");
  const std::int64_t object_writes = backend.object_writes() - setup_writes;
  const std::int64_t event_writes = backend.event_writes() - setup_events;

  // Quiet period: a full resync every second, nothing changes.
  const std::int64_t before_quiet = backend.object_writes() + backend.event_writes();
  for (int s = 0; s < options.quiet_seconds; ++s) {
    if (!op.ResyncAll().ok()) return 2;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  const std::int64_t quiet_writes = backend.object_writes() + backend.event_writes() - before_quiet;
  op.Stop();
  backend.disconnect();
  const struct mallinfo2 heap = mallinfo2();

  std::printf("API                        %s\n", backend.description.c_str());
  std::printf("clusters                   %d\n", options.clusters);
  std::printf("workers                    %d\n", options.workers);
  std::printf("load average before, after %s | %s\n", load_before.c_str(), LoadAverage().c_str());
  std::printf("cold start to Secured      %.2f s wall, %.2f s CPU of this process\n", cold_seconds,
              cold_cpu_seconds);
  std::printf("object writes              %lld (%.2f per cluster)\n",
              static_cast<long long>(object_writes),
              static_cast<double>(object_writes) / options.clusters);
  std::printf("event writes               %lld (%.2f per cluster)\n",
              static_cast<long long>(event_writes),
              static_cast<double>(event_writes) / options.clusters);
  std::printf("quiet-period writes        %lld over %d resyncs\n",
              static_cast<long long>(quiet_writes), options.quiet_seconds);
  std::printf("RSS loaded, before start   %.1f MiB\n", Mib(backend.loaded_rss_kib));
  std::printf("peak RSS at all Secured    %.1f MiB\n", Mib(cold_peak_kib));
  std::printf("peak RSS until writes end  %.1f MiB\n", Mib(settled_peak_kib));
  std::printf("peak RSS of this process   %.1f MiB\n", Mib(ProcStatusKib("self", "VmHWM")));
  std::printf("RSS after the quiet period %.1f MiB (heap in use %.1f MiB, free in heap %.1f MiB)\n",
              Mib(ProcStatusKib("self", "VmRSS")),
              static_cast<double>(heap.uordblks + heap.hblkhd) / (1024 * 1024),
              static_cast<double>(heap.fordblks) / (1024 * 1024));
  const long server_peak_kib = backend.api_server_peak_kib();
  if (server_peak_kib >= 0) {
    std::printf("peak RSS of the API server %.1f MiB (separate process)\n", Mib(server_peak_kib));
  }
  return quiet_writes == 0 ? 0 : 1;
}

int Run(int argc, char** argv) {
  // As vtguard-operator does first, so that this process allocates as the operator does.
  ConfigureAllocator();
  BenchOptions options;
  if (int exit_code = ParseOptions(argc, argv, &options); exit_code != 0) return exit_code;
  log::SetLevel(log::Level::kWarn);
  auto measure = [&options](Backend& backend) { return Measure(options, backend); };
  switch (options.api) {
    case Api::kMemory:
      return RunInMemory(options, measure);
    case Api::kInProcess:
      return RunInProcessApiServer(options, measure);
    case Api::kProcess:
      return RunApiServerProcess(options, measure);
  }
  return 2;
}

}  // namespace
}  // namespace vtguard::op::bench

int main(int argc, char** argv) { return vtguard::op::bench::Run(argc, argv); }
