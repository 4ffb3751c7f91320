// Tests of the real vtguard-webhook binary, started as a child process.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "common/http/event_loops.h"
#include "tests/webhook/webhook_fixture.h"

extern char** environ;

namespace vtguard::webhook::testing {
namespace {

using namespace std::chrono_literals;

const char* kBinary = VTGUARD_BINARY_DIR "/webhook/vtguard-webhook";

class WebhookProcess {
 public:
  // Starts the binary with `args`, stdout and stderr going to `log_file`.
  WebhookProcess(const std::vector<std::string>& args, const std::filesystem::path& log_file)
      : log_file_(log_file) {
    std::vector<std::string> argv_storage = {kBinary};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_storage) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int error = posix_spawn(&pid_, kBinary, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) pid_ = -1;
  }
  ~WebhookProcess() {
    if (pid_ > 0 && !exit_status_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  pid_t pid() const { return pid_; }

  // The port a server logged in "Server is listening." for `component`, within 10 s.
  std::optional<unsigned short> WaitForPort(const std::string& component) {
    for (int i = 0; i < 500; ++i) {
      std::ifstream in(log_file_);
      std::string line;
      while (std::getline(in, line)) {
        auto record = nlohmann::json::parse(line, nullptr, false);
        if (record.is_discarded() || record.value("msg", "") != "Server is listening.") continue;
        if (record.value("component", "") != component) continue;
        const std::string address = record.value("address", "");
        return static_cast<unsigned short>(std::stoi(address.substr(address.rfind(':') + 1)));
      }
      std::this_thread::sleep_for(20ms);
    }
    return std::nullopt;
  }

  // The exit status after waiting up to `timeout`, or nullopt if it is still running.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return exit_status_;
      }
      std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
  }

  std::string Log() const {
    std::ifstream in(log_file_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  std::filesystem::path log_file_;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
};

class WebhookProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http::testing::WriteSecretVolume(dir_.path() / "tls", pki_.IssueServer(9), 1);
    std::ofstream(dir_.path() / "policy.yaml") << PolicyYaml("example");
  }

  std::vector<std::string> Args() const {
    return {"--listen-address",   "127.0.0.1:0",
            "--metrics-address",  "127.0.0.1:0",
            "--tls-cert-dir",     (dir_.path() / "tls").string(),
            "--policy-file",      (dir_.path() / "policy.yaml").string(),
            "--shutdown-timeout", "10s"};
  }
  http::testing::ClientOptions ClientTls() const {
    http::testing::ClientOptions options;
    options.ca_pem = pki_.ca_pem();
    return options;
  }

  http::testing::TestPki pki_;
  http::testing::TempDir dir_;
};

TEST_F(WebhookProcessTest, SigtermFinishesInFlightRequestAndExitsZero) {
  WebhookProcess process(Args(), dir_.path() / "webhook.log");
  ASSERT_GT(process.pid(), 0);
  std::optional<unsigned short> port = process.WaitForPort("webhook");
  ASSERT_TRUE(port.has_value()) << process.Log();

  http::testing::TestClient idle(*port, ClientTls());
  auto ready = idle.Get("/readyz");
  ASSERT_TRUE(ready.ok()) << ready.status().ToString();
  ASSERT_EQ(ready->result_int(), 200u) << ready->body();

  // A request whose body is half sent when SIGTERM arrives is in flight and must complete.
  const std::string body =
      MakeReview("VitessCluster", "CREATE",
                 LoadVitessCluster(SharedData("data/vitess-operator/101_initial_cluster.yaml")))
          .dump();
  http::testing::TestClient busy(*port, ClientTls());
  ASSERT_TRUE(busy.SendRaw("POST /mutate/vitesscluster HTTP/1.1\r\nHost: x\r\nContent-Type: "
                           "application/json\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" +
                           body.substr(0, body.size() / 2))
                  .ok());
  std::this_thread::sleep_for(100ms);
  ASSERT_EQ(kill(process.pid(), SIGTERM), 0);
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(process.WaitForExit(0ms).has_value()) << "exited with a request in flight";
  ASSERT_TRUE(busy.SendRaw(body.substr(body.size() / 2)).ok());
  auto response = busy.ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_FALSE(response->keep_alive());
  auto review = nlohmann::json::parse(response->body(), nullptr, false);
  ASSERT_FALSE(review.is_discarded());
  EXPECT_TRUE(review["response"].contains("patch"));

  EXPECT_TRUE(idle.WaitForClose());
  std::optional<int> status = process.WaitForExit(15s);
  ASSERT_TRUE(status.has_value()) << process.Log();
  EXPECT_EQ(*status, 0) << process.Log();
  EXPECT_NE(process.Log().find("Webhook stopped."), std::string::npos);

  http::testing::TestClient late(*port, ClientTls());
  EXPECT_FALSE(late.Connect().ok());
}

// The record of `message` in the log of `process`, waiting up to 5 s for it.
std::optional<nlohmann::json> WaitForRecord(const WebhookProcess& process,
                                            const std::string& message) {
  for (int i = 0; i < 500; ++i) {
    std::istringstream lines(process.Log());
    for (std::string line; std::getline(lines, line);) {
      auto record = nlohmann::json::parse(line, nullptr, false);
      if (record.is_object() && record.value("msg", "") == message) return record;
    }
    std::this_thread::sleep_for(10ms);
  }
  return std::nullopt;
}

// Sends SIGTERM to `process` and expects it to exit with status 0 within 15 s.
void ExpectCleanStop(WebhookProcess& process) {
  ASSERT_EQ(kill(process.pid(), SIGTERM), 0);
  std::optional<int> status = process.WaitForExit(15s);
  ASSERT_TRUE(status.has_value()) << process.Log();
  EXPECT_EQ(*status, 0) << process.Log();
}

// Release and default builds link mimalloc; sanitizer builds keep the sanitizer's allocator.
TEST_F(WebhookProcessTest, LogsLoopsAndAllocator) {
  WebhookProcess process(Args(), dir_.path() / "webhook.log");
  ASSERT_GT(process.pid(), 0);
  std::optional<nlohmann::json> serving = WaitForRecord(process, "Webhook started.");
  ASSERT_TRUE(serving.has_value()) << process.Log();
  EXPECT_EQ((*serving)["threads"], http::DefaultLoopCount());
#if defined(__SANITIZE_ADDRESS__)
  EXPECT_EQ((*serving)["allocator"], "glibc malloc");
#else
  EXPECT_EQ((*serving)["allocator"].get<std::string>().rfind("mimalloc 2.", 0), 0u)
      << serving->dump();
#endif
  ExpectCleanStop(process);
}

TEST_F(WebhookProcessTest, ThreadsFlagSetsTheLoopCount) {
  std::vector<std::string> args = Args();
  args.insert(args.end(), {"--threads", "3"});
  WebhookProcess process(args, dir_.path() / "webhook.log");
  ASSERT_GT(process.pid(), 0);
  std::optional<nlohmann::json> serving = WaitForRecord(process, "Webhook started.");
  ASSERT_TRUE(serving.has_value()) << process.Log();
  EXPECT_EQ((*serving)["threads"], 3);
  ExpectCleanStop(process);
}

TEST_F(WebhookProcessTest, NotReadyWithoutCertificate) {
  std::vector<std::string> args = Args();
  args[5] = (dir_.path() / "empty").string();
  WebhookProcess process(args, dir_.path() / "webhook.log");
  std::optional<unsigned short> metrics_port = process.WaitForPort("metrics");
  ASSERT_TRUE(metrics_port.has_value()) << process.Log();
  http::testing::ClientOptions plain;
  plain.tls = false;
  http::testing::TestClient client(*metrics_port, plain);
  auto ready = client.Get("/readyz");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->result_int(), 503u);
  EXPECT_NE(ready->body().find("no serving certificate"), std::string::npos);
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body().find("vtguard_webhook_ready 0"), std::string::npos);
  EXPECT_NE(metrics->body().find("vtguard_webhook_certificate_reloads_total{result=\"failure\"} 1"),
            std::string::npos)
      << metrics->body();
  ExpectCleanStop(process);
}

TEST_F(WebhookProcessTest, InvalidFlagExitsWithUsageError) {
  WebhookProcess process({"--max-connections", "zero"}, dir_.path() / "webhook.log");
  EXPECT_EQ(process.WaitForExit(10s), 2);
  EXPECT_NE(process.Log().find("--max-connections must be a positive integer"), std::string::npos)
      << process.Log();
}

TEST_F(WebhookProcessTest, BrokenPolicyFileExitsWithError) {
  std::ofstream(dir_.path() / "policy.yaml")
      << "apiVersion: vtguard.io/v1alpha1\nkind: VitessTLSPolicy\nmetadata: {name: p}\n"
         "spec:\n  enforcement: Sometimes\n";
  WebhookProcess process(Args(), dir_.path() / "webhook.log");
  EXPECT_EQ(process.WaitForExit(10s), 1);
  EXPECT_NE(process.Log().find("policy.yaml"), std::string::npos) << process.Log();
}

}  // namespace
}  // namespace vtguard::webhook::testing
