// The command-line flags of vtguard-operator.
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"

namespace vtguard::op {

struct OperatorFlags {
  std::string kubeconfig;  // Empty: the in-cluster service account.
  bool leader_elect = true;
  std::string leader_election_namespace;  // Empty: `namespace_`.
  std::string lease_name = "vtguard-operator";
  std::string metrics_address = "0.0.0.0:8080";
  std::string health_address = "0.0.0.0:8081";
  std::string namespace_ = "vtguard-system";
  std::string webhook_service = "vtguard-webhook";
  std::string webhook_secret = "vtguard-webhook-tls";
  std::string webhook_configuration = "vtguard";
  std::string trust_bundle_namespace;  // Empty: `namespace_`.
  // Namespace whose policies, VitessClusters, Secrets and Pods are listed and watched; empty
  // means every namespace.
  std::string watch_namespace;
  // False when another issuer (cert-manager) writes the webhook's serving certificate and the
  // caBundle of the webhook configurations.
  bool manage_webhook_certificate = true;
  int workers = 4;
  std::string log_level = "info";
  std::string clock_offset_file;  // Tests and demonstrations only.
  bool help = false;
};

// Parses the arguments after the program name. Errors name the flag and the expected value.
Result<OperatorFlags> ParseOperatorFlags(const std::vector<std::string>& args);

// The --help text.
std::string OperatorUsage();

}  // namespace vtguard::op
