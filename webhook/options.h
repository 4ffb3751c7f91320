// Command-line options of vtguard-webhook.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/base/log.h"
#include "common/base/status.h"

namespace vtguard::webhook {

struct WebhookOptions {
  std::string listen_address = "0.0.0.0:8443";
  std::string metrics_address = "0.0.0.0:8080";
  std::string tls_cert_dir = "/etc/vtguard/webhook-tls";
  std::string policy_file;  // Empty: policies come from the Kubernetes API.
  std::string kubeconfig;   // Empty: in-cluster configuration.
  // Namespace whose VitessTLSPolicies are listed and watched; empty means every namespace.
  std::string watch_namespace;
  log::Level log_level = log::Level::kInfo;
  int max_connections = 1024;
  // Event loops, one thread each; 0 picks http::DefaultLoopCount().
  int threads = 0;
  std::chrono::seconds shutdown_timeout{25};
  // How often the certificate directory is checked for a new serving certificate.
  std::chrono::milliseconds cert_poll_interval{10000};
  bool help = false;
};

// Parses the arguments after the program name. Errors name the flag and the expected value.
Result<WebhookOptions> ParseWebhookOptions(const std::vector<std::string>& args);

// The --help text.
std::string WebhookUsage();

}  // namespace vtguard::webhook
