// vtguard-test-apiserver: runs the test API server as a process for end-to-end tests and demos.
//
//   vtguard-test-apiserver --kubeconfig /tmp/kc [--client-cert] [--apply crd.yaml]...
//                          [--service-address vtguard/vtguard-webhook=127.0.0.1:8443]...
//
// Prints one JSON line to stdout once serving: {"url":...,"kubeconfig":...}, then serves until
// SIGINT or SIGTERM.
#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/apiserver/api_server.h"

namespace {

int Usage(const std::string& error) {
  std::fprintf(stderr,
               "error: %s\nusage: vtguard-test-apiserver --kubeconfig PATH [--client-cert] "
               "[--apply FILE]... [--service-address NS/NAME=127.0.0.1:PORT]... "
               "[--token TOKEN] [--event-window N]\n",
               error.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  vtguard::testing::TestApiServerOptions options;
  std::string kubeconfig;
  bool client_cert = false;
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
  sigwait(&signals, &received);
  (*server)->Stop();
  return 0;
}
