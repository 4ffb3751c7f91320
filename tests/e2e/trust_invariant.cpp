#include "tests/e2e/trust_invariant.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>

#include "tests/e2e/pod_render.h"
#include "tests/e2e/tls_handshake.h"

namespace vtguard::e2e {
namespace {

namespace fs = std::filesystem;

struct StoreFree {
  void operator()(X509_STORE* store) const { X509_STORE_free(store); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* ctx) const { X509_STORE_CTX_free(ctx); }
};
struct ChainFree {
  void operator()(STACK_OF(X509) * chain) const { sk_X509_pop_free(chain, X509_free); }
};
using ChainPtr = std::unique_ptr<STACK_OF(X509), ChainFree>;

// A client role of a component: which flags it reads and which components have it.
struct ClientRole {
  const char* prefix;  // "tablet-grpc" or "tablet-manager-grpc".
  std::vector<std::string> components;
};

const std::vector<ClientRole>& ClientRoles() {
  static const std::vector<ClientRole> roles = {
      {"tablet-grpc", {kVttabletContainer, kVtgateContainer, kVtctldContainer}},
      {"tablet-manager-grpc", {kVttabletContainer, kVtctldContainer, kVtorcContainer}},
  };
  return roles;
}

// Reads every certificate of a PEM file, leaf first.
Result<ChainPtr> ReadChain(const fs::path& path) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "r"), BIO_free);
  if (!bio) return NotFound("cannot open " + path.string());
  ChainPtr chain(sk_X509_new_null());
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    sk_X509_push(chain.get(), cert);
  }
  ERR_clear_error();
  if (sk_X509_num(chain.get()) == 0)
    return InvalidArgument(path.string() + " holds no certificate");
  return chain;
}

// Verifies the chain in `leaf_file` against the bundle in `bundle_file`. Returns the failure
// reason, empty when the chain verifies.
std::string VerifyLeaf(const fs::path& leaf_file, const fs::path& bundle_file, int purpose,
                       const std::string& host, std::optional<std::time_t> verify_time) {
  Result<ChainPtr> chain = ReadChain(leaf_file);
  if (!chain.ok()) return chain.status().message();
  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  if (X509_STORE_load_file(store.get(), bundle_file.c_str()) != 1) {
    ERR_clear_error();
    return "cannot load the CA bundle " + bundle_file.string();
  }
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  X509* leaf = sk_X509_value(chain->get(), 0);
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf, chain->get());
  X509_STORE_CTX_set_purpose(ctx.get(), purpose);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  if (verify_time.has_value()) X509_VERIFY_PARAM_set_time(param, *verify_time);
  if (!host.empty()) X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  if (X509_verify_cert(ctx.get()) == 1) return "";
  ERR_clear_error();
  char subject[512];
  X509_NAME_oneline(X509_get_subject_name(leaf), subject, sizeof(subject));
  return std::string(X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()))) +
         " (certificate " + subject + ")";
}

bool HasComponent(const ClientRole& role, const std::string& component) {
  for (const std::string& candidate : role.components) {
    if (candidate == component) return true;
  }
  return false;
}

// Checks one client role of `consumer` against one TLS server `server`.
void CheckPair(const MaterializedPod& server, const TlsServerFiles& server_files,
               const MaterializedPod& consumer, const ClientRole& role,
               std::optional<std::time_t> verify_time, std::vector<BrokenTrust>& broken) {
  std::string prefix = role.prefix;
  Result<TlsClientFiles> client = ClientFiles(consumer, prefix);
  if (!client.ok()) {
    broken.push_back({consumer.name, prefix + "-*", server.name, client.status().message()});
    return;
  }
  if (!client->ca.has_value()) {
    if (server_files.optional_tls) return;  // Plaintext still accepted during a migration.
    broken.push_back(
        {consumer.name, prefix + "-ca", server.name,
         "no --" + prefix + "-ca is set, so the client dials plaintext to a TLS port"});
    return;
  }
  // Tablets dial pod IPs; without a server name the certificate must name the IP.
  std::string host = client->server_name;
  std::string reason = host.empty() ? "no --" + prefix + "-server-name is set, so the client " +
                                          "checks the pod IP, which no certificate names"
                                    : VerifyLeaf(server_files.cert, *client->ca,
                                                 X509_PURPOSE_SSL_SERVER, host, verify_time);
  if (!reason.empty()) broken.push_back({consumer.name, prefix + "-ca", server.name, reason});

  if (!server_files.ca.has_value()) return;
  if (!client->cert.has_value()) {
    broken.push_back(
        {server.name, "grpc-ca", consumer.name,
         "the tablet requires client certificates but the client sets no --" + prefix + "-cert"});
    return;
  }
  reason = VerifyLeaf(*client->cert, *server_files.ca, X509_PURPOSE_SSL_CLIENT, "", verify_time);
  if (!reason.empty()) broken.push_back({server.name, "grpc-ca", consumer.name, reason});
}

// A tablet without TLS: every client configured for TLS fails its handshake.
void ReportTlsClientsOfPlaintextTablet(const MaterializedPod& server,
                                       const std::vector<MaterializedPod>& pods,
                                       std::vector<BrokenTrust>& broken) {
  for (const MaterializedPod& consumer : pods) {
    for (const ClientRole& role : ClientRoles()) {
      std::string flag = std::string(role.prefix) + "-ca";
      if (!HasComponent(role, consumer.component) || !consumer.flags.Has(flag)) continue;
      broken.push_back({consumer.name, flag, server.name,
                        "the tablet serves plaintext but the client dials TLS"});
    }
  }
}

}  // namespace

std::string BrokenTrust::ToString() const {
  return consumer + " (--" + flag + ") does not accept " + presenter + ": " + reason;
}

std::vector<BrokenTrust> CheckTrustInvariant(const std::vector<MaterializedPod>& pods,
                                             std::optional<std::time_t> verify_time) {
  std::vector<BrokenTrust> broken;
  for (const MaterializedPod& server : pods) {
    if (server.component != kVttabletContainer) continue;
    Result<TlsServerFiles> server_files = TabletServerFiles(server);
    if (!server_files.ok()) {
      if (server.flags.Has("grpc-cert") || server.flags.Has("grpc-key")) {
        broken.push_back({server.name, "grpc-cert", server.name, server_files.status().message()});
      }
      ReportTlsClientsOfPlaintextTablet(server, pods, broken);
      continue;
    }
    for (const MaterializedPod& consumer : pods) {
      for (const ClientRole& role : ClientRoles()) {
        if (!HasComponent(role, consumer.component)) continue;
        CheckPair(server, *server_files, consumer, role, verify_time, broken);
      }
    }
  }
  return broken;
}

}  // namespace vtguard::e2e
