// Throw-away certificates for the test API server and test peers (webhooks, scripted servers):
// an EC P-256 CA and leaves signed by it, generated with OpenSSL at start.
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"

namespace vtguard::testing {

struct PemPair {
  std::string cert_pem;
  std::string key_pem;
};

Result<PemPair> CreateTestCa(const std::string& common_name);

struct LeafRequest {
  std::string common_name;
  std::vector<std::string> organizations;  // Become the Kubernetes groups of a client cert.
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  bool client = false;  // clientAuth instead of serverAuth.
};

Result<PemPair> IssueTestLeaf(const PemPair& ca, const LeafRequest& request);

}  // namespace vtguard::testing
