// Certificates made with the `openssl` command-line tool and the JSON objects the end-to-end
// tests feed to the harness: Secrets and a VitessCluster with Vitess v24 TLS flags.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vtguard::e2e::testing {

// A certificate and its private key, PEM files.
struct CertFiles {
  std::filesystem::path cert;
  std::filesystem::path key;
};

// Creates a self-signed ECDSA P-256 CA named `name` in `dir`. Fails the test on error.
CertFiles MakeCa(const std::filesystem::path& dir, const std::string& name);

// Issues a leaf for serverAuth and clientAuth with DNS SANs `dns_names`, signed by `ca`.
CertFiles MakeLeaf(const std::filesystem::path& dir, const std::string& name, const CertFiles& ca,
                   const std::vector<std::string>& dns_names);

std::string ReadFile(const std::filesystem::path& path);

// Returns a kubernetes.io/tls Secret with tls.crt, tls.key and ca.crt (base64 data).
nlohmann::json TlsSecret(const std::string& name, const std::string& cert_pem,
                         const std::string& key_pem, const std::string& ca_pem);

// Loads the VitessCluster of 101_initial_cluster.yaml (vitess-operator's example) and adds what
// vtguard injects for Vitess v24: server flags and both client roles on every tablet pool,
// client flags on vtgate and vtctld, tablet-manager client flags on vtorc, and the
// vtguard-tls volume from Secret `secret_name` at /vt/vtguard/tls on each of them.
nlohmann::json InjectedExampleCluster(const std::string& secret_name);

// A fresh, empty directory under the test's temporary folder.
std::filesystem::path MakeTempDir(const std::string& name);

}  // namespace vtguard::e2e::testing
