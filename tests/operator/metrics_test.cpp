#include "operator/metrics.h"

#include <gtest/gtest.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <sstream>

namespace vtguard::op {
namespace {

constexpr std::string_view kCertificatePrefix = "vtguard_certificate_";

// The certificate families as prometheus::Family objects, the way the operator stored them
// before the compact table, to compare the exposition against.
class ReferenceCertificateMetrics {
 public:
  ReferenceCertificateMetrics()
      : expiration_(
            prometheus::BuildGauge()
                .Name("vtguard_certificate_expiration_timestamp_seconds")
                .Help("The notAfter time of a certificate vtguard manages, in Unix seconds.")
                .Register(registry_)),
        ready_(prometheus::BuildGauge()
                   .Name("vtguard_certificate_ready_status")
                   .Help("1 for the current Ready condition status of a certificate, else 0.")
                   .Register(registry_)),
        renewal_(prometheus::BuildGauge()
                     .Name("vtguard_certificate_renewal_timestamp_seconds")
                     .Help("The time at which vtguard renews a certificate, in Unix seconds.")
                     .Register(registry_)) {}

  void SetCertificate(const OperatorMetrics::CertificateLabels& labels, double not_after,
                      double renewal) {
    const prometheus::Labels values = {{"namespace", labels.namespace_},
                                       {"name", labels.name},
                                       {"cluster", labels.cluster},
                                       {"component", labels.component}};
    expiration_.Add(values).Set(not_after);
    renewal_.Add(values).Set(renewal);
  }

  void SetCertificateReady(const std::string& ns, const std::string& name,
                           const std::string& condition) {
    for (const char* value : {"True", "False", "Unknown"}) {
      ready_.Add({{"namespace", ns}, {"name", name}, {"condition", value}})
          .Set(value == condition ? 1 : 0);
    }
  }

  std::string Serialize() const {
    return prometheus::TextSerializer().Serialize(registry_.Collect());
  }

 private:
  prometheus::Registry registry_;
  prometheus::Family<prometheus::Gauge>& expiration_;
  prometheus::Family<prometheus::Gauge>& ready_;
  prometheus::Family<prometheus::Gauge>& renewal_;
};

// The lines of the certificate families, sorted, because prometheus::Family exports its
// series in hash order.
std::vector<std::string> CertificateLines(const std::string& exposition) {
  std::vector<std::string> lines;
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.find(kCertificatePrefix) != std::string::npos) lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

SystemTime UnixSeconds(std::int64_t seconds) { return SystemTime(std::chrono::seconds(seconds)); }

TEST(OperatorMetrics, CertificateExpositionMatchesFamilies) {
  OperatorMetrics metrics;
  ReferenceCertificateMetrics reference;
  const std::vector<std::string> components = {"vttablet", "vtgate", "vtctld", "vtorc"};
  std::int64_t not_after = 1'900'000'000;
  for (const std::string ns : {"default", "team-b"}) {
    for (const std::string cluster : {"alpha", "beta"}) {
      for (const std::string& component : components) {
        const std::string name = cluster + "-vtguard-" + component;
        OperatorMetrics::CertificateLabels labels{ns, name, cluster, component};
        metrics.SetCertificate(labels, UnixSeconds(not_after), UnixSeconds(not_after - 86'400));
        reference.SetCertificate(labels, not_after, not_after - 86'400);
        const std::string condition = component == "vtorc" ? "False" : "True";
        metrics.SetCertificateReady(ns, name, condition);
        reference.SetCertificateReady(ns, name, condition);
        not_after += 3'600;
      }
    }
  }

  std::vector<std::string> expected = CertificateLines(reference.Serialize());
  std::vector<std::string> actual = CertificateLines(metrics.Serialize());
  ASSERT_EQ(expected.size(), 6u + 16 * 5);
  EXPECT_EQ(actual, expected);
}

TEST(OperatorMetrics, CertificateUpdateReplacesValues) {
  OperatorMetrics metrics;
  ReferenceCertificateMetrics reference;
  OperatorMetrics::CertificateLabels labels{"default", "alpha-vtguard-vtgate", "alpha", "vtgate"};
  metrics.SetCertificate(labels, UnixSeconds(100), UnixSeconds(50));
  metrics.SetCertificateReady("default", "alpha-vtguard-vtgate", "Unknown");
  metrics.SetCertificate(labels, UnixSeconds(200), UnixSeconds(150));
  metrics.SetCertificateReady("default", "alpha-vtguard-vtgate", "True");
  reference.SetCertificate(labels, 200, 150);
  reference.SetCertificateReady("default", "alpha-vtguard-vtgate", "True");

  EXPECT_EQ(CertificateLines(metrics.Serialize()), CertificateLines(reference.Serialize()));
}

TEST(OperatorMetrics, RemoveClusterDropsItsSeries) {
  OperatorMetrics metrics;
  for (const std::string cluster : {"alpha", "beta"}) {
    const std::string name = cluster + "-vtguard-vttablet";
    metrics.SetCertificate({"default", name, cluster, "vttablet"}, UnixSeconds(100),
                           UnixSeconds(50));
    metrics.SetCertificateReady("default", name, "True");
    metrics.SetRotationPhase("default", cluster, 0);
    metrics.SetAuditViolations("default", cluster, 0);
  }
  // The same cluster name in another namespace stays.
  metrics.SetCertificate({"other", "alpha-vtguard-vttablet", "alpha", "vttablet"}, UnixSeconds(100),
                         UnixSeconds(50));

  metrics.RemoveCluster("default", "alpha");

  std::string text = metrics.Serialize();
  EXPECT_EQ(text.find("cluster=\"alpha\",component=\"vttablet\",name=\"alpha-vtguard-vttablet\","
                      "namespace=\"default\""),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("name=\"alpha-vtguard-vttablet\",namespace=\"default\""), std::string::npos)
      << text;
  EXPECT_EQ(text.find("vtguard_rotation_phase{cluster=\"alpha\""), std::string::npos) << text;
  EXPECT_EQ(text.find("vtguard_audit_violations{cluster=\"alpha\""), std::string::npos) << text;
  EXPECT_NE(text.find("name=\"beta-vtguard-vttablet\""), std::string::npos) << text;
  EXPECT_NE(text.find("vtguard_rotation_phase{cluster=\"beta\""), std::string::npos) << text;
  EXPECT_NE(text.find("name=\"alpha-vtguard-vttablet\",namespace=\"other\""), std::string::npos)
      << text;
}

TEST(OperatorMetrics, RemovingLastCertificateDropsFamilies) {
  OperatorMetrics metrics;
  ReferenceCertificateMetrics empty_reference;
  metrics.SetCertificate({"default", "alpha-vtguard-vtctld", "alpha", "vtctld"}, UnixSeconds(10),
                         UnixSeconds(5));
  metrics.SetCertificateReady("default", "alpha-vtguard-vtctld", "True");

  metrics.RemoveCluster("default", "alpha");

  EXPECT_EQ(CertificateLines(metrics.Serialize()), CertificateLines(empty_reference.Serialize()));
}

}  // namespace
}  // namespace vtguard::op
