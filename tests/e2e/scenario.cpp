#include "tests/e2e/scenario.h"

#include <fstream>

#include "common/base/time.h"
#include "common/pki/pki.h"
#include "tests/e2e/mounts.h"

namespace vtguard::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;

constexpr char kRotationPhaseAnnotation[] = "vtguard.io/rotation-phase";
constexpr char kRotateCaAnnotation[] = "vtguard.io/rotate-ca";
// Leaves live 2160h and renew 720h before expiry by default, so +1500h is past renewal.
constexpr std::chrono::hours kPastLeafRenewal(1500);
constexpr int kMaxRotationSteps = 12;
// Reads of one observed state; the operator needs a Pod roll to pass two phases in a row.
constexpr int kMaxSnapshotAttempts = 5;

std::string SecretName(const std::string& cluster, const std::string& component) {
  return cluster + "-vtguard-" + component;
}

// Applies the VitessCluster and Secret documents of a manifest; other kinds (the backup
// PersistentVolumeClaim) are not needed without a kubelet.
Status ApplyManifest(Environment& env, const std::vector<json>& documents,
                     const std::string& cluster_name, json* cluster_out) {
  for (json document : documents) {
    std::string kind = document.value("kind", "");
    if (kind != "VitessCluster" && kind != "Secret") continue;
    if (kind == "VitessCluster") {
      document["metadata"]["name"] = cluster_name;
      *cluster_out = document;
    }
    VTG_RETURN_IF_ERROR(env.Apply(document).status().WithContext(
        "applying " + kind + " " + document["metadata"].value("name", "")));
  }
  return Status::Ok();
}

std::string DecodedField(const json& secret, const std::string& key) {
  Result<std::string> decoded =
      DecodeBase64(secret.value("data", json::object()).value(key, std::string()));
  return decoded.ok() ? *decoded : "";
}

std::string FirstCertificateField(const std::string& pem, bool issuer) {
  Result<std::vector<pki::Certificate>> chain = pki::ParseCertificates(pem);
  if (!chain.ok()) return "";
  return issuer ? chain->front().Issuer() : chain->front().SerialHex();
}

}  // namespace

std::string ClusterRevision(const json& cluster) {
  for (const json& keyspace : cluster["spec"].value("keyspaces", json::array())) {
    for (const json& partitioning : keyspace.value("partitionings", json::array())) {
      const json pools = partitioning.value("equal", json::object())
                             .value("shardTemplate", json::object())
                             .value("tabletPools", json::array());
      for (const json& pool : pools) {
        for (const json& env : pool.value("extraEnv", json::array())) {
          if (env.value("name", "") == "VTGUARD_TLS_REVISION") return env.value("value", "");
        }
      }
    }
  }
  return "";
}

Result<std::unique_ptr<Scenario>> Scenario::Start(const EnvironmentPaths& paths) {
  VTG_ASSIGN_OR_RETURN(std::unique_ptr<Environment> env, Environment::Start(paths));
  std::unique_ptr<Scenario> scenario(new Scenario(std::move(env), paths.work_dir / "pods"));
  // A CA that no vtguard component trusts, for the client that must be rejected.
  RealClock clock;
  pki::CaOptions options;
  options.common_name = "unrelated-ca";
  VTG_ASSIGN_OR_RETURN(pki::CertifiedKey other, pki::CreateCa(options, clock));
  scenario->other_ca_ = paths.work_dir / "unrelated-ca.crt";
  std::ofstream(scenario->other_ca_) << other.certificate.ToPem();
  return scenario;
}

// Waits until vtguard-webhook, which watches policies through the API, patches the example
// cluster of `manifest`, so that the policy applies to the first real write.
Status Scenario::WaitForWebhookPolicy(const std::vector<json>& manifest) {
  json cluster;
  for (const json& document : manifest) {
    if (document.value("kind", "") == "VitessCluster") cluster = document;
  }
  if (cluster.is_null()) return NotFound("the example manifest has no VitessCluster");
  cluster["metadata"]["namespace"] = kExampleNamespace;
  json review = {
      {"apiVersion", "admission.k8s.io/v1"},
      {"kind", "AdmissionReview"},
      {"request",
       {{"uid", "e2e-policy-probe"},
        {"kind", {{"group", "planetscale.com"}, {"version", "v2"}, {"kind", "VitessCluster"}}},
        {"resource",
         {{"group", "planetscale.com"}, {"version", "v2"}, {"resource", "vitessclusters"}}},
        {"name", cluster["metadata"].value("name", "")},
        {"namespace", kExampleNamespace},
        {"operation", "CREATE"},
        {"dryRun", true},
        {"userInfo", {{"username", "e2e"}}},
        {"object", cluster}}}};
  return WaitFor(
      "vtguard-webhook to patch VitessCluster under the new policy",
      [&] {
        Result<json> answer = env_->CallWebhook("/mutate/vitesscluster", review);
        return answer.ok() && answer->value("response", json::object()).contains("patch");
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200));
}

Status Scenario::ApplyPolicyAndManifests() {
  const fs::path& shared = env_->paths().shared_data;
  VTG_RETURN_IF_ERROR(
      env_->Apply(FlowPolicy("Enforce")).status().WithContext("applying the policy"));
  VTG_ASSIGN_OR_RETURN(std::vector<json> initial,
                       LoadExampleManifest(shared, "101_initial_cluster.yaml"));
  VTG_RETURN_IF_ERROR(WaitForWebhookPolicy(initial));

  VTG_RETURN_IF_ERROR(ApplyManifest(*env_, initial, kExampleCluster, &originals_[kExampleCluster]));
  VTG_ASSIGN_OR_RETURN(std::vector<json> customer,
                       LoadExampleManifest(shared, "201_customer_tablets.yaml"));
  VTG_RETURN_IF_ERROR(
      ApplyManifest(*env_, customer, kExampleCluster, &originals_[kExampleCluster]));
  VTG_ASSIGN_OR_RETURN(std::vector<json> vtadmin,
                       LoadExampleManifest(shared, "101_initial_cluster_vtorc_vtadmin.yaml"));
  VTG_RETURN_IF_ERROR(ApplyManifest(*env_, vtadmin, kVtadminCluster, &originals_[kVtadminCluster]));

  for (const char* cluster : {kExampleCluster, kVtadminCluster}) {
    for (const char* component : {"vttablet", "vtgate", "vtctld"}) {
      std::string name = SecretName(cluster, component);
      VTG_RETURN_IF_ERROR(WaitFor(
          "Secret " + name,
          [&] { return env_->client().Get(kube::SecretsResource(), kExampleNamespace, name).ok(); },
          seconds(60)));
    }
  }
  for (const char* cluster : {kExampleCluster, kVtadminCluster}) {
    VTG_RETURN_IF_ERROR(WaitFor(
        std::string("a TLS revision on VitessCluster ") + cluster,
        [&] {
          Result<json> stored = GetCluster(cluster);
          return stored.ok() && !ClusterRevision(*stored).empty();
        },
        seconds(60)));
  }
  return env_->CheckProcesses();
}

const json& Scenario::OriginalCluster(const std::string& name) const { return originals_.at(name); }

Result<json> Scenario::GetCluster(const std::string& name) {
  return env_->client().Get(kube::VitessClustersResource(), kExampleNamespace, name);
}

Result<json> Scenario::WaitForClusterPhase(const std::string& cluster, const std::string& phase,
                                           seconds timeout) {
  json found;
  Status waited = WaitFor(
      "cluster " + cluster + " in phase " + phase + " in the policy status",
      [&] {
        Result<json> policy =
            env_->client().Get(kube::VitessTlsPoliciesResource(), kExampleNamespace, kPolicyName);
        if (!policy.ok()) return false;
        const json clusters =
            policy->value("status", json::object()).value("clusters", json::array());
        for (const json& entry : clusters) {
          if (entry.value("name", "") != cluster) continue;
          found = entry;
          return entry.value("phase", "") == phase;
        }
        return false;
      },
      timeout, std::chrono::milliseconds(250));
  if (!waited.ok()) return waited.WithContext("last status entry: " + found.dump());
  return found;
}

Result<std::vector<json>> Scenario::CurrentClusters() {
  std::vector<json> clusters;
  for (const char* name : {kExampleCluster, kVtadminCluster}) {
    VTG_ASSIGN_OR_RETURN(json cluster, GetCluster(name));
    clusters.push_back(std::move(cluster));
  }
  return clusters;
}

Result<std::vector<json>> Scenario::CurrentSecrets() {
  kube::ListOptions options;
  options.label_selector = "app.kubernetes.io/managed-by=vtguard";
  VTG_ASSIGN_OR_RETURN(json list,
                       env_->client().ListAll(kube::SecretsResource(), kExampleNamespace, options));
  return list.value("items", json::array()).get<std::vector<json>>();
}

Result<HandshakeReport> Scenario::ProveHandshake(std::time_t verify_time) {
  // The clusters first: the operator writes Secrets before it bumps the revision, so Secrets
  // read afterwards are at least as new as the revision the Pods restart for.
  VTG_ASSIGN_OR_RETURN(std::vector<json> clusters, CurrentClusters());
  return ProveHandshakeWith(clusters, verify_time);
}

Result<HandshakeReport> Scenario::ProveHandshakeWith(const std::vector<json>& clusters,
                                                     std::time_t verify_time) {
  VTG_ASSIGN_OR_RETURN(std::vector<json> secrets, CurrentSecrets());
  VTG_RETURN_IF_ERROR(fleet_.Roll(clusters, secrets));
  VTG_RETURN_IF_ERROR(fleet_.Publish(env_->client()));

  HandshakeReport report;
  VTG_ASSIGN_OR_RETURN(MaterializedPod source,
                       fleet_.Find("vttablet", {{"planetscale.com/cluster", kExampleCluster},
                                                {"planetscale.com/keyspace", "commerce"}}));
  VTG_ASSIGN_OR_RETURN(MaterializedPod target,
                       fleet_.Find("vttablet", {{"planetscale.com/cluster", kExampleCluster},
                                                {"planetscale.com/keyspace", "customer"}}));
  report.source_pod = source.name;
  report.target_pod = target.name;
  report.tls = TabletHandshake(source, target, verify_time);

  VTG_ASSIGN_OR_RETURN(TlsServerFiles server, TabletServerFiles(source));
  server.verify_time = verify_time;
  report.plaintext = RunPlaintextAttempt(server);
  VTG_ASSIGN_OR_RETURN(TlsClientFiles client, TabletClientFiles(target));
  client.ca = other_ca_;
  client.verify_time = verify_time;
  report.other_ca = RunHandshake(server, client);

  // Each cluster has its own CA (trustDomain Cluster), so trust is checked within a cluster.
  for (const char* cluster : {kExampleCluster, kVtadminCluster}) {
    std::vector<MaterializedPod> views = fleet_.ClusterViews(cluster);
    report.pods += static_cast<int>(views.size());
    std::vector<BrokenTrust> broken = CheckTrustInvariant(views, verify_time);
    report.broken.insert(report.broken.end(), broken.begin(), broken.end());
  }
  return report;
}

Result<AdmissionAttempt> Scenario::TryApply(const std::string& description, const json& object) {
  AdmissionAttempt attempt;
  attempt.description = description;
  fs::path file =
      env_->paths().work_dir / ("attempt-" + object["metadata"].value("name", "object") + ".json");
  std::ofstream(file) << object.dump(2);
  // kubectl prints admission warnings on stderr; both streams are kept.
  Result<std::string> output =
      RunCommand({"/bin/sh", "-c",
                  "kubectl --kubeconfig '" + env_->kubeconfig().string() +
                      "' create --validate=false -f '" + file.string() + "' 2>&1"},
                 seconds(60));
  attempt.admitted = output.ok();
  attempt.output = output.ok() ? *output : output.status().message();
  return attempt;
}

Status Scenario::SetEnforcement(const std::string& enforcement) {
  json patch = {{"spec", {{"enforcement", enforcement}}}};
  VTG_RETURN_IF_ERROR(env_->client()
                          .Patch(kube::VitessTlsPoliciesResource(), kExampleNamespace, kPolicyName,
                                 kube::PatchType::kMerge, patch)
                          .status());
  // vtguard-webhook sees the change through its watch shortly after; callers retry admission.
  return Status::Ok();
}

Result<std::string> Scenario::CaRotationPhase() {
  VTG_ASSIGN_OR_RETURN(json ca, env_->client().Get(kube::SecretsResource(), kExampleNamespace,
                                                   SecretName(kExampleCluster, "ca")));
  std::string phase =
      ca["metadata"].value("annotations", json::object()).value(kRotationPhaseAnnotation, "");
  return phase.empty() ? "None" : phase;
}

Result<RotationStep> Scenario::ObserveStep(const std::string& trigger) {
  RotationStep step;
  step.trigger = trigger;
  std::time_t verify_time = std::time(nullptr) + env_->operator_clock_offset().count();
  // The phase and the clusters are read before the Pods roll, so the recorded state is the one
  // the Pods were rolled to; a change after these reads shows up as the next step.
  // The operator can enter a phase that needs no Pod restart (TrustBoth follows NewCA) between
  // two reads, so the reads repeat until the phase before and after them is the same.
  std::vector<json> clusters;
  for (int attempt = 0; attempt < kMaxSnapshotAttempts; ++attempt) {
    VTG_ASSIGN_OR_RETURN(step.rotation_phase, CaRotationPhase());
    VTG_ASSIGN_OR_RETURN(clusters, CurrentClusters());
    VTG_ASSIGN_OR_RETURN(json ca, env_->client().Get(kube::SecretsResource(), kExampleNamespace,
                                                     SecretName(kExampleCluster, "ca")));
    VTG_ASSIGN_OR_RETURN(json leaf, env_->client().Get(kube::SecretsResource(), kExampleNamespace,
                                                       SecretName(kExampleCluster, "vttablet")));
    step.revision = ClusterRevision(clusters.front());
    step.ca_serial = FirstCertificateField(DecodedField(ca, "tls.crt"), false);
    step.tablet_issuer = FirstCertificateField(DecodedField(leaf, "tls.crt"), true);
    VTG_ASSIGN_OR_RETURN(std::string phase_after, CaRotationPhase());
    if (phase_after == step.rotation_phase) break;
  }
  VTG_ASSIGN_OR_RETURN(step.handshake, ProveHandshakeWith(clusters, verify_time));
  step.restarted = fleet_.restarted();
  return step;
}

Result<std::vector<RotationStep>> Scenario::RenewAndRotate(seconds step_timeout) {
  std::vector<RotationStep> steps;
  auto state = [&]() -> std::string {
    Result<json> cluster = GetCluster(kExampleCluster);
    Result<std::string> phase = CaRotationPhase();
    if (!cluster.ok() || !phase.ok()) return "";
    return ClusterRevision(*cluster) + "/" + *phase;
  };
  auto wait_for_change = [&](const std::string& before, const std::string& what) -> Status {
    Status waited = WaitFor(
        what + " (state revision/phase was " + before + ")",
        [&] {
          std::string now = state();
          return !now.empty() && now != before;
        },
        step_timeout, std::chrono::milliseconds(250));
    if (waited.ok()) return waited;
    // The policy status and the Pods' revisions show why the operator does not move on.
    Result<json> policy =
        env_->client().Get(kube::VitessTlsPoliciesResource(), kExampleNamespace, kPolicyName);
    std::string status = policy.ok() ? policy->value("status", json::object()).dump() : "";
    std::string pods;
    Result<json> listed = env_->client().List(kube::PodsResource(), kExampleNamespace);
    for (const json& pod : listed.ok() ? listed->value("items", json::array()) : json::array()) {
      std::string revision;
      for (const json& env : pod["spec"]["containers"][0].value("env", json::array())) {
        if (env.value("name", "") == "VTGUARD_TLS_REVISION") revision = env.value("value", "");
      }
      pods += pod["metadata"].value("name", "") + "@" + revision + "/" +
              pod.value("status", json::object()).value("phase", "none") + " ";
    }
    return waited.WithContext("policy status " + status + "; pods " + pods);
  };

  // Renewal re-issues the tablet leaf, then bumps the revision so that the Pods restart.
  auto tablet_serial = [&]() -> std::string {
    Result<json> leaf = env_->client().Get(kube::SecretsResource(), kExampleNamespace,
                                           SecretName(kExampleCluster, "vttablet"));
    return leaf.ok() ? FirstCertificateField(DecodedField(*leaf, "tls.crt"), false) : "";
  };
  const std::string serial_before = tablet_serial();
  Result<json> cluster_before = GetCluster(kExampleCluster);
  const std::string revision_before = cluster_before.ok() ? ClusterRevision(*cluster_before) : "";
  VTG_RETURN_IF_ERROR(env_->SetOperatorClockOffset(kPastLeafRenewal));
  VTG_RETURN_IF_ERROR(WaitFor(
      "the operator to renew the tablet leaf and bump revision " + revision_before,
      [&] {
        Result<json> cluster = GetCluster(kExampleCluster);
        std::string revision = cluster.ok() ? ClusterRevision(*cluster) : "";
        return tablet_serial() != serial_before && !revision.empty() && revision != revision_before;
      },
      step_timeout, std::chrono::milliseconds(250)));
  VTG_ASSIGN_OR_RETURN(RotationStep renewed, ObserveStep("clock +1500h: leaf renewal"));
  steps.push_back(renewed);

  std::string before = state();
  json annotate = {{"metadata", {{"annotations", {{kRotateCaAnnotation, "e2e-rotation-1"}}}}}};
  VTG_RETURN_IF_ERROR(env_->client()
                          .Patch(kube::VitessClustersResource(), kExampleNamespace, kExampleCluster,
                                 kube::PatchType::kMerge, annotate)
                          .status()
                          .WithContext("requesting a CA rotation"));
  bool rotating = false;
  for (int i = 0; i < kMaxRotationSteps; ++i) {
    VTG_RETURN_IF_ERROR(wait_for_change(before, "the next rotation phase"));
    VTG_ASSIGN_OR_RETURN(RotationStep step, ObserveStep("rotate-ca"));
    before = step.revision + "/" + step.rotation_phase;
    rotating = rotating || step.rotation_phase != "None";
    steps.push_back(std::move(step));
    if (rotating && steps.back().rotation_phase == "None") return steps;
  }
  return DeadlineExceeded("the CA rotation did not finish within " +
                          std::to_string(kMaxRotationSteps) + " observed steps");
}

}  // namespace vtguard::e2e
