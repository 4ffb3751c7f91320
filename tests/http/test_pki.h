// Test certificates made with the OpenSSL API, and Kubernetes-style Secret volumes on disk.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <string>

namespace vtguard::http::testing {

struct PemPair {
  std::string cert;
  std::string key;
};

// A throwaway CA (ECDSA P-256) that issues serving certificates for 127.0.0.1 and localhost.
class TestPki {
 public:
  TestPki();
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::string& ca_pem() const { return ca_pem_; }
  // Issues a server certificate with serial number `serial`, valid for one day.
  PemPair IssueServer(long serial) const;

 private:
  EVP_PKEY* ca_key_ = nullptr;
  X509* ca_cert_ = nullptr;
  std::string ca_pem_;
};

// Writes `pair` the way the kubelet mounts a kubernetes.io/tls Secret: the files live in a
// timestamped folder, `..data` links to it, and tls.crt / tls.key link through `..data`. Each
// call with a new `generation` swaps `..data` atomically (rename over the old link).
void WriteSecretVolume(const std::filesystem::path& dir, const PemPair& pair, int generation);

// A fresh empty folder under the system temp folder, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace vtguard::http::testing
