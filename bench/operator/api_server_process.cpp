#include "bench/operator/api_server_process.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

namespace vtguard::op::bench {

namespace {

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Counts create, update and patch records of a request log array without building a tree.
class RequestLogCounter : public nlohmann::json::json_sax_t {
 public:
  RequestCounts counts;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool string(string_t& value) override {
    if (depth_ != 2) return true;
    if (key_ == "verb") verb_ = value;
    if (key_ == "resource") resource_ = value;
    return true;
  }
  bool key(string_t& value) override {
    key_ = value;
    return true;
  }
  bool start_object(std::size_t) override {
    ++depth_;
    if (depth_ == 2) {
      verb_.clear();
      resource_.clear();
    }
    return true;
  }
  bool end_object() override {
    if (depth_ == 2 && (verb_ == "create" || verb_ == "update" || verb_ == "patch")) {
      ++(resource_ == "events" ? counts.event_writes : counts.object_writes);
    }
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  int depth_ = 0;
  std::string key_;
  std::string verb_;
  std::string resource_;
};

}  // namespace

long ProcStatusKib(const std::string& pid, const char* field) {
  std::ifstream in("/proc/" + pid + "/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::atol(line.c_str() + prefix.size());
  }
  return -1;
}

ApiServerProcess::ApiServerProcess(pid_t pid, std::filesystem::path work_dir)
    : pid_(pid),
      work_dir_(std::move(work_dir)),
      kubeconfig_(work_dir_ / "kubeconfig"),
      request_log_(work_dir_ / "requests.json") {}

Result<std::unique_ptr<ApiServerProcess>> ApiServerProcess::Start(
    const std::string& binary, const std::filesystem::path& work_dir,
    const std::vector<std::filesystem::path>& apply_files) {
  const std::filesystem::path output = work_dir / "apiserver.log";
  std::vector<std::string> args = {binary,
                                   "--kubeconfig",
                                   (work_dir / "kubeconfig").string(),
                                   "--request-log",
                                   (work_dir / "requests.json").string(),
                                   "--event-window",
                                   "200000"};
  for (const auto& file : apply_files) {
    args.push_back("--apply");
    args.push_back(file.string());
  }
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("opening " + output.string() + " failed: " + std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fd);
    return Internal(std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fd);
  std::unique_ptr<ApiServerProcess> server(new ApiServerProcess(pid, work_dir));

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (ReadText(output).find("\"url\"") == std::string::npos) {
    int wait_status = 0;
    if (::waitpid(pid, &wait_status, WNOHANG) == pid) {
      server->pid_ = -1;
      return Internal(binary + " exited before serving; its output: " + ReadText(output));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return DeadlineExceeded(binary + " did not serve within 120 s; see " + output.string());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return server;
}

ApiServerProcess::~ApiServerProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int wait_status = 0;
  while (::waitpid(pid_, &wait_status, WNOHANG) != pid_) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &wait_status, 0);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Result<RequestCounts> ApiServerProcess::CountWrites() {
  std::error_code ignored;
  std::filesystem::remove(request_log_, ignored);
  if (::kill(pid_, SIGUSR1) != 0) {
    return Internal(std::string("signalling the API server failed: ") + std::strerror(errno));
  }
  // The server writes PATH.tmp and renames it, so the file appears complete.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!std::filesystem::exists(request_log_)) {
    if (std::chrono::steady_clock::now() > deadline) {
      return DeadlineExceeded("the API server did not write " + request_log_.string() +
                              " within 30 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::ifstream in(request_log_);
  RequestLogCounter counter;
  if (!nlohmann::json::sax_parse(in, &counter)) {
    return Internal(request_log_.string() + " is not a valid request log");
  }
  return counter.counts;
}

long ApiServerProcess::PeakRssKib() const { return ProcStatusKib(std::to_string(pid_), "VmHWM"); }

}  // namespace vtguard::op::bench
