// `vtguard check` and `vtguard inject` on the example manifests, through the command entry
// points.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/check_manifests.h"
#include "cli/commands.h"
#include "common/vitess/yaml_json.h"

namespace vtguard::cli {
namespace {

struct CommandRun {
  int code;
  std::string out;
  std::string err;
};

CommandRun RunCommand(int (*command)(const std::vector<std::string>&, CommandIo),
                      std::vector<std::string> args) {
  std::ostringstream out, err;
  int code = command(args, CommandIo{out, err});
  return {code, out.str(), err.str()};
}

std::string Example(const std::string& name) {
  return std::string(VTGUARD_SOURCE_DIR) + "/examples/" + name;
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("vtguard-cli-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path.string();
}

TEST(CheckCommand, ReportsBrokenClusterWithPaths) {
  CommandRun run = RunCommand(
      RunCheckCommand, {"-f", Example("cluster-broken.yaml"), "--policy", Example("policy.yaml")});
  EXPECT_EQ(run.code, kExitFindings);
  EXPECT_NE(run.out.find("cluster-broken.yaml:document 1: /spec/extraVitessFlags/tablet_grpc_ca: "),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("vreplication_ssl_ca does not exist"), std::string::npos);
  EXPECT_NE(run.out.find("(write tablet_grpc_ca)"), std::string::npos);
}

TEST(CheckCommand, JsonOutputAndExitCodes) {
  CommandRun run = RunCommand(RunCheckCommand, {"-f", Example("cluster-v24.yaml"), "-o", "json"});
  EXPECT_EQ(run.code, kExitFindings);
  nlohmann::json list = nlohmann::json::parse(run.out);
  ASSERT_FALSE(list.empty());
  EXPECT_EQ(list[0]["document"], 1);
  EXPECT_EQ(list[0]["line"], 1);
  EXPECT_EQ(list[0]["severity"], "error");
  EXPECT_EQ(RunCommand(RunCheckCommand, {"-f", "/nonexistent/cluster.yaml"}).code, kExitUsage);
  EXPECT_EQ(RunCommand(RunCheckCommand, {"-f", WriteTemp("bad.yaml", "a: [b\n")}).code, kExitUsage);
  EXPECT_EQ(RunCommand(RunCheckCommand, {"-f", Example("cluster-v24.yaml"), "-o", "xml"}).code,
            kExitUsage);
}

TEST(InjectCommand, OutputPassesCheckAndKeepsOtherDocuments) {
  std::string input = WriteTemp(
      "multi.yaml",
      "# leading comment\napiVersion: v1\nkind: ConfigMap\n"
      "metadata: {name: first}\ndata: {port: \"3306\"}\n---\n" +
          [] {
            std::ifstream in(Example("cluster-v21.yaml"));
            std::stringstream text;
            text << in.rdbuf();
            return text.str();
          }() +
          "---\napiVersion: v1\nkind: Secret\nmetadata: {name: last}\n");
  CommandRun inject = RunCommand(RunInjectCommand, {"-f", input});
  ASSERT_EQ(inject.code, kExitOk) << inject.err;
  EXPECT_EQ(inject.out.rfind("# leading comment\napiVersion: v1\nkind: ConfigMap\n", 0), 0u);
  EXPECT_NE(inject.out.find("data: {port: \"3306\"}\n---\n"), std::string::npos);
  EXPECT_NE(inject.out.find("tablet_grpc_ca: /vt/vtguard/tls/ca.crt"), std::string::npos);
  EXPECT_NE(inject.out.find("value: \"1\""), std::string::npos);
  const std::string last = "---\napiVersion: v1\nkind: Secret\nmetadata: {name: last}\n";
  ASSERT_GE(inject.out.size(), last.size());
  EXPECT_EQ(inject.out.substr(inject.out.size() - last.size()), last);

  std::string output = WriteTemp("injected.yaml", inject.out);
  CommandRun check = RunCommand(RunCheckCommand, {"-f", output});
  EXPECT_EQ(check.code, kExitOk) << check.out;
  CommandRun again = RunCommand(RunInjectCommand, {"-f", output});
  EXPECT_EQ(again.out, inject.out);
}

TEST(InjectCommand, RealManifestsPassCheck) {
  for (const char* file : {"101_initial_cluster.yaml", "101_initial_cluster_vtorc_vtadmin.yaml",
                           "201_customer_tablets.yaml"}) {
    std::string path = std::string(VTGUARD_SHARED_DATA_DIR) + "/data/vitess-operator/" + file;
    CommandRun inject =
        RunCommand(RunInjectCommand, {"-f", path, "--policy", Example("policy.yaml")});
    ASSERT_EQ(inject.code, kExitOk) << file << ": " << inject.err;
    std::string output = WriteTemp(std::string("real-") + file, inject.out);
    CommandRun check =
        RunCommand(RunCheckCommand, {"-f", output, "--policy", Example("policy.yaml")});
    EXPECT_EQ(check.code, kExitOk) << file << ":\n" << check.out;
  }
}

std::string Case09() {
  return std::string(VTGUARD_SHARED_DATA_DIR) + "/cases/09-flag-spelling-by-version.yaml";
}

std::string SpellFlagUnderscored(std::string name) {
  for (char& c : name) c = c == '-' ? '_' : c;
  return name;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(InjectCommand, ReportsFlagsLeftInOutput) {
  // The fragments set no vtctld image, so the policy supplies the version for it.
  std::string policy = WriteTemp("ns1-policy.yaml",
                                 "apiVersion: vtguard.io/v1alpha1\nkind: VitessTLSPolicy\n"
                                 "metadata: {name: p, namespace: ns1}\n"
                                 "spec: {vitessVersion: v24.0.4}\n");
  CommandRun inject = RunCommand(RunInjectCommand, {"-f", Case09(), "--policy", policy});
  EXPECT_EQ(inject.code, kExitFindings) << inject.err;
  // Cluster C (v21, dashed keys) is the third document; A injects cleanly, and B (the user's
  // own tablet certificate) leaves vtctld without a CA for its tablets
  // (InjectCommand.UserTlsTabletsGetNoVtguardTrust).
  std::string c = Case09() + ":document 3: ";
  std::string flags =
      "/spec/keyspaces/0/partitionings/0/equal/shardTemplate/tabletPools/0/vttablet/extraFlags/";
  for (const char* key : {"grpc-cert", "grpc-key", "tablet-grpc-ca"}) {
    EXPECT_THAT(Lines(inject.err),
                ::testing::Contains("vtguard inject: " + c + flags + key +
                                    ": v21.0.4 does not accept the dashed flag " + key +
                                    "; vttablet exits at start-up (write " +
                                    SpellFlagUnderscored(key) + ")"))
        << inject.err;
  }
  for (const std::string& line : Lines(inject.err)) {
    if (line.find(":document 3: ") != std::string::npos) continue;
    if (line.find(":document 2: /spec/vitessDashboard: vtctld lacks") != std::string::npos) {
      continue;
    }
    EXPECT_THAT(line, ::testing::HasSubstr(": info: /spec/images/vtctld: no image is set; assumed "
                                           "Vitess v24.0.4"));
  }
  // The manifests are still written: all three clusters, A with dashed flags added.
  EXPECT_THAT(inject.out, ::testing::HasSubstr("name: cluster1"));
  EXPECT_THAT(inject.out, ::testing::HasSubstr("name: cluster3"));
  EXPECT_THAT(inject.out, ::testing::HasSubstr("tablet-grpc-ca: /vt/vtguard/tls/ca.crt"));

  // check reports the same errors for the written manifests.
  CommandRun check =
      RunCommand(RunCheckCommand, {"-f", WriteTemp("case09.yaml", inject.out), "--policy", policy});
  EXPECT_EQ(check.code, kExitFindings);
  EXPECT_THAT(check.out, ::testing::HasSubstr(":document 3: " + flags + "grpc-cert: v21.0.4"));
}

// The fields of cluster B of case 09 as inject writes them.
struct Case09Output {
  nlohmann::json cluster;
  std::string text;
};

Case09Output InjectedCase09B(const std::string& policy) {
  CommandRun inject = RunCommand(RunInjectCommand, {"-f", Case09(), "--policy", policy});
  std::vector<DocumentText> documents = SplitYamlDocuments(inject.out);
  EXPECT_EQ(documents.size(), 3u);
  if (documents.size() != 3) return {};
  Result<std::vector<vitess::OrderedJson>> parsed = vitess::ParseYamlDocuments(documents[1].text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (!parsed.ok() || parsed->size() != 1) return {};
  return {nlohmann::json::parse(parsed->front().dump()), documents[1].text};
}

std::string Case09Policy() {
  // The fragments set no vtctld image, so the policy supplies the version for it.
  return WriteTemp("ns1-v24-policy.yaml",
                   "apiVersion: vtguard.io/v1alpha1\nkind: VitessTLSPolicy\n"
                   "metadata: {name: p, namespace: ns1}\n"
                   "spec: {vitessVersion: v24.0.4}\n");
}

TEST(InjectCommand, UserTlsTabletsGetNoVtguardTrust) {
  std::string policy = Case09Policy();
  Case09Output b = InjectedCase09B(policy);
  const std::string pool = "/spec/keyspaces/0/partitionings/0/equal/shardTemplate/tabletPools/0";
  nlohmann::json expected_flags = {
      {"grpc-cert", "/vt/tls/tls.crt"},
      {"grpc-key", "/vt/tls/tls.key"},
      {"--tablet-grpc-ca", "/vt/tls/ca.crt"},
      {"tablet-grpc-server-name", "vttablet.cluster2.ns1.example.com"},
      {"tablet-manager-grpc-ca", "/vt/tls/ca.crt"},
      {"tablet-manager-grpc-server-name", "vttablet.cluster2.ns1.example.com"}};
  EXPECT_EQ(b.cluster.at(nlohmann::json::json_pointer(pool + "/vttablet/extraFlags")),
            expected_flags);
  // No vtguard CA, Secret, mount or revision beside the user's certificate.
  EXPECT_THAT(b.text, ::testing::Not(::testing::HasSubstr("vtguard/tls")));
  EXPECT_THAT(b.text, ::testing::Not(::testing::HasSubstr("cluster2-vtguard-")));
  EXPECT_THAT(b.text, ::testing::Not(::testing::HasSubstr("VTGUARD_TLS_REVISION")));
  EXPECT_FALSE(b.cluster["spec"].contains("vitessDashboard")) << b.text;

  CommandRun inject = RunCommand(RunInjectCommand, {"-f", Case09(), "--policy", policy});
  EXPECT_THAT(
      Lines(inject.err),
      ::testing::Contains(
          "vtguard inject: " + Case09() +
          ":document 2: /spec/vitessDashboard: vtctld lacks TLS flags tablet-grpc-ca, "
          "tablet-grpc-server-name, tablet-manager-grpc-ca, tablet-manager-grpc-server-name for "
          "tablets that serve /vt/tls/tls.crt (set them on vtctld to your CA and server name (the "
          "tablets' own clients use /vt/tls/ca.crt and vttablet.cluster2.ns1.example.com), or "
          "remove grpc-cert and grpc-key from vttablet to let vtguard manage TLS)"))
      << inject.err;
}

TEST(CheckCommand, NamesVtguardCaBesideUserCertificate) {
  // Cluster B of case 09 as an earlier vtguard wrote it: vtguard's CA and server name for the
  // tablet-manager client of tablets that serve the user's certificate, and on vtctld.
  std::string policy = Case09Policy();
  nlohmann::json cluster = InjectedCase09B(policy).cluster;
  const std::string flags =
      "/spec/keyspaces/0/partitionings/0/equal/shardTemplate/tabletPools/0/vttablet/extraFlags";
  nlohmann::json& tablet = cluster[nlohmann::json::json_pointer(flags)];
  tablet["tablet-manager-grpc-ca"] = "/vt/vtguard/tls/ca.crt";
  tablet["tablet-manager-grpc-server-name"] = "vttablet.vtguard.internal";
  cluster["spec"]["vitessDashboard"] = {
      {"extraFlags",
       {{"tablet-grpc-ca", "/vt/vtguard/tls/ca.crt"},
        {"tablet-grpc-server-name", "vttablet.vtguard.internal"}}},
      {"extraVolumes", {{{"name", "vtguard-tls"}, {"secret", {{"secretName", "x"}}}}}},
      {"extraVolumeMounts", {{{"name", "vtguard-tls"}, {"mountPath", "/vt/vtguard/tls"}}}}};
  std::string input = WriteTemp("case09-mixed.json", cluster.dump());

  CommandRun check = RunCommand(RunCheckCommand, {"-f", input, "--policy", policy});
  EXPECT_EQ(check.code, kExitFindings);
  std::string label = input + ":document 1: ";
  EXPECT_THAT(Lines(check.out),
              ::testing::Contains(::testing::StartsWith(
                  label + flags +
                  "/tablet-manager-grpc-ca: vttablet dials tablets that serve /vt/tls/tls.crt, "
                  "but tablet-manager-grpc-ca is vtguard's CA /vt/vtguard/tls/ca.crt (set ")))
      << check.out;
  EXPECT_THAT(
      Lines(check.out),
      ::testing::Contains(::testing::StartsWith(
          label + "/spec/vitessDashboard/extraFlags/tablet-grpc-ca: vtctld dials tablets that "
                  "serve /vt/tls/tls.crt, but tablet-grpc-ca is vtguard's CA")))
      << check.out;
  EXPECT_THAT(check.out, ::testing::HasSubstr("vtctld lacks TLS flags tablet-manager-grpc-ca, "
                                              "tablet-manager-grpc-server-name for tablets"));
}

TEST(InjectCommand, ExplainsCertificateLeftWithoutKey) {
  // The broken example sets its own grpc_cert and no grpc_key: inject keeps the user's file,
  // adds no key of vtguard's beside it, and prints why.
  std::string input = Example("cluster-broken.yaml");
  CommandRun inject =
      RunCommand(RunInjectCommand, {"-f", input, "--policy", Example("policy.yaml")});
  EXPECT_EQ(inject.code, kExitFindings);
  EXPECT_THAT(
      Lines(inject.err),
      ::testing::Contains(
          "vtguard inject: " + input +
          ":document 1: /spec/keyspaces/0/partitionings/0/equal/shardTemplate/tabletPools/0/"
          "vttablet/extraFlags/grpc_cert: grpc_cert /vt/tls/tls.crt is set without grpc_key, and "
          "vtguard never pairs a file of yours with one of its own (set grpc_key to the file that "
          "belongs with /vt/tls/tls.crt, or remove grpc_cert to let vtguard manage both)"))
      << inject.err;
  EXPECT_THAT(inject.out, ::testing::Not(::testing::HasSubstr("grpc_key")));
}

TEST(InjectCommand, ExitsZeroWhenOutputIsClean) {
  CommandRun inject = RunCommand(
      RunInjectCommand, {"-f", Example("cluster-v24.yaml"), "--policy", Example("policy.yaml")});
  EXPECT_EQ(inject.code, kExitOk) << inject.err;
  for (const std::string& line : Lines(inject.err)) {
    EXPECT_THAT(line, ::testing::HasSubstr(": info: ")) << inject.err;
  }
}

TEST(InjectCommand, ImageWithoutAnyVersionFails) {
  std::string input = WriteTemp("no-image.yaml",
                                "apiVersion: planetscale.com/v2\nkind: VitessCluster\n"
                                "metadata: {name: c1, namespace: example}\n"
                                "spec:\n  cells: [{name: z1}]\n");
  CommandRun inject = RunCommand(RunInjectCommand, {"-f", input});
  EXPECT_EQ(inject.code, kExitFindings);
  std::string expected = "vtguard inject: " + input +
                         ":document 1: /spec/images/vtgate: no image is set, so the Vitess "
                         "version of vtgate is unknown (use a tag such as v24.0.4 or set "
                         "spec.vitessVersion in the VitessTLSPolicy)";
  EXPECT_THAT(Lines(inject.err), ::testing::Contains(expected)) << inject.err;
  // Each problem is printed once, not again as a warning or as the mutation's error.
  std::size_t count = 0;
  for (const std::string& line : Lines(inject.err)) {
    count += line.find("/spec/images/vtgate") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(count, 1u) << inject.err;
  EXPECT_THAT(inject.out, ::testing::HasSubstr("name: c1"));
}

TEST(InjectCommand, NamesAssumedVersion) {
  std::string input = WriteTemp("policy-version.yaml",
                                "apiVersion: planetscale.com/v2\nkind: VitessCluster\n"
                                "metadata: {name: c1, namespace: example}\n"
                                "spec:\n  cells: [{name: z1}]\n");
  CommandRun inject =
      RunCommand(RunInjectCommand, {"-f", input, "--policy", Example("policy.yaml")});
  EXPECT_EQ(inject.code, kExitOk) << inject.err;
  EXPECT_THAT(Lines(inject.err),
              ::testing::Contains("vtguard inject: " + input +
                                  ":document 1: info: /spec/images/vtgate: no image is set; "
                                  "assumed Vitess v24.0.0 from the VitessTLSPolicy's "
                                  "spec.vitessVersion"))
      << inject.err;
  CommandRun check = RunCommand(RunCheckCommand, {"-f", input, "--policy", Example("policy.yaml")});
  EXPECT_EQ(check.code, kExitFindings);
  EXPECT_THAT(check.out, ::testing::HasSubstr(":document 1: info: /spec/images/vtgate: "));
  CommandRun json =
      RunCommand(RunCheckCommand, {"-f", input, "--policy", Example("policy.yaml"), "-o", "json"});
  nlohmann::json list = nlohmann::json::parse(json.out);
  ASSERT_FALSE(list.empty());
  EXPECT_EQ(list[0]["severity"], "info");
}

// The webhook and the operator take the first policy by name; the CLI must agree, whatever
// the order of the policies in the file.
TEST(InjectCommand, FirstPolicyByName) {
  const std::string zeta =
      "apiVersion: vtguard.io/v1alpha1\nkind: VitessTLSPolicy\n"
      "metadata: {name: zeta, namespace: example}\nspec: {serverName: z.example.internal}\n";
  const std::string alpha =
      "apiVersion: vtguard.io/v1alpha1\nkind: VitessTLSPolicy\n"
      "metadata: {name: alpha, namespace: example}\nspec: {serverName: a.example.internal}\n";
  for (const std::string& policies : {zeta + "---\n" + alpha, alpha + "---\n" + zeta}) {
    std::string policy_file = WriteTemp("two-policies.yaml", policies);
    CommandRun inject =
        RunCommand(RunInjectCommand, {"-f", Example("cluster-v24.yaml"), "--policy", policy_file});
    EXPECT_EQ(inject.code, kExitOk) << inject.err;
    EXPECT_THAT(inject.out, ::testing::HasSubstr("a.example.internal")) << policies;
    EXPECT_THAT(inject.out, ::testing::Not(::testing::HasSubstr("z.example.internal"))) << policies;
  }
}

TEST(CheckCommand, ReportsObjectsNoPolicySelects) {
  std::string policy = WriteTemp("other-ns-policy.yaml",
                                 "apiVersion: vtguard.io/v1alpha1\nkind: VitessTLSPolicy\n"
                                 "metadata: {name: p, namespace: elsewhere}\nspec: {}\n");
  std::string input = Example("cluster-broken.yaml");
  CommandRun check = RunCommand(RunCheckCommand, {"-f", input, "--policy", policy});
  EXPECT_EQ(check.code, kExitOk);
  EXPECT_EQ(check.out, "");
  EXPECT_THAT(check.err,
              ::testing::HasSubstr("vtguard check: " + input +
                                   ":document 1: VitessCluster example/broken: no VitessTLSPolicy "
                                   "selects it; nothing checked\n"));
  EXPECT_EQ(RunCommand(RunCheckCommand, {"-f", input, "--policy", policy, "--strict"}).code,
            kExitFindings);

  CommandRun inject = RunCommand(RunInjectCommand, {"-f", input, "--policy", policy});
  EXPECT_EQ(inject.code, kExitOk);
  EXPECT_THAT(inject.err, ::testing::HasSubstr(": no VitessTLSPolicy selects it; nothing "
                                               "injected\n"));
  EXPECT_EQ(RunCommand(RunInjectCommand, {"-f", input, "--policy", policy, "--strict"}).code,
            kExitFindings);
}

TEST(CheckCommand, UnselectedMessagesMatchReadme) {
  std::string policy = WriteTemp("readme-ns-policy.yaml",
                                 "apiVersion: vtguard.io/v1alpha1\nkind: VitessTLSPolicy\n"
                                 "metadata: {name: p, namespace: elsewhere}\nspec: {}\n");
  std::string input = Example("cluster-broken.yaml");
  std::ifstream readme_file(std::string(VTGUARD_SOURCE_DIR) + "/README.md");
  std::stringstream readme;
  readme << readme_file.rdbuf();
  // The README quotes each command's line from "..." on, inside backquotes.
  for (auto command : {RunCheckCommand, RunInjectCommand}) {
    CommandRun run = RunCommand(command, {"-f", input, "--policy", policy});
    std::string line = Lines(run.err).at(0);
    std::string tail = line.substr(line.find(": no VitessTLSPolicy"));
    EXPECT_THAT(readme.str(), ::testing::HasSubstr("`..." + tail + "`")) << line;
  }
}

TEST(CheckCommand, ReportsSelectorThatMatchesNothing) {
  std::string policy = WriteTemp("selector-policy.yaml",
                                 "apiVersion: vtguard.io/v1alpha1\nkind: VitessTLSPolicy\n"
                                 "metadata: {name: p, namespace: example}\n"
                                 "spec: {clusterSelector: {matchLabels: {tls: \"on\"}}}\n");
  CommandRun check =
      RunCommand(RunCheckCommand, {"-f", Example("cluster-broken.yaml"), "--policy", policy});
  EXPECT_EQ(check.code, kExitOk);
  EXPECT_THAT(check.err, ::testing::HasSubstr("no VitessTLSPolicy selects it; nothing checked"));
}

TEST(CheckCommand, RejectsPolicyFileWithoutPolicy) {
  std::string policy = WriteTemp("no-policy.yaml", "apiVersion: v1\nkind: ConfigMap\n");
  CommandRun check =
      RunCommand(RunCheckCommand, {"-f", Example("cluster-v24.yaml"), "--policy", policy});
  EXPECT_EQ(check.code, kExitUsage);
  EXPECT_THAT(check.err, ::testing::HasSubstr(policy + ": no VitessTLSPolicy document found"));
}

TEST(CheckCommand, PolicyErrorNamesDocumentFromOne) {
  std::string policy = WriteTemp("second-bad-policy.yaml",
                                 "apiVersion: vtguard.io/v1alpha1\nkind: VitessTLSPolicy\n"
                                 "metadata: {name: a, namespace: example}\n---\n"
                                 "apiVersion: vtguard.io/v1alpha1\nkind: VitessTLSPolicy\n"
                                 "metadata: {name: b, namespace: example}\n"
                                 "spec: {enforcement: Nope}\n");
  for (auto command : {RunCheckCommand, RunInjectCommand}) {
    CommandRun run = RunCommand(command, {"-f", Example("cluster-v24.yaml"), "--policy", policy});
    EXPECT_EQ(run.code, kExitUsage);
    // The same "file:document N: " form as the findings of manifests.
    EXPECT_THAT(run.err, ::testing::HasSubstr(": " + policy +
                                              ":document 2: invalid "
                                              "VitessTLSPolicy \"b\": spec.enforcement"))
        << run.err;
  }
}

TEST(CheckCommand, HelpDocumentsExitCodes) {
  for (auto command : {RunCheckCommand, RunInjectCommand}) {
    CommandRun help = RunCommand(command, {"--help"});
    EXPECT_EQ(help.code, kExitOk);
    EXPECT_THAT(help.out, ::testing::HasSubstr("Exit codes: 0 "));
    EXPECT_THAT(help.out, ::testing::HasSubstr("--strict"));
    EXPECT_THAT(help.out, ::testing::HasSubstr("FILE:document N: "));
  }
}

TEST(SplitYamlDocuments, RecordsFirstLines) {
  std::vector<DocumentText> documents =
      SplitYamlDocuments("---\na: 1\n---\n# note\nb: 2\n--- \nc: 3\n");
  ASSERT_EQ(documents.size(), 3u);
  EXPECT_EQ(documents[0].text, "a: 1\n");
  EXPECT_EQ(documents[0].first_line, 2u);
  EXPECT_EQ(documents[1].text, "# note\nb: 2\n");
  EXPECT_EQ(documents[1].first_line, 4u);
  EXPECT_EQ(documents[2].first_line, 7u);
  EXPECT_EQ(SplitYamlDocuments("a: 1\n")[0].first_line, 1u);
}

TEST(CheckCommand, RejectsStuckYamlWithDocumentLabel) {
  std::string input = WriteTemp("stuck.yaml", "a: 1\n---\n,tNULl\n");
  CommandRun check = RunCommand(RunCheckCommand, {"-f", input});
  EXPECT_EQ(check.code, kExitUsage);
  EXPECT_THAT(check.err, ::testing::HasSubstr(input + ":document 2: invalid YAML at line 3, "
                                                      "column 1: unexpected ','"));
}

TEST(InjectCommand, RejectsDocumentsWithoutSeparator) {
  const std::string text =
      "apiVersion: planetscale.com/v2\nkind: VitessCluster\nmetadata: {name: c1}\n"
      "spec: {images: {vttablet: \"vitess/lite:v24.0.4\"}}\n...\n"
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n";
  std::string input = WriteTemp("no-separator.yaml", text);
  CommandRun inject = RunCommand(RunInjectCommand, {"-f", input});
  EXPECT_EQ(inject.code, kExitFindings);
  EXPECT_EQ(inject.out, text);
  EXPECT_THAT(inject.err, ::testing::HasSubstr(":document 1: 2 YAML documents without a --- line "
                                               "between them"));
}

// The text of an example, indented by `indent` spaces, for embedding as a list item.
std::string IndentedExample(const std::string& name, int indent) {
  std::ifstream in(Example(name));
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    out += std::string(indent, ' ') + line + "\n";
  }
  return out;
}

// `kubectl get vitessclusters -o yaml` writes a List whose items are the objects.
TEST(CheckCommand, ChecksEveryItemOfList) {
  const std::string list = "apiVersion: v1\nkind: List\nitems:\n- " +
                           IndentedExample("cluster-broken.yaml", 2).substr(2);
  CommandRun single = RunCommand(RunCheckCommand, {"-f", Example("cluster-broken.yaml")});
  CommandRun listed = RunCommand(RunCheckCommand, {"-f", WriteTemp("list.yaml", list)});
  EXPECT_EQ(listed.code, kExitFindings);
  EXPECT_EQ(std::count(listed.out.begin(), listed.out.end(), '\n'),
            std::count(single.out.begin(), single.out.end(), '\n'))
      << listed.out;
  EXPECT_THAT(listed.out, ::testing::HasSubstr(":document 1: /items/0/spec/extraVitessFlags/"
                                               "tablet_grpc_ca: "));
}

TEST(InjectCommand, InjectsEveryItemOfList) {
  const std::string item = IndentedExample("cluster-v24.yaml", 2).substr(2);
  std::string second = item;
  second.replace(second.find("name: "), 6, "name: second-");
  const std::string list =
      "apiVersion: v1\nkind: List\nitems:\n- " + item + "- " + second + "metadata: {}\n";
  CommandRun inject = RunCommand(RunInjectCommand, {"-f", WriteTemp("list-in.yaml", list)});
  ASSERT_EQ(inject.code, kExitOk) << inject.err;
  auto documents = vitess::ParseYamlDocuments(inject.out);
  ASSERT_TRUE(documents.ok()) << inject.out;
  const vitess::OrderedJson& items = documents->at(0)["items"];
  ASSERT_EQ(items.size(), 2u);
  for (const vitess::OrderedJson& injected : items) {
    EXPECT_TRUE(injected["metadata"]["annotations"].contains("vtguard.io/injected"))
        << injected.dump();
  }
  CommandRun check = RunCommand(RunCheckCommand, {"-f", WriteTemp("list-out.yaml", inject.out)});
  EXPECT_EQ(check.code, kExitOk) << check.out;
}

// A tablet pool written with a YAML merge key keeps the flags it takes from its anchor.
TEST(InjectCommand, KeepsKeysOfMergedMaps) {
  const std::string text =
      "apiVersion: planetscale.com/v2\nkind: VitessCluster\n"
      "metadata: {name: orders, namespace: example}\n"
      "spec:\n"
      "  images: {vttablet: vitess/lite:v24.0.4, vtgate: vitess/lite:v24.0.4, "
      "vtctld: vitess/lite:v24.0.4, vtorc: vitess/lite:v24.0.4}\n"
      "  cells: [{name: zone1}]\n"
      "  keyspaces:\n"
      "  - name: orders\n"
      "    partitionings:\n"
      "    - equal:\n"
      "        parts: 1\n"
      "        shardTemplate:\n"
      "          tabletPools:\n"
      "          - &pool\n"
      "            cell: zone1\n"
      "            type: replica\n"
      "            vttablet: {extraFlags: {db_charset: utf8mb4}}\n"
      "          - <<: *pool\n"
      "            type: rdonly\n";
  CommandRun inject = RunCommand(RunInjectCommand, {"-f", WriteTemp("merge.yaml", text)});
  ASSERT_EQ(inject.code, kExitOk) << inject.err;
  auto documents = vitess::ParseYamlDocuments(inject.out);
  ASSERT_TRUE(documents.ok()) << inject.out;
  const vitess::OrderedJson& pools = documents->at(
      0)["spec"]["keyspaces"][0]["partitionings"][0]["equal"]["shardTemplate"]["tabletPools"];
  ASSERT_EQ(pools.size(), 2u);
  EXPECT_EQ(pools[1]["type"], "rdonly");
  EXPECT_EQ(pools[1]["cell"], "zone1");
  for (const vitess::OrderedJson& pool : pools) {
    EXPECT_EQ(pool["vttablet"]["extraFlags"]["db_charset"], "utf8mb4") << pool.dump();
    EXPECT_EQ(pool["vttablet"]["extraFlags"]["grpc-cert"], "/vt/vtguard/tls/tls.crt")
        << pool.dump();
  }
}

// A terminal has no 120-byte limit, so inject prints each warning with its whole path, and the
// clash it warns about stays an error in the output.
TEST(InjectCommand, PrintsWarningsInFullAndReportsMountClash) {
  std::string text = IndentedExample("cluster-v24.yaml", 0);
  const std::string pool = "            replicas: 3\n";
  ASSERT_NE(text.find(pool), std::string::npos) << text;
  text.replace(
      text.find(pool), pool.size(),
      pool +
          "            extraVolumes: [{name: scratch, emptyDir: {}}]\n"
          "            extraVolumeMounts: [{name: scratch, mountPath: /vt/vtguard/tls}]\n");
  CommandRun inject = RunCommand(RunInjectCommand, {"-f", WriteTemp("clash.yaml", text)});
  EXPECT_EQ(inject.code, kExitFindings) << inject.err;
  const std::string pool_path =
      "/spec/keyspaces/0/partitionings/0/equal/shardTemplate/tabletPools/0";
  EXPECT_THAT(inject.err, ::testing::HasSubstr(": warning: " + pool_path +
                                               "/extraVolumeMounts: another volume is mounted at "
                                               "/vt/vtguard/tls"));
  EXPECT_THAT(inject.err,
              ::testing::HasSubstr(pool_path + ": grpc-cert reads /vt/vtguard/tls/tls.crt, but "
                                               "/vt/vtguard/tls is the mount of volume scratch"));
  EXPECT_THAT(inject.err, ::testing::Not(::testing::HasSubstr("...")));
}

// An object that is nearly a VitessCluster (kind in another case, no apiVersion) is named on
// stderr instead of being skipped without a word, and counts for --strict.
TEST(CheckCommand, NamesNearlyVitessObjects) {
  const std::string input =
      WriteTemp("near.yaml",
                "apiVersion: planetscale.com/v2\nkind: vitesscluster\nmetadata: {name: a}\n---\n"
                "kind: VitessCluster\nmetadata: {name: b}\n---\n"
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
  CommandRun check = RunCommand(RunCheckCommand, {"-f", input});
  EXPECT_EQ(check.code, kExitOk) << check.err;
  EXPECT_THAT(check.err, ::testing::HasSubstr(":document 1: kind vitesscluster with apiVersion "
                                              "planetscale.com/v2: vtguard reads VitessCluster"));
  EXPECT_THAT(check.err, ::testing::HasSubstr(":document 2: kind VitessCluster with apiVersion "
                                              "(none): "));
  EXPECT_EQ(Lines(check.err).size(), 2u) << check.err;
  EXPECT_EQ(RunCommand(RunCheckCommand, {"-f", input, "--strict"}).code, kExitFindings);
  CommandRun inject = RunCommand(RunInjectCommand, {"-f", input});
  EXPECT_THAT(inject.err, ::testing::HasSubstr("nothing injected"));
}

}  // namespace
}  // namespace vtguard::cli
