#include "tests/http/test_server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <stdexcept>

namespace vtguard::http::testing {

namespace {
ServerOptions MakeOptions(ServerLimits limits, std::mutex* mu, std::map<std::string, int>* errors,
                          std::function<void(std::string_view)> on_error) {
  ServerOptions options;
  options.name = "test";
  options.limits = limits;
  options.on_request_error = [mu, errors, on_error](std::string_view reason) {
    if (on_error) on_error(reason);
    std::lock_guard<std::mutex> lock(*mu);
    ++(*errors)[std::string(reason)];
  };
  return options;
}
}  // namespace

RunningServer::RunningServer(const Router& router, std::shared_ptr<boost::asio::ssl::context> tls,
                             ServerLimits limits, int threads,
                             std::function<void(std::string_view)> on_error, Threading threading) {
  ServerOptions options = MakeOptions(limits, &mu_, &errors_, std::move(on_error));
  if (threading == Threading::kEventLoops) {
    loops_ = std::make_unique<EventLoops>(static_cast<unsigned>(threads));
    server_ = std::make_unique<Server>(*loops_, std::move(options), router, std::move(tls));
  } else {
    ioc_ = std::make_unique<boost::asio::io_context>();
    server_ = std::make_unique<Server>(*ioc_, std::move(options), router, std::move(tls));
  }
  Status listening = server_->Listen("127.0.0.1:0");
  if (!listening.ok()) throw std::runtime_error(listening.ToString());
  server_->Start();
  if (loops_) {
    threads_.emplace_back([this] { loops_->Run(); });
    return;
  }
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      auto guard = boost::asio::make_work_guard(*ioc_);
      ioc_->run();
    });
  }
}

RunningServer::~RunningServer() {
  server_->Shutdown();
  if (loops_) loops_->Stop();
  if (ioc_) ioc_->stop();
  for (std::thread& thread : threads_) thread.join();
}

int RunningServer::ErrorCount(const std::string& reason) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = errors_.find(reason);
  return it == errors_.end() ? 0 : it->second;
}

}  // namespace vtguard::http::testing
