// Runs an http::Server on 127.0.0.1 port 0 with its own io_context threads, for tests.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/http/router.h"
#include "common/http/server.h"

namespace vtguard::http::testing {

class RunningServer {
 public:
  // `tls` null serves plain HTTP. The router must outlive the server. `on_error`, when set,
  // also receives every transport error reason.
  RunningServer(const Router& router, std::shared_ptr<boost::asio::ssl::context> tls,
                ServerLimits limits = {}, int threads = 2,
                std::function<void(std::string_view)> on_error = nullptr);
  ~RunningServer();

  unsigned short port() const { return server_.port(); }
  Server& server() { return server_; }
  boost::asio::io_context& ioc() { return ioc_; }
  // How often the transport reported `reason` through on_request_error.
  int ErrorCount(const std::string& reason) const;

 private:
  boost::asio::io_context ioc_;
  mutable std::mutex mu_;
  std::map<std::string, int> errors_;
  Server server_;
  std::vector<std::thread> threads_;
};

}  // namespace vtguard::http::testing
