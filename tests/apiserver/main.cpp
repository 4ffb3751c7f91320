// vtguard-test-apiserver: runs the test API server as a process for end-to-end tests and demos.
//
//   vtguard-test-apiserver --kubeconfig /tmp/kc [--client-cert] [--apply crd.yaml]...
//                          [--service-address vtguard/vtguard-webhook=127.0.0.1:8443]...
//                          [--user-token TOKEN=USER]... [--request-log PATH]
//
// Prints one JSON line to stdout once serving: {"url":...,"kubeconfig":...}, then serves until
// SIGINT or SIGTERM. With --request-log, each SIGUSR1 writes the request log so far to PATH as
// a JSON array (written to PATH.tmp, then renamed).
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/apiserver/api_server.h"

namespace {

int Usage(const std::string& error) {
  std::fprintf(stderr,
               "error: %s\nusage: vtguard-test-apiserver --kubeconfig PATH [--client-cert] "
               "[--apply FILE]... [--service-address NS/NAME=127.0.0.1:PORT]... "
               "[--token TOKEN] [--user-token TOKEN=USER]... [--request-log PATH] "
               "[--event-window N]\n",
               error.c_str());
  return 2;
}

bool WriteRequestLog(const vtguard::testing::TestApiServer& server, const std::string& path) {
  nlohmann::json records = nlohmann::json::array();
  for (const vtguard::testing::RequestRecord& record : server.RequestLog()) {
    records.push_back(vtguard::testing::RequestRecordToJson(record));
  }
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << records.dump() << "\n";
    if (!out) return false;
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  return !error;
}

}  // namespace

int main(int argc, char** argv) {
  vtguard::testing::TestApiServerOptions options;
  std::string kubeconfig;
  bool client_cert = false;
  std::string request_log;
  std::vector<std::string> apply_files;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&]() -> std::string { return i + 1 < args.size() ? args[++i] : ""; };
    if (arg == "--kubeconfig") {
      kubeconfig = value();
    } else if (arg == "--client-cert") {
      client_cert = true;
    } else if (arg == "--apply") {
      apply_files.push_back(value());
    } else if (arg == "--token") {
      options.token = value();
    } else if (arg == "--user-token") {
      std::string mapping = value();
      size_t equals = mapping.find('=');
      if (equals == std::string::npos || equals == 0) {
        return Usage("--user-token takes TOKEN=USER");
      }
      options.extra_tokens[mapping.substr(0, equals)] = mapping.substr(equals + 1);
    } else if (arg == "--request-log") {
      request_log = value();
    } else if (arg == "--event-window") {
      options.event_window = static_cast<size_t>(std::stoul(value()));
    } else if (arg == "--service-address") {
      std::string mapping = value();
      size_t equals = mapping.find('=');
      if (equals == std::string::npos) {
        return Usage("--service-address takes NAMESPACE/NAME=127.0.0.1:PORT");
      }
      options.service_addresses[mapping.substr(0, equals)] = mapping.substr(equals + 1);
    } else {
      return Usage("unknown argument \"" + arg + "\"");
    }
  }
  if (kubeconfig.empty()) return Usage("--kubeconfig is required");

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = vtguard::testing::TestApiServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "error: %s\n", server.status().ToString().c_str());
    return 1;
  }
  for (const std::string& file : apply_files) {
    vtguard::Status applied = (*server)->ApplyYamlFile(file);
    if (!applied.ok()) {
      std::fprintf(stderr, "error: %s\n", applied.ToString().c_str());
      return 1;
    }
  }
  vtguard::Status written = (*server)->WriteKubeconfig(kubeconfig, client_cert);
  if (!written.ok()) {
    std::fprintf(stderr, "error: %s\n", written.ToString().c_str());
    return 1;
  }
  std::printf("%s\n",
              nlohmann::json{{"url", (*server)->url()}, {"kubeconfig", kubeconfig}}.dump().c_str());
  std::fflush(stdout);
  int received = 0;
  while (sigwait(&signals, &received) == 0 && received == SIGUSR1) {
    if (request_log.empty()) continue;
    if (!WriteRequestLog(**server, request_log)) {
      std::fprintf(stderr, "error: writing the request log to %s failed\n", request_log.c_str());
    }
  }
  (*server)->Stop();
  return 0;
}
