#include "tests/operator/test_env.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/vitess/admission.h"
#include "common/vitess/yaml_json.h"
#include "operator/cluster_reconciler.h"

namespace vtguard::op::testing {

std::vector<Json> LoadManifest(const std::string& file_name) {
  std::string path = std::string(VTGUARD_SHARED_DATA_DIR) + "/data/vitess-operator/" + file_name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  Result<std::vector<vitess::OrderedJson>> documents = vitess::ParseYamlDocuments(text.str());
  if (!documents.ok()) throw std::runtime_error(documents.status().ToString());
  std::vector<Json> result;
  for (const auto& document : *documents) {
    if (!document.is_null()) result.push_back(Json::parse(document.dump()));
  }
  return result;
}

Json LoadCluster(const std::string& file_name, const std::string& name) {
  for (Json& document : LoadManifest(file_name)) {
    if (document.value("kind", "") != "VitessCluster") continue;
    if (!name.empty()) document["metadata"]["name"] = name;
    document["metadata"]["namespace"] = kNamespace;
    return document;
  }
  throw std::runtime_error(file_name + " has no VitessCluster");
}

Json MakePolicy(const std::string& name, const Json& spec) {
  return {{"apiVersion", "vtguard.io/v1alpha1"},
          {"kind", "VitessTLSPolicy"},
          {"metadata", {{"name", name}, {"namespace", kNamespace}}},
          {"spec", spec}};
}

FakeVitessOperator::FakeVitessOperator(MemoryStore& store, std::string ns, std::string cluster,
                                       int tablets)
    : store_(store), ns_(std::move(ns)), cluster_(std::move(cluster)) {
  for (int i = 0; i < tablets; ++i) {
    pods_.push_back({cluster_ + "-vttablet-" + std::to_string(i), "vttablet", "", {}});
  }
  for (const char* component : {"vtgate", "vtctld", "vtorc"}) {
    pods_.push_back({cluster_ + "-" + component, component, "", {}});
  }
}

std::string FakeVitessOperator::ClusterRevisionValue() const {
  Result<Json> cluster = store_.Get(kVitessClusterKind, ns_, cluster_);
  if (!cluster.ok()) return "";
  std::int64_t revision = ClusterRevision(*cluster);
  return revision == 0 ? "" : std::to_string(revision);
}

SecretData FakeVitessOperator::ReadLeaf(const std::string& component) const {
  Result<Json> secret = store_.Get(kSecretKind, ns_, cluster_ + "-vtguard-" + component);
  if (!secret.ok()) return {};
  Result<SecretData> data = ReadSecretData(*secret);
  return data.ok() ? *data : SecretData{};
}

void FakeVitessOperator::WritePod(const SimulatedPod& pod) {
  Json object = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", pod.name},
        {"namespace", ns_},
        {"labels",
         {{"planetscale.com/cluster", cluster_}, {"planetscale.com/component", pod.component}}}}},
      {"spec",
       {{"containers",
         {{{"name", pod.component},
           {"env", {{{"name", "VTGUARD_TLS_REVISION"}, {"value", pod.revision}}}}}}}}},
      {"status",
       {{"startTime", "2026-12-04T10:00:00Z"},
        {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
  Result<Json> current = store_.Get(kPodKind, ns_, pod.name);
  if (current.ok()) {
    (void)store_.Delete(kPodKind, ns_, pod.name);
  }
  Result<Json> created = store_.Create(kPodKind, object);
  if (!created.ok()) throw std::runtime_error(created.status().ToString());
  Json with_status = *created;
  with_status["status"] = object["status"];
  Result<Json> updated = store_.UpdateStatus(kPodKind, with_status);
  if (!updated.ok()) throw std::runtime_error(updated.status().ToString());
}

void FakeVitessOperator::CreatePods() {
  std::string revision = ClusterRevisionValue();
  for (SimulatedPod& pod : pods_) {
    pod.revision = revision;
    pod.mounted = ReadLeaf(pod.component);
    WritePod(pod);
  }
}

bool FakeVitessOperator::RestartOnePod() {
  std::string revision = ClusterRevisionValue();
  for (SimulatedPod& pod : pods_) {
    if (pod.revision == revision) continue;
    pod.revision = revision;
    pod.mounted = ReadLeaf(pod.component);
    WritePod(pod);
    return true;
  }
  return false;
}

int FakeVitessOperator::RollAll() {
  int restarted = 0;
  while (RestartOnePod()) ++restarted;
  return restarted;
}

std::vector<std::string> FakeVitessOperator::TrustGaps(const std::string& server_name,
                                                       const Clock& clock) const {
  std::vector<std::string> gaps;
  auto verify = [&](const SimulatedPod& truster, const SimulatedPod& presenter,
                    std::optional<std::string> name) {
    auto bundle_pem = truster.mounted.find("ca.crt");
    auto leaf_pem = presenter.mounted.find("tls.crt");
    if (bundle_pem == truster.mounted.end() || leaf_pem == presenter.mounted.end()) return;
    Result<pki::TrustBundle> bundle = pki::TrustBundle::Parse(bundle_pem->second);
    Result<pki::Certificate> leaf = pki::Certificate::FromPem(leaf_pem->second);
    if (!bundle.ok() || !leaf.ok()) {
      gaps.push_back(truster.name + " or " + presenter.name + " has unreadable files");
      return;
    }
    pki::VerifyOptions options;
    options.server_name = std::move(name);
    pki::VerifyResult result = pki::VerifyCertificate(*leaf, *bundle, options, clock);
    if (!result.ok()) {
      gaps.push_back(truster.name + " does not trust " + presenter.name + ": " + result.message);
    }
  };
  for (const SimulatedPod& server : pods_) {
    if (server.component != "vttablet") continue;
    for (const SimulatedPod& client : pods_) {
      if (&client == &server) continue;
      verify(client, server, server_name);   // The client checks the tablet's certificate.
      verify(server, client, std::nullopt);  // The tablet checks a client certificate.
    }
  }
  return gaps;
}

}  // namespace vtguard::op::testing
