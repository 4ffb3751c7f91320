#include "tests/e2e/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace vtguard::e2e {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::vector<char*> ArgvOf(const std::string& binary, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  return argv;
}

// Waits for `pid` until `deadline`; returns its decoded status or nullopt when still running.
std::optional<int> WaitUntil(pid_t pid, Clock::time_point deadline) {
  while (true) {
    int status = 0;
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return DecodeWaitStatus(status);
    if (done < 0) return -1;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

Result<std::unique_ptr<ChildProcess>> ChildProcess::Start(const std::string& binary,
                                                          const std::vector<std::string>& args,
                                                          const fs::path& log_file) {
  if (access(binary.c_str(), X_OK) != 0) {
    return NotFound(binary + " is not an executable file; build it first");
  }
  int log_fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Internal("opening " + log_file.string() + ": " + std::strerror(errno));
  std::vector<char*> argv = ArgvOf(binary, args);
  pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    return Internal(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(log_fd);
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, log_file));
}

ChildProcess::~ChildProcess() { Stop(); }

bool ChildProcess::IsRunning() {
  if (exit_code_.has_value()) return false;
  exit_code_ = WaitUntil(pid_, Clock::now());
  return !exit_code_.has_value();
}

int ChildProcess::Stop(std::chrono::milliseconds timeout) {
  if (!IsRunning()) return *exit_code_;
  kill(pid_, SIGTERM);
  exit_code_ = WaitUntil(pid_, Clock::now() + timeout);
  if (!exit_code_.has_value()) {
    kill(pid_, SIGKILL);
    exit_code_ = WaitUntil(pid_, Clock::now() + std::chrono::seconds(5));
  }
  return exit_code_.value_or(-1);
}

Result<int> PickFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Internal(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  bool bound = bind(fd, reinterpret_cast<sockaddr*>(&address), length) == 0 &&
               getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  close(fd);
  if (!bound) return Internal(std::string("probing a free port: ") + std::strerror(errno));
  return static_cast<int>(ntohs(address.sin_port));
}

bool CanConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  bool connected = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return connected;
}

Status WaitFor(const std::string& what, const std::function<bool()>& condition,
               std::chrono::milliseconds timeout, std::chrono::milliseconds interval) {
  Clock::time_point deadline = Clock::now() + timeout;
  while (true) {
    if (condition()) return Status::Ok();
    if (Clock::now() >= deadline) {
      return DeadlineExceeded("timed out after " + std::to_string(timeout.count()) +
                              " ms waiting for " + what);
    }
    std::this_thread::sleep_for(interval);
  }
}

Result<std::string> RunCommand(const std::vector<std::string>& argv,
                               std::chrono::milliseconds timeout) {
  if (argv.empty()) return InvalidArgument("RunCommand needs a program");
  static std::atomic<int> next_run{0};
  fs::path dir = fs::temp_directory_path() /
                 ("vtguard-cmd-" + std::to_string(getpid()) + "-" + std::to_string(next_run++));
  fs::create_directories(dir);
  fs::path out = dir / "stdout", err = dir / "stderr";
  int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  std::vector<std::string> rest(argv.begin() + 1, argv.end());
  std::vector<char*> raw = ArgvOf(argv[0], rest);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    execvp(argv[0].c_str(), raw.data());
    _exit(127);
  }
  close(out_fd);
  close(err_fd);
  if (pid < 0) return Internal(std::string("fork: ") + std::strerror(errno));
  std::optional<int> code = WaitUntil(pid, Clock::now() + timeout);
  if (!code.has_value()) {
    kill(pid, SIGKILL);
    WaitUntil(pid, Clock::now() + std::chrono::seconds(5)).reset();
    return DeadlineExceeded(argv[0] + " did not finish within " + std::to_string(timeout.count()) +
                            " ms");
  }
  std::string output = TailFile(out, 64 << 20);
  std::string errors = TailFile(err);
  fs::remove_all(dir);
  if (*code != 0) {
    // Output and errors both go into the message: tools such as kubectl report on either.
    std::string tail = output.size() > 4096 ? output.substr(output.size() - 4096) : output;
    return Internal(argv[0] + " exited with " + std::to_string(*code) + ": " + errors + tail);
  }
  return output;
}

std::string TailFile(const fs::path& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

}  // namespace vtguard::e2e
