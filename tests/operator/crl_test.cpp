// Certificate revocation: the crl.pem that the operator writes into every leaf Secret, checked
// with the real openssl tool and real OpenSSL handshakes.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "common/vitess/admission.h"
#include "operator/cluster_reconciler.h"
#include "operator/crl_plan.h"
#include "tests/operator/test_env.h"
#include "tests/pki/pki_test_util.h"
#include "tests/pki/tls_handshake.h"

namespace vtguard::op {
namespace {

using namespace std::chrono_literals;
using testing::kNamespace;
using testing::LoadCluster;
using testing::MakePolicy;

// Real OpenSSL handshakes check validity against the real time, so the fake clock starts now.
SystemTime WholeSecondsNow() {
  return std::chrono::time_point_cast<Seconds>(std::chrono::system_clock::now());
}

vitess::TlsPolicy Policy(const Json& spec) {
  Result<vitess::TlsPolicy> policy = vitess::ParsePolicy(MakePolicy("tls", spec));
  if (!policy.ok()) throw std::runtime_error(policy.status().ToString());
  return *policy;
}

// ---- DecideCrl ----

struct DecideCrlCase {
  std::string name;
  std::function<std::string(const pki::CertifiedKey& ca, const pki::CertifiedKey& other,
                            const Clock& clock)>
      stored;
  std::vector<std::string> serials;
  Seconds elapsed{0};
  bool sign;
  std::string reason;
};

TEST(DecideCrl, ComparesStoredCrlWithPolicy) {
  const std::vector<std::string> listed = {"A1", "B2"};
  auto sign = [](const pki::CertifiedKey& ca, std::vector<std::string> serials,
                 const Clock& clock) { return *SignCrlPem("", {ca}, serials, 100h, clock); };
  std::vector<DecideCrlCase> cases = {
      {"Current", [&](auto& ca, auto&, auto& clock) { return sign(ca, listed, clock); }, listed, 0s,
       false, ""},
      {"Absent", [](auto&, auto&, auto&) { return std::string(); }, listed, 0s, true,
       "DoesNotExist"},
      {"Damaged", [](auto&, auto&, auto&) { return std::string("-----BEGIN X509 CRL-----\nx\n"); },
       listed, 0s, true, "InvalidData"},
      {"OtherSigner", [&](auto&, auto& other, auto& clock) { return sign(other, listed, clock); },
       listed, 0s, true, "SignersChanged"},
      {"ExtraCrl",
       [&](auto& ca, auto& other, auto& clock) {
         return sign(ca, listed, clock) + sign(other, listed, clock);
       },
       listed, 0s, true, "SignersChanged"},
      {"SerialAdded", [&](auto& ca, auto&, auto& clock) { return sign(ca, {"A1"}, clock); }, listed,
       0s, true, "SerialsChanged"},
      {"SerialRemoved",
       [&](auto& ca, auto&, auto& clock) { return sign(ca, listed, clock); },
       {"A1"},
       0s,
       true,
       "SerialsChanged"},
      // Valid 100h, renewed 30h before nextUpdate.
      {"BeforeRenewal", [&](auto& ca, auto&, auto& clock) { return sign(ca, listed, clock); },
       listed, 69h, false, ""},
      {"AtRenewal", [&](auto& ca, auto&, auto& clock) { return sign(ca, listed, clock); }, listed,
       70h, true, "Renewing"},
  };
  FakeClock clock(WholeSecondsNow());
  pki::CertifiedKey ca = *pki::CreateCa({.common_name = "ca"}, clock);
  pki::CertifiedKey other = *pki::CreateCa({.common_name = "other"}, clock);
  for (const DecideCrlCase& test : cases) {
    std::string stored = test.stored(ca, other, clock);
    CrlDecision decision = DecideCrl(stored, {ca}, test.serials, 30h, clock.Now() + test.elapsed);
    EXPECT_EQ(decision.sign, test.sign) << test.name;
    EXPECT_EQ(decision.reason, test.reason) << test.name;
  }
}

TEST(SignCrlPem, KeepsRevocationDatesOfListedSerials) {
  FakeClock clock(WholeSecondsNow());
  pki::CertifiedKey ca = *pki::CreateCa({}, clock);
  std::string first = *SignCrlPem("", {ca}, {"A1"}, 100h, clock);
  const SystemTime first_time = clock.Now();
  clock.Advance(10h);
  std::string second = *SignCrlPem(first, {ca}, {"A1", "B2"}, 100h, clock);

  std::vector<pki::Crl> crls = *pki::Crl::ParseAll(second);
  ASSERT_EQ(crls.size(), 1u);
  std::vector<pki::RevokedSerial> revoked = crls[0].Revoked();
  ASSERT_EQ(revoked.size(), 2u);
  for (const pki::RevokedSerial& entry : revoked) {
    SystemTime expected = entry.serial_hex == "A1" ? first_time : clock.Now();
    EXPECT_EQ(entry.revocation_time, expected) << entry.serial_hex;
  }
  EXPECT_EQ(CrlRenewalTime(second, 30h), clock.Now() + 70h);
}

TEST(SignCrlPem, CrlNumberGrowsWithinOneSecond) {
  FakeClock clock(WholeSecondsNow());
  pki::CertifiedKey ca = *pki::CreateCa({}, clock);
  std::string first = *SignCrlPem("", {ca}, {}, 100h, clock);
  std::string second = *SignCrlPem(first, {ca}, {"A1"}, 100h, clock);
  pki::testing::TempDir dir;
  auto number = [&](const std::string& name, const std::string& pem) -> uint64_t {
    pki::testing::CommandResult printed = pki::testing::RunCommand(
        "openssl crl -noout -crlnumber -in " + dir.Write(name, pem).string());
    EXPECT_EQ(printed.exit_code, 0) << printed.output;
    // openssl prints "crlNumber=0x..." in hexadecimal.
    return std::stoull(printed.output.substr(printed.output.find('=') + 1), nullptr, 16);
  };
  const uint64_t first_number = number("first.pem", first);
  const auto now_seconds =
      std::chrono::duration_cast<Seconds>(clock.Now().time_since_epoch()).count();
  EXPECT_EQ(first_number, static_cast<uint64_t>(now_seconds));
  EXPECT_EQ(number("second.pem", second), first_number + 1);
}

TEST(CrlSigners, IncludesNextCaDuringRotation) {
  FakeClock clock(WholeSecondsNow());
  CaMaterial ca{
      *pki::CreateCa({}, clock), std::nullopt, std::nullopt, {}, RotationPhase::kNone, ""};
  EXPECT_EQ(CrlSigners(ca).size(), 1u);
  ca.next = *pki::CreateCa({}, clock);
  ca.phase = RotationPhase::kTrustBoth;
  std::vector<pki::CertifiedKey> signers = CrlSigners(ca);
  ASSERT_EQ(signers.size(), 2u);
  EXPECT_EQ(signers[1].certificate, ca.next->certificate);
}

// ---- The reconciler with spec.crl ----

class CrlReconcileTest : public ::testing::Test {
 protected:
  CrlReconcileTest() : clock_(WholeSecondsNow()), reconciler_(store_, events_, nullptr, clock_) {
    Result<Json> created =
        store_.Create(kVitessClusterKind, LoadCluster("101_initial_cluster.yaml"));
    if (!created.ok()) throw std::runtime_error(created.status().ToString());
  }

  void Reconcile(const vitess::TlsPolicy& policy) {
    ClusterOutcome outcome = reconciler_.Reconcile(policy, kNamespace, "example");
    ASSERT_TRUE(outcome.error.ok()) << outcome.error.ToString();
    last_ = outcome;
  }
  SecretData Leaf(const std::string& component) {
    return *ReadSecretData(*store_.Get(kSecretKind, kNamespace, "example-vtguard-" + component));
  }
  static pki::CertifiedKey Identity(const SecretData& leaf) {
    return *pki::ParseCertifiedKey(leaf.at("tls.crt"), leaf.at("tls.key"));
  }
  Json Cluster() { return *store_.Get(kVitessClusterKind, kNamespace, "example"); }

  // Runs `openssl verify -crl_check` of `certificate_pem` with `leaf`'s ca.crt and crl.pem.
  pki::testing::CommandResult OpensslVerify(const SecretData& leaf,
                                            const std::string& certificate_pem) {
    pki::testing::TempDir dir;
    std::string command = "openssl verify -crl_check -CAfile " +
                          dir.Write("ca.crt", leaf.at("ca.crt")).string() + " -CRLfile " +
                          dir.Write("crl.pem", leaf.at("crl.pem")).string() + " " +
                          dir.Write("leaf.crt", certificate_pem).string();
    return pki::testing::RunCommand(command);
  }

  MemoryStore store_;
  MemoryEventRecorder events_;
  FakeClock clock_;
  ClusterReconciler reconciler_;
  ClusterOutcome last_;
};

const Json kCrlOnly = {{"crl", {{"enabled", true}}}};

TEST_F(CrlReconcileTest, WritesSameEmptyCrlIntoEveryLeaf) {
  Reconcile(Policy(kCrlOnly));
  pki::Certificate ca = *pki::Certificate::FromPem(
      ReadSecretData(*store_.Get(kSecretKind, kNamespace, "example-vtguard-ca"))->at("tls.crt"));
  std::string tablet_crl = Leaf("vttablet").at("crl.pem");
  for (const char* component : {"vttablet", "vtgate", "vtctld", "vtorc"}) {
    SecretData leaf = Leaf(component);
    ASSERT_EQ(leaf.count("crl.pem"), 1u) << component;
    EXPECT_EQ(leaf.at("crl.pem"), tablet_crl) << component;
    pki::testing::CommandResult verified = OpensslVerify(leaf, leaf.at("tls.crt"));
    EXPECT_EQ(verified.exit_code, 0) << component << ": " << verified.output;
  }
  std::vector<pki::Crl> crls = *pki::Crl::ParseAll(tablet_crl);
  ASSERT_EQ(crls.size(), 1u);
  EXPECT_TRUE(crls[0].IsSignedBy(ca));
  EXPECT_TRUE(crls[0].Revoked().empty());
  // Valid for certificate.duration (default 2160h), renewed renewBefore (720h) before.
  EXPECT_EQ(crls[0].NextUpdate(), clock_.Now() + 2160h);
  ASSERT_TRUE(last_.status.renewal_time.has_value());
  EXPECT_LE(*last_.status.renewal_time, clock_.Now() + (2160h - 720h));
}

TEST_F(CrlReconcileTest, SecondPassWritesNothing) {
  Reconcile(Policy(kCrlOnly));
  std::int64_t writes = store_.TotalWrites();
  Reconcile(Policy(kCrlOnly));
  EXPECT_EQ(store_.TotalWrites(), writes);
  EXPECT_EQ(last_.status.revision, 1);
}

TEST_F(CrlReconcileTest, CrlFlagsFollowClientAuth) {
  const std::string mounted = "/vt/vtguard/tls/crl.pem";
  for (const char* client_auth : {"None", "Required"}) {
    Reconcile(Policy({{"clientAuth", client_auth}, {"crl", {{"enabled", true}}}}));
    Json cluster = Cluster();
    const Json& tablet = cluster["spec"]["keyspaces"][0]["partitionings"][0]["equal"]
                                ["shardTemplate"]["tabletPools"][0]["vttablet"]["extraFlags"];
    EXPECT_EQ(tablet.value("tablet-grpc-crl", ""), mounted) << client_auth;
    EXPECT_EQ(tablet.value("tablet-manager-grpc-crl", ""), mounted) << client_auth;
    const bool required = std::string(client_auth) == "Required";
    EXPECT_EQ(tablet.contains("grpc-crl"), required) << client_auth << ": " << tablet.dump();
    EXPECT_EQ(tablet.contains("grpc-ca"), required) << client_auth;
    const Json& gateway = cluster["spec"]["cells"][0]["gateway"]["extraFlags"];
    EXPECT_EQ(gateway.value("tablet-grpc-crl", ""), mounted) << client_auth;
    // The injected flags pass the policy's own audit: no CRL without a CA anywhere.
    for (const vitess::Violation& violation : vitess::ValidateVitessCluster(
             Policy({{"clientAuth", client_auth}, {"crl", {{"enabled", true}}}}), cluster)) {
      EXPECT_NE(violation.severity, vitess::Severity::kError)
          << client_auth << ": " << vitess::FormatViolation(violation);
    }
  }
}

TEST_F(CrlReconcileTest, RevokedLeafIsReissuedAndRejected) {
  const Json spec = {{"clientAuth", "Required"}, {"crl", {{"enabled", true}}}};
  Reconcile(Policy(spec));
  const SecretData old_gate = Leaf("vtgate");
  const SecretData old_tablet = Leaf("vttablet");
  const std::string old_serial = Identity(old_gate).certificate.SerialHex();

  Json revoking = spec;
  revoking["crl"]["revokedSerials"] = {old_serial};
  Reconcile(Policy(revoking));
  EXPECT_EQ(last_.status.revision, 2);
  EXPECT_EQ(ClusterRevision(Cluster()), 2);
  const SecretData gate = Leaf("vtgate");
  const SecretData tablet = Leaf("vttablet");
  EXPECT_NE(Identity(gate).certificate.SerialHex(), old_serial);
  EXPECT_NE(gate.at("tls.key"), old_gate.at("tls.key"));
  EXPECT_EQ(tablet.at("tls.crt"), old_tablet.at("tls.crt"));  // Only the revoked leaf changes.
  std::vector<pki::RevokedSerial> listed =
      pki::Crl::ParseAll(tablet.at("crl.pem"))->at(0).Revoked();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(vitess::NormalizeSerial(listed[0].serial_hex), vitess::NormalizeSerial(old_serial));
  EXPECT_EQ(listed[0].revocation_time, clock_.Now());

  // openssl verify with the tablet's mounted files.
  pki::testing::CommandResult rejected = OpensslVerify(tablet, old_gate.at("tls.crt"));
  EXPECT_NE(rejected.exit_code, 0) << rejected.output;
  EXPECT_NE(rejected.output.find("revoked"), std::string::npos) << rejected.output;
  pki::testing::CommandResult accepted = OpensslVerify(tablet, gate.at("tls.crt"));
  EXPECT_EQ(accepted.exit_code, 0) << accepted.output;

  // A tablet that requires client certificates and checks the CRL, as --grpc-ca plus
  // --grpc-crl configure it.
  pki::testing::TlsPeer server{Identity(tablet), *pki::TrustBundle::Parse(tablet.at("ca.crt")),
                               tablet.at("crl.pem")};
  pki::testing::HandshakeOptions options;
  options.require_client_certificate = true;
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    options.tls_version = version;
    pki::testing::TlsPeer revoked_client{Identity(old_gate),
                                         *pki::TrustBundle::Parse(gate.at("ca.crt")), ""};
    pki::testing::HandshakeResult handshake = RunHandshake(server, revoked_client, options);
    EXPECT_FALSE(handshake.ok) << version;
    EXPECT_NE(handshake.server_error.find("revoked"), std::string::npos)
        << version << ": " << handshake.server_error;
    pki::testing::TlsPeer client{Identity(gate), *pki::TrustBundle::Parse(gate.at("ca.crt")),
                                 gate.at("crl.pem")};
    pki::testing::HandshakeResult admitted = RunHandshake(server, client, options);
    EXPECT_TRUE(admitted.ok) << version << ": " << admitted.server_error << " / "
                             << admitted.client_error;
  }
}

TEST_F(CrlReconcileTest, ClientRejectsRevokedTablet) {
  Reconcile(Policy(kCrlOnly));
  const SecretData old_tablet = Leaf("vttablet");
  Json revoking = kCrlOnly;
  revoking["crl"]["revokedSerials"] = {Identity(old_tablet).certificate.SerialHex()};
  Reconcile(Policy(revoking));
  const SecretData gate = Leaf("vtgate");
  const SecretData tablet = Leaf("vttablet");
  ASSERT_NE(tablet.at("tls.crt"), old_tablet.at("tls.crt"));

  // vtgate with --tablet-grpc-ca, --tablet-grpc-server-name and --tablet-grpc-crl.
  pki::testing::TlsPeer client{std::nullopt, *pki::TrustBundle::Parse(gate.at("ca.crt")),
                               gate.at("crl.pem")};
  pki::testing::TlsPeer old_server{Identity(old_tablet),
                                   *pki::TrustBundle::Parse(old_tablet.at("ca.crt")), ""};
  pki::testing::HandshakeResult rejected = RunHandshake(old_server, client, {});
  EXPECT_FALSE(rejected.ok);
  EXPECT_NE(rejected.client_error.find("revoked"), std::string::npos) << rejected.client_error;
  pki::testing::TlsPeer server{Identity(tablet), *pki::TrustBundle::Parse(tablet.at("ca.crt")), ""};
  pki::testing::HandshakeResult admitted = RunHandshake(server, client, {});
  EXPECT_TRUE(admitted.ok) << admitted.client_error;
}

TEST_F(CrlReconcileTest, SignsCrlAgainBeforeNextUpdate) {
  Json revoking = {{"crl", {{"enabled", true}, {"revokedSerials", {"0a:1b:2c"}}}},
                   {"certificate", {{"duration", "240h"}, {"renewBefore", "72h"}}}};
  Reconcile(Policy(revoking));
  const SystemTime revoked_at = clock_.Now();
  const std::string first = Leaf("vtctld").at("crl.pem");
  std::optional<SystemTime> renewal = CrlRenewalTime(first, 72h);
  ASSERT_TRUE(renewal.has_value());
  EXPECT_EQ(*renewal, revoked_at + 240h - 72h);

  // Leaves renew a little earlier than the CRL (jitter), and that pass signs the CRL too.
  clock_.Set(*renewal);
  Reconcile(Policy(revoking));
  const std::string second = Leaf("vtctld").at("crl.pem");
  ASSERT_NE(second, first);
  pki::Crl crl = pki::Crl::ParseAll(second)->at(0);
  EXPECT_EQ(crl.LastUpdate(), clock_.Now());
  EXPECT_EQ(crl.NextUpdate(), clock_.Now() + 240h);
  ASSERT_EQ(crl.Revoked().size(), 1u);
  EXPECT_EQ(crl.Revoked()[0].serial_hex, "0A1B2C");
  EXPECT_EQ(crl.Revoked()[0].revocation_time, revoked_at);  // Carried over.
  EXPECT_EQ(last_.status.revision, 2);
}

TEST_F(CrlReconcileTest, NewSerialUpdatesCrlOfEveryLeaf) {
  Json spec = {{"crl", {{"enabled", true}}}};
  Reconcile(Policy(spec));
  const std::string tablet_cert = Leaf("vttablet").at("tls.crt");
  // Revoke a serial no leaf carries: only crl.pem changes.
  spec["crl"]["revokedSerials"] = {"7F"};
  clock_.Advance(2h);
  Reconcile(Policy(spec));
  EXPECT_EQ(Leaf("vttablet").at("tls.crt"), tablet_cert);
  EXPECT_EQ(last_.status.revision, 2);
  for (const char* component : {"vttablet", "vtgate", "vtctld", "vtorc"}) {
    std::vector<pki::Crl> crls = *pki::Crl::ParseAll(Leaf(component).at("crl.pem"));
    ASSERT_EQ(crls.size(), 1u);
    ASSERT_EQ(crls[0].Revoked().size(), 1u) << component;
    EXPECT_EQ(crls[0].Revoked()[0].serial_hex, "7F") << component;
  }
  EXPECT_GE(events_.Count("CrlUpdated"), 1);
}

TEST_F(CrlReconcileTest, RemovedSerialIsNoLongerRevoked) {
  Json spec = {{"crl", {{"enabled", true}, {"revokedSerials", {"7F"}}}}};
  Reconcile(Policy(spec));
  spec["crl"]["revokedSerials"] = Json::array();
  Reconcile(Policy(spec));
  std::vector<pki::Crl> crls = *pki::Crl::ParseAll(Leaf("vtorc").at("crl.pem"));
  ASSERT_EQ(crls.size(), 1u);
  EXPECT_TRUE(crls[0].Revoked().empty());
}

}  // namespace
}  // namespace vtguard::op
