// Real TLS handshakes with issued certificates, for every key algorithm and TLS 1.2 and 1.3.
// Certificates are issued with the real clock because OpenSSL's handshake verifies at the
// current time.
// OpenSSL 3.0 offers the ed25519 signature algorithm (RFC 8422) in its default TLS 1.2 list, so
// Ed25519 certificates complete both TLS 1.2 and TLS 1.3 handshakes here.
#include "tests/pki/tls_handshake.h"

#include <gtest/gtest.h>

#include "common/pki/pki.h"

namespace vtguard::pki {
namespace {

using testing::HandshakeOptions;
using testing::HandshakeResult;
using testing::RunHandshake;
using testing::TlsPeer;

struct Peers {
  TlsPeer server;
  TlsPeer client;
  TlsPeer anonymous_client;
};

Peers MakePeers(const KeySpec& spec) {
  const Clock& clock = RealClock::Get();
  Result<CertifiedKey> ca = CreateCa({.key = spec}, clock);
  EXPECT_TRUE(ca.ok()) << ca.status().message();
  LeafRequest tablet{.common_name = "vttablet",
                     .dns_names = {"vttablet.vtguard.internal"},
                     .usages = {Usage::kServer, Usage::kClient},
                     .key = spec};
  LeafRequest gate{.common_name = "vtgate", .usages = {Usage::kClient}, .key = spec};
  Result<CertifiedKey> server = IssueLeaf(*ca, tablet, clock);
  Result<CertifiedKey> client = IssueLeaf(*ca, gate, clock);
  EXPECT_TRUE(server.ok());
  EXPECT_TRUE(client.ok());
  TrustBundle trust;
  trust.Add(ca->certificate);
  return {{*server, trust}, {*client, trust}, {std::nullopt, trust}};
}

class TlsHandshakeTest : public ::testing::TestWithParam<std::tuple<KeySpec, int>> {};

TEST_P(TlsHandshakeTest, ServerNameAndClientCertificateChecks) {
  auto [spec, version] = GetParam();
  Peers peers = MakePeers(spec);

  HandshakeOptions options{.tls_version = version};
  HandshakeResult plain = RunHandshake(peers.server, peers.anonymous_client, options);
  EXPECT_TRUE(plain.ok) << plain.server_error << " | " << plain.client_error;

  HandshakeOptions wrong_name{.tls_version = version, .server_name = "vtgate.vtguard.internal"};
  HandshakeResult mismatch = RunHandshake(peers.server, peers.anonymous_client, wrong_name);
  EXPECT_FALSE(mismatch.ok);
  EXPECT_NE(mismatch.client_error.find("certificate verify failed"), std::string::npos)
      << mismatch.client_error;

  HandshakeOptions mutual{.tls_version = version, .require_client_certificate = true};
  HandshakeResult with_client = RunHandshake(peers.server, peers.client, mutual);
  EXPECT_TRUE(with_client.ok) << with_client.server_error << " | " << with_client.client_error;

  HandshakeResult without_client = RunHandshake(peers.server, peers.anonymous_client, mutual);
  EXPECT_FALSE(without_client.ok);
  EXPECT_NE(without_client.server_error.find("peer did not return a certificate"),
            std::string::npos)
      << without_client.server_error;
}

std::string ParamName(const ::testing::TestParamInfo<std::tuple<KeySpec, int>>& info) {
  auto [spec, version] = info.param;
  std::string name = std::string(KeyAlgorithmName(spec.algorithm)) +
                     (spec.size > 0 ? std::to_string(spec.size) : "");
  return name + (version == TLS1_3_VERSION ? "_Tls13" : "_Tls12");
}

INSTANTIATE_TEST_SUITE_P(EveryAlgorithm, TlsHandshakeTest,
                         ::testing::Combine(::testing::Values(KeySpec{KeyAlgorithm::kEcdsa, 256},
                                                              KeySpec{KeyAlgorithm::kEcdsa, 384},
                                                              KeySpec{KeyAlgorithm::kRsa, 2048},
                                                              KeySpec{KeyAlgorithm::kRsa, 3072},
                                                              KeySpec{KeyAlgorithm::kRsa, 4096},
                                                              KeySpec{KeyAlgorithm::kEd25519, 0}),
                                            ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION)),
                         ParamName);

}  // namespace
}  // namespace vtguard::pki
