// ECDSA P-256 leaf issuance (key generation + signing + PEM of certificate and key) through
// the vtguard API, next to a loop of plain OpenSSL calls that does the same work, so that the
// ratio of the two rates shows the cost of the vtguard layer. See docs/benchmarks.md.
#include <benchmark/benchmark.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <cstdlib>

#include "common/pki/openssl_handles.h"
#include "common/pki/pki.h"

namespace vtguard::pki {
namespace {

const CertifiedKey& BenchmarkCa() {
  static const CertifiedKey kCa = [] {
    Result<CertifiedKey> ca = CreateCa({}, RealClock::Get());
    if (!ca.ok()) std::abort();
    return *ca;
  }();
  return kCa;
}

void BM_VtguardLeafIssuance(benchmark::State& state) {
  const CertifiedKey& ca = BenchmarkCa();
  LeafRequest request{.common_name = "vttablet",
                      .organization = "vtguard",
                      .dns_names = {"vttablet.vtguard.internal"},
                      .usages = {Usage::kServer, Usage::kClient}};
  for (auto _ : state) {
    Result<CertifiedKey> leaf = IssueLeaf(ca, request, RealClock::Get());
    if (!leaf.ok()) {
      state.SkipWithError(leaf.status().message().c_str());
      break;
    }
    Result<std::string> key_pem = leaf->key.ToPkcs8Pem();
    std::string cert_pem = leaf->certificate.ToPem();
    benchmark::DoNotOptimize(key_pem);
    benchmark::DoNotOptimize(cert_pem);
  }
  state.counters["certs_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void AddExtension(X509* cert, X509V3_CTX* context, int nid, const char* value) {
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, context, nid, value);
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// The same certificate as IssueLeaf builds (fields, extensions, digest), with plain OpenSSL
// calls and no input validation.
void BM_RawOpenSslLeafIssuance(benchmark::State& state) {
  const CertifiedKey& ca = BenchmarkCa();
  for (auto _ : state) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    X509_set_version(cert, X509_VERSION_3);
    unsigned char serial_bytes[16];
    RAND_bytes(serial_bytes, sizeof(serial_bytes));
    serial_bytes[0] = static_cast<unsigned char>((serial_bytes[0] & 0x7F) | 0x01);
    BIGNUM* serial_number = BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr);
    BN_to_ASN1_INTEGER(serial_number, X509_get_serialNumber(cert));
    BN_free(serial_number);

    X509_NAME* subject = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_NID(subject, NID_organizationName, MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("vtguard"), -1, -1, 0);
    X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("vttablet"), -1, -1, 0);
    X509_set_issuer_name(cert, X509_get_subject_name(ca.certificate.get()));
    time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    ASN1_TIME_set(X509_getm_notBefore(cert), now - 300);
    ASN1_TIME_set(X509_getm_notAfter(cert), now + 2160 * 3600);
    X509_set_pubkey(cert, key);

    X509V3_CTX context;
    X509V3_set_ctx(&context, ca.certificate.get(), cert, nullptr, nullptr, 0);
    AddExtension(cert, &context, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert, &context, NID_key_usage, "critical,digitalSignature");
    AddExtension(cert, &context, NID_ext_key_usage, "serverAuth,clientAuth");
    AddExtension(cert, &context, NID_subject_key_identifier, "hash");
    AddExtension(cert, &context, NID_authority_key_identifier, "keyid:always");
    AddExtension(cert, &context, NID_subject_alt_name, "DNS:vttablet.vtguard.internal");
    X509_sign(cert, ca.key.get(), EVP_sha256());

    BIO* key_bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    BIO* cert_bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(cert_bio, cert);
    char* data = nullptr;
    long length = BIO_get_mem_data(key_bio, &data);
    std::string key_pem(data, static_cast<size_t>(length));
    length = BIO_get_mem_data(cert_bio, &data);
    std::string cert_pem(data, static_cast<size_t>(length));
    benchmark::DoNotOptimize(key_pem);
    benchmark::DoNotOptimize(cert_pem);
    BIO_free(key_bio);
    BIO_free(cert_bio);
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  state.counters["certs_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// Both run in the same process; --benchmark_enable_random_interleaving=true alternates their
// repetitions so that load changes on a shared machine hit both alike.
BENCHMARK(BM_RawOpenSslLeafIssuance)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_VtguardLeafIssuance)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace vtguard::pki
