// vtguard-e2e-demo: runs the end-to-end scenario once and prints a short report.
//
//   vtguard-e2e-demo [--work-dir DIR]
//
// It starts the built-in test Kubernetes API server (no real cluster is involved), the real
// vtguard-operator and vtguard-webhook binaries from the build folder, applies a
// VitessTLSPolicy and vitess-operator's example clusters, and shows what vtguard injected, the
// certificates it issued, real TLS handshakes between tablets, the manifests it denies and a
// renewal followed by a CA rotation. Exit code 0 when every check passed, 1 otherwise, 2 when
// the environment could not start.
#include <cstring>
#include <iostream>
#include <string>

#include "tests/e2e/scenario.h"

namespace vtguard::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

int failures = 0;

void Check(bool ok, const std::string& what, const std::string& detail = "") {
  std::cout << "  [" << (ok ? "ok" : "FAILED") << "] " << what;
  if (!ok && !detail.empty()) std::cout << "\n           " << detail;
  std::cout << "\n";
  if (!ok) ++failures;
}

std::string Join(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

// The first line of kubectl's output that names the problem, without the request preamble.
std::string FirstMessage(const std::string& output) {
  size_t start = output.find("denied the request: ");
  std::string text = start == std::string::npos ? output : output.substr(start + 20);
  return text.substr(0, text.find('\n'));
}

// Prints `value` as indented "key: value" lines, the way the policy would read in YAML.
void PrintYamlLike(const json& value, int indent) {
  for (const auto& [key, item] : value.items()) {
    std::cout << std::string(indent, ' ') << key << ":";
    if (item.is_object() && !item.empty()) {
      std::cout << "\n";
      PrintYamlLike(item, indent + 2);
      continue;
    }
    std::cout << " " << (item.is_string() ? item.get<std::string>() : item.dump()) << "\n";
  }
}

void PrintInjection(Scenario& scenario) {
  std::cout << "\n2. What admission injected (Vitess v24 spelling)\n"
            << "  The revision is VTGUARD_TLS_REVISION in each component's extraEnv: when the\n"
            << "  certificate files change, vtguard-operator raises it and vitess-operator\n"
            << "  restarts the Pods. A new cluster stays at revision 1, because its first\n"
            << "  certificates are new Secrets that its Pods wait for.\n";
  for (const char* name : {kExampleCluster, kVtadminCluster}) {
    Result<json> stored = scenario.GetCluster(name);
    if (!stored.ok()) {
      Check(false, std::string("read VitessCluster ") + name, stored.status().ToString());
      continue;
    }
    std::cout << "  VitessCluster " << name << " (revision " << ClusterRevision(*stored) << ")\n";
    for (const InjectedFlags& site : FindInjectedFlags(scenario.OriginalCluster(name), *stored)) {
      if (site.flags.empty()) continue;
      std::cout << "    " << site.component << " " << site.pointer << "\n";
      for (const auto& [flag, value] : site.flags) {
        std::cout << "      --" << flag << "=" << value << "\n";
      }
    }
  }
}

void PrintCertificates(Scenario& scenario) {
  std::cout << "\n3. Certificates issued by vtguard-operator (namespace example)\n"
            << "  A vtorc certificate only for a cluster with a keyspace that runs vtorc.\n";
  for (const char* cluster : {kExampleCluster, kVtadminCluster}) {
    auto secrets = ListClusterSecrets(scenario.env().client(), kExampleNamespace, cluster);
    if (!secrets.ok()) continue;
    for (const json& secret : *secrets) {
      if (secret.value("type", "") != "kubernetes.io/tls") continue;
      auto summary = SummarizeTlsSecret(secret, std::time(nullptr));
      if (!summary.ok()) continue;
      std::cout << "    " << summary->secret << ": subject " << summary->subject << ", SANs ["
                << Join(summary->dns_names) << "], expires " << summary->not_after << "\n";
      Check(summary->chain_error.empty() && summary->key_matches,
            summary->secret + " chains to its ca.crt and its key matches", summary->chain_error);
    }
  }
}

void PrintHandshake(const HandshakeReport& report) {
  std::cout << "    source " << report.source_pod << " (commerce), target " << report.target_pod
            << " (customer)\n";
  Check(report.tls.ok,
        "target tablet client -> source gRPC port: " +
            (report.tls.ok ? report.tls.protocol + ", ALPN " + report.tls.alpn + ", server " +
                                 report.tls.peer_subject
                           : std::string("failed")),
        report.tls.reason);
  Check(!report.plaintext.ok, "plaintext client rejected: " + report.plaintext.reason);
  Check(!report.other_ca.ok, "client trusting an unrelated CA rejected: " + report.other_ca.reason);
  std::string broken;
  for (const BrokenTrust& pair : report.broken) broken += pair.ToString() + "; ";
  Check(report.broken.empty(),
        "every client of " + std::to_string(report.pods) + " Pods trusts every tablet it dials",
        broken);
}

void PrintAdmission(Scenario& scenario) {
  std::cout << "\n5. Manifests vtguard denies (policy enforcement Enforce)\n";
  const json& original = scenario.OriginalCluster(kExampleCluster);
  struct Case {
    std::string name, description, flag, value;
  };
  for (const Case& test :
       {Case{"demo-bogus", "a flag from hardening write-ups", "vreplication_ssl_ca",
             "/vt/vtguard/tls/ca.crt"},
        Case{"demo-plaintext", "plaintext turned back on", "grpc-enable-optional-tls", "true"}}) {
    json cluster = ClusterWithTabletFlags(original, test.name, {{test.flag, test.value}});
    auto attempt = scenario.TryApply(test.description, cluster);
    if (!attempt.ok()) continue;
    Check(!attempt->admitted, test.description + " (--" + test.flag + ") denied:\n           " +
                                  FirstMessage(attempt->output));
  }
}

// Switches the policy to Warn, sends the bogus manifest to the webhook for validation, prints
// the warnings it returns with the admission, then switches back to Enforce.
void PrintWarnMode(Scenario& scenario) {
  std::cout
      << "\n   The same bogus flag with the policy's enforcement set to Warn, sent to the\n"
      << "   validating webhook alone: without the mutating webhook first, the manifest also\n"
      << "   lacks the TLS flags that mutation would add, so those are warned about too.\n";
  Status changed = scenario.SetEnforcement("Warn");
  Check(changed.ok(), "policy enforcement changed to Warn", changed.ToString());
  if (!changed.ok()) return;
  json bogus = ClusterWithTabletFlags(scenario.OriginalCluster(kExampleCluster), "demo-warned",
                                      {{"vreplication_ssl_ca", "/vt/vtguard/tls/ca.crt"}});
  Result<json> answer =
      scenario.env().CallWebhook("/validate/vitesscluster", CreateReview(bogus, "demo-warn"));
  if (!answer.ok()) {
    Check(false, "webhook answered the review", answer.status().ToString());
  } else {
    const json response = answer->value("response", json::object());
    const json warnings = response.value("warnings", json::array());
    Check(response.value("allowed", false) && !warnings.empty(),
          "admitted with " + std::to_string(warnings.size()) + " warning(s):", answer->dump());
    for (const json& warning : warnings) {
      std::cout << "           " << warning.get<std::string>() << "\n";
    }
  }
  Status restored = scenario.SetEnforcement("Enforce");
  Check(restored.ok(), "policy enforcement back to Enforce", restored.ToString());
}

int Run(const fs::path& work_dir) {
  EnvironmentPaths paths;
  paths.work_dir = work_dir;
  fs::remove_all(paths.work_dir);
  paths.binary_dir = VTGUARD_BINARY_DIR;
  paths.source_dir = VTGUARD_SOURCE_DIR;
  paths.shared_data = VTGUARD_SHARED_DATA_DIR;
  paths.helm = fs::path(VTGUARD_SOURCE_DIR) / ".tools/helm";

  std::cout << "vtguard end-to-end demo\n"
            << "The Kubernetes API here is vtguard's built-in test API server on 127.0.0.1, not a "
               "real cluster.\nNo vitess-operator runs either: this program renders the Pods it "
               "would create and\nwrites the Secret files each Pod would mount.\n\n";
  auto scenario = Scenario::Start(paths);
  if (!scenario.ok()) {
    std::cout << "The environment did not start: " << scenario.status().ToString() << "\n";
    return 2;
  }
  std::cout << "Started: test API server " << (*scenario)->env().api_url()
            << ", vtguard-operator, vtguard-webhook (logs in " << work_dir.string() << ")\n";

  std::cout << "\n1. Policy and manifests\n"
            << "  VitessTLSPolicy example/vtguard, spec:\n";
  PrintYamlLike(FlowPolicy("Enforce")["spec"], 4);
  Status applied = (*scenario)->ApplyPolicyAndManifests();
  Check(applied.ok(),
        "applied 101_initial_cluster, 201_customer_tablets and "
        "101_initial_cluster_vtorc_vtadmin (as example-vtadmin)",
        applied.ToString());
  if (!applied.ok()) return 1;
  PrintInjection(**scenario);
  PrintCertificates(**scenario);
  auto secured =
      (*scenario)->WaitForClusterPhase(kExampleCluster, "Secured", std::chrono::seconds(60));
  Check(secured.ok(), "policy status lists cluster example as Secured",
        secured.status().ToString());

  std::cout << "\n4. Real TLS handshakes with the mounted files\n";
  auto report = (*scenario)->ProveHandshake(std::time(nullptr));
  if (report.ok()) PrintHandshake(*report);
  if (!report.ok()) Check(false, "render and mount the Pods", report.status().ToString());

  PrintAdmission(**scenario);
  PrintWarnMode(**scenario);

  std::cout << "\n6. Renewal and CA rotation (operator clock moved forward)\n"
            << "  Rotation phases: NewCA (new key created), TrustBoth (every bundle holds the old\n"
            << "  and new CA), ReissueLeaves (leaves signed by the new CA), DropOld (old CA\n"
            << "  removed), None (no rotation running). Each phase waits for the Pods of the\n"
            << "  previous one to restart. The CA serial is that of the signing CA in the\n"
            << "  CA Secret when the step was observed.\n";
  auto steps = (*scenario)->RenewAndRotate(std::chrono::seconds(60));
  if (!steps.ok()) Check(false, "renewal and rotation", steps.status().ToString());
  if (steps.ok()) {
    for (const RotationStep& step : *steps) {
      std::cout << "  " << step.trigger << ": rotation phase " << step.rotation_phase
                << ", revision " << step.revision << ", CA serial " << step.ca_serial.substr(0, 12)
                << "..., " << step.restarted.size() << " Pods restarted\n";
      const HandshakeReport& step_report = step.handshake;
      std::string broken;
      for (const BrokenTrust& pair : step_report.broken) broken += pair.ToString() + "; ";
      Check(step_report.tls.ok && !step_report.plaintext.ok && !step_report.other_ca.ok &&
                step_report.broken.empty(),
            "handshake commerce <- customer succeeds, plaintext and unrelated CA rejected, all " +
                std::to_string(step_report.pods) + " Pods trust their peers",
            step_report.tls.reason + " " + broken);
    }
  }
  std::cout << "\n" << (failures == 0 ? "All checks passed." : "Some checks FAILED.") << "\n";
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace vtguard::e2e

int main(int argc, char** argv) {
  std::filesystem::path work_dir = std::filesystem::temp_directory_path() / "vtguard-e2e-demo";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--work-dir") == 0 && i + 1 < argc) {
      work_dir = argv[++i];
    } else {
      std::cerr << "usage: vtguard-e2e-demo [--work-dir DIR]\n";
      return 2;
    }
  }
  return vtguard::e2e::Run(work_dir);
}
