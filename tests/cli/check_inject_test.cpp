// `vtguard check` and `vtguard inject` on the example manifests, through the command entry
// points.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"

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
  EXPECT_NE(run.out.find("cluster-broken.yaml:1: /spec/extraVitessFlags/tablet_grpc_ca: "),
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

}  // namespace
}  // namespace vtguard::cli
