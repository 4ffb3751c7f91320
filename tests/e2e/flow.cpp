#include "tests/e2e/flow.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <ctime>
#include <fstream>

#include "common/base/time.h"
#include "common/pki/pki.h"
#include "tests/e2e/pod_render.h"
#include "tests/e2e/yaml_json.h"

namespace vtguard::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const json& AtOrNull(const json& root, const json::json_pointer& pointer) {
  static const json kNull;
  return root.contains(pointer) ? root.at(pointer) : kNull;
}

void AddSite(std::vector<InjectedFlags>& sites, const json& original, const json& mutated,
             const std::string& component, const std::string& pointer_text) {
  json::json_pointer pointer(pointer_text);
  const json& after = AtOrNull(mutated, pointer);
  if (!after.is_object()) return;
  const json& before = AtOrNull(original, pointer);
  InjectedFlags site{component, pointer_text, {}};
  for (const auto& [key, value] : after.items()) {
    bool unchanged = before.is_object() && before.contains(key) && before[key] == value;
    if (!unchanged) site.flags[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  sites.push_back(std::move(site));
}

}  // namespace

json FlowPolicy(const std::string& enforcement) {
  return {{"apiVersion", "vtguard.io/v1alpha1"},
          {"kind", "VitessTLSPolicy"},
          {"metadata", {{"name", kPolicyName}, {"namespace", kExampleNamespace}}},
          {"spec",
           {{"clusterSelector", json::object()},
            {"enforcement", enforcement},
            {"serverName", "vttablet.vtguard.internal"},
            {"clientAuth", "None"},
            {"vitessVersion", "24"},
            {"issuer", {{"selfSigned", json::object()}}},
            {"trustDomain", "Cluster"},
            {"rollout", "Automatic"},
            {"migration", "Direct"}}}};
}

json ClusterWithTabletFlags(const json& original, const std::string& name, const json& flags) {
  json cluster = original;
  cluster["metadata"] = {{"name", name}, {"namespace", kExampleNamespace}};
  json& pool = cluster["spec"]["keyspaces"][0]["partitionings"][0]["equal"]["shardTemplate"]
                      ["tabletPools"][0];
  for (const auto& [key, value] : flags.items()) pool["vttablet"]["extraFlags"][key] = value;
  return cluster;
}

json CreateReview(const json& object, const std::string& uid) {
  const json& metadata = object.value("metadata", json::object());
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", uid},
            {"kind", {{"group", "planetscale.com"}, {"version", "v2"}, {"kind", "VitessCluster"}}},
            {"resource",
             {{"group", "planetscale.com"}, {"version", "v2"}, {"resource", "vitessclusters"}}},
            {"name", metadata.value("name", "")},
            {"namespace", metadata.value("namespace", "")},
            {"operation", "CREATE"},
            {"userInfo", {{"username", "e2e"}}},
            {"object", object}}}};
}

Result<std::vector<json>> LoadExampleManifest(const fs::path& shared, const std::string& file) {
  VTG_ASSIGN_OR_RETURN(std::vector<json> documents,
                       LoadYamlFile(shared / "data/vitess-operator" / file));
  for (json& document : documents) {
    if (!document["metadata"].contains("namespace")) {
      document["metadata"]["namespace"] = kExampleNamespace;
    }
  }
  return documents;
}

std::vector<InjectedFlags> FindInjectedFlags(const json& original, const json& mutated) {
  std::vector<InjectedFlags> sites;
  AddSite(sites, original, mutated, "all", "/spec/extraVitessFlags");
  const json& spec = mutated["spec"];
  for (size_t c = 0; c < spec.value("cells", json::array()).size(); ++c) {
    AddSite(sites, original, mutated, "vtgate",
            "/spec/cells/" + std::to_string(c) + "/gateway/extraFlags");
  }
  AddSite(sites, original, mutated, "vtctld", "/spec/vitessDashboard/extraFlags");
  const json keyspaces = spec.value("keyspaces", json::array());
  for (size_t k = 0; k < keyspaces.size(); ++k) {
    std::string keyspace = "/spec/keyspaces/" + std::to_string(k);
    AddSite(sites, original, mutated, "vtorc", keyspace + "/vitessOrchestrator/extraFlags");
    const json partitionings = keyspaces[k].value("partitionings", json::array());
    for (size_t p = 0; p < partitionings.size(); ++p) {
      std::string base = keyspace + "/partitionings/" + std::to_string(p);
      const json& partitioning = partitionings[p];
      if (partitioning.contains("equal")) {
        const json pools = partitioning["equal"]
                               .value("shardTemplate", json::object())
                               .value("tabletPools", json::array());
        for (size_t t = 0; t < pools.size(); ++t) {
          AddSite(sites, original, mutated, "vttablet",
                  base + "/equal/shardTemplate/tabletPools/" + std::to_string(t) +
                      "/vttablet/extraFlags");
        }
      }
      const json shards =
          partitioning.value("custom", json::object()).value("shards", json::array());
      for (size_t s = 0; s < shards.size(); ++s) {
        const json pools = shards[s].value("tabletPools", json::array());
        for (size_t t = 0; t < pools.size(); ++t) {
          AddSite(sites, original, mutated, "vttablet",
                  base + "/custom/shards/" + std::to_string(s) + "/tabletPools/" +
                      std::to_string(t) + "/vttablet/extraFlags");
        }
      }
    }
  }
  return sites;
}

Result<std::set<std::string>> LoadDocumentedFlags(const fs::path& shared, int major,
                                                  const std::string& program) {
  fs::path path = shared / "data/vitess-flags" / ("v" + std::to_string(major)) / (program + ".txt");
  std::ifstream in(path);
  if (!in) return NotFound("no flag list " + path.string());
  std::set<std::string> names;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) names.insert(line);
  }
  return names;
}

Result<std::vector<json>> ListClusterSecrets(kube::Client& client, const std::string& ns,
                                             const std::string& cluster) {
  kube::ListOptions options;
  options.label_selector = "vtguard.io/cluster=" + cluster;
  VTG_ASSIGN_OR_RETURN(json list, client.ListAll(kube::SecretsResource(), ns, options));
  return list.value("items", json::array()).get<std::vector<json>>();
}

Result<CertificateSummary> SummarizeTlsSecret(const json& secret, std::time_t verify_time) {
  CertificateSummary summary;
  summary.secret = secret["metadata"].value("name", "");
  const json data = secret.value("data", json::object());
  VTG_ASSIGN_OR_RETURN(std::string cert_pem, DecodeBase64(data.value("tls.crt", "")));
  VTG_ASSIGN_OR_RETURN(std::string key_pem, DecodeBase64(data.value("tls.key", "")));
  VTG_ASSIGN_OR_RETURN(std::string ca_pem, DecodeBase64(data.value("ca.crt", "")));
  VTG_ASSIGN_OR_RETURN(std::vector<pki::Certificate> chain, pki::ParseCertificates(cert_pem));
  const pki::Certificate& leaf = chain.front();
  summary.subject = leaf.Subject();
  summary.issuer = leaf.Issuer();
  summary.dns_names = leaf.DnsNames();
  summary.not_after = FormatRfc3339(leaf.NotAfter());
  summary.serial = leaf.SerialHex();
  summary.key_matches = pki::ParseCertifiedKey(cert_pem, key_pem).ok();

  Result<std::vector<pki::Certificate>> roots = pki::ParseCertificates(ca_pem);
  if (!roots.ok()) {
    summary.chain_error = "ca.crt: " + roots.status().message();
    return summary;
  }
  // Checked with OpenSSL directly so the time can be the operator's shifted clock.
  X509_STORE* store = X509_STORE_new();
  for (const pki::Certificate& root : *roots) X509_STORE_add_cert(store, root.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  STACK_OF(X509)* untrusted = sk_X509_new_null();
  for (size_t i = 1; i < chain.size(); ++i) sk_X509_push(untrusted, chain[i].get());
  X509_STORE_CTX_init(ctx, store, leaf.get(), untrusted);
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), verify_time);
  if (X509_verify_cert(ctx) != 1) {
    summary.chain_error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  }
  X509_STORE_CTX_free(ctx);
  sk_X509_free(untrusted);
  X509_STORE_free(store);
  ERR_clear_error();
  return summary;
}

Status PodFleet::Roll(const std::vector<json>& clusters, const std::vector<json>& secrets) {
  restarted_.clear();
  ++generation_;
  const fs::path generation_root = root_ / ("generation-" + std::to_string(generation_));
  std::vector<std::string> order;
  std::map<std::string, Entry> pods;
  for (const json& cluster : clusters) {
    VTG_ASSIGN_OR_RETURN(std::vector<json> rendered, RenderClusterPods(cluster));
    for (json& pod : rendered) {
      std::string name = PodName(pod);
      order.push_back(name);
      auto previous = pods_.find(name);
      if (previous != pods_.end() && previous->second.pod == pod) {
        pods[name] = previous->second;
        continue;
      }
      VTG_ASSIGN_OR_RETURN(MaterializedPod view, MaterializeMounts(pod, secrets, generation_root));
      pods[name] = Entry{pod, std::move(view)};
      restarted_.push_back(name);
    }
  }
  removed_.clear();
  for (const auto& [name, entry] : pods_) {
    if (pods.count(name) == 0) removed_.push_back(entry.pod.dump());
  }
  order_ = std::move(order);
  pods_ = std::move(pods);
  return Status::Ok();
}

Status PodFleet::Publish(kube::Client& client) {
  const kube::Resource& resource = kube::PodsResource();
  auto delete_if_present = [&](const std::string& ns, const std::string& name) -> Status {
    Status deleted = client.Delete(resource, ns, name);
    if (deleted.ok() || deleted.code() == ErrorCode::kNotFound) return Status::Ok();
    return deleted.WithContext("deleting Pod " + name);
  };
  for (const std::string& removed : removed_) {
    const json pod = json::parse(removed);
    VTG_RETURN_IF_ERROR(delete_if_present(pod["metadata"].value("namespace", kExampleNamespace),
                                          pod["metadata"].value("name", "")));
  }
  for (const std::string& name : restarted_) {
    const json& pod = pods_.at(name).pod;
    const std::string ns = pod["metadata"].value("namespace", kExampleNamespace);
    VTG_RETURN_IF_ERROR(delete_if_present(ns, name));
    VTG_ASSIGN_OR_RETURN(json created, client.Create(resource, ns, pod));
    created["status"] = {{"phase", "Running"},
                         {"startTime", FormatRfc3339(std::chrono::system_clock::now())},
                         {"conditions", json::array({{{"type", "Ready"}, {"status", "True"}}})}};
    VTG_RETURN_IF_ERROR(client.UpdateStatus(resource, ns, created)
                            .status()
                            .WithContext("marking Pod " + name + " Ready"));
  }
  return Status::Ok();
}

std::vector<MaterializedPod> PodFleet::Views() const {
  std::vector<MaterializedPod> views;
  for (const std::string& name : order_) views.push_back(pods_.at(name).view);
  return views;
}

std::vector<MaterializedPod> PodFleet::ClusterViews(const std::string& cluster) const {
  std::vector<MaterializedPod> views;
  for (const std::string& name : order_) {
    const Entry& entry = pods_.at(name);
    const json labels = entry.pod["metadata"].value("labels", json::object());
    if (labels.value("planetscale.com/cluster", "") == cluster) views.push_back(entry.view);
  }
  return views;
}

Result<MaterializedPod> PodFleet::Find(const std::string& component,
                                       const std::map<std::string, std::string>& labels) const {
  for (const std::string& name : order_) {
    const Entry& entry = pods_.at(name);
    if (entry.view.component != component) continue;
    const json pod_labels = entry.pod["metadata"].value("labels", json::object());
    bool matches = true;
    for (const auto& [key, value] : labels) {
      matches = matches && pod_labels.value(key, "") == value;
    }
    if (matches) return entry.view;
  }
  return NotFound("no rendered " + component + " Pod matches the labels");
}

}  // namespace vtguard::e2e
