// Connection settings for the Kubernetes API: from a kubeconfig file or from the in-cluster
// service account.
#pragma once

#include <string>

#include "common/base/status.h"

namespace vtguard::kube {

struct ClientConfig {
  std::string server;           // "https://10.0.0.1:443"; only https is supported.
  std::string ca_pem;           // Trusted CA certificates; empty means the system store.
  std::string client_cert_pem;  // Client certificate chain for mutual TLS, optional.
  std::string client_key_pem;   // Its private key. Never logged.
  std::string token;            // Static bearer token, optional.
  std::string token_file;       // Bearer token file, re-read when it changes (projected tokens).
  std::string tls_server_name;  // Overrides the name checked in the server certificate.
  bool insecure_skip_tls_verify = false;
};

struct KubeconfigOptions {
  std::string context;  // Empty: the file's current-context.
  // A kubeconfig that sets insecure-skip-tls-verify is rejected unless this is true.
  bool allow_insecure = false;
};

// Reads the cluster, user and context from a kubeconfig file. Relative certificate and token
// file paths are resolved against the file's folder, as kubectl does.
Result<ClientConfig> LoadKubeconfig(const std::string& path, const KubeconfigOptions& options = {});

// Parses kubeconfig text; `base_dir` resolves relative paths.
Result<ClientConfig> ParseKubeconfig(const std::string& text, const std::string& base_dir,
                                     const KubeconfigOptions& options = {});

// Builds the in-cluster configuration from KUBERNETES_SERVICE_HOST/PORT and the service-account
// files under `service_account_dir` (token, ca.crt). The token is re-read when it rotates.
Result<ClientConfig> LoadInClusterConfig(
    const std::string& service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// Reads a whole file, limited to `max_bytes`.
Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes = 1 << 20);

}  // namespace vtguard::kube
