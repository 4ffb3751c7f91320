// Runs an http::Server on 127.0.0.1 port 0 for tests, on its own event loops as the webhook
// runs it, or on one io_context shared by several threads.
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

#include "common/http/event_loops.h"
#include "common/http/router.h"
#include "common/http/server.h"

namespace vtguard::http::testing {

class RunningServer {
 public:
  enum class Threading {
    kEventLoops,       // One loop per thread, each connection on one loop (http::EventLoops).
    kSharedIoContext,  // All threads run one io_context, each connection on a strand.
  };

  // `tls` null serves plain HTTP. The router must outlive the server. `on_error`, when set,
  // also receives every transport error reason.
  RunningServer(const Router& router, std::shared_ptr<boost::asio::ssl::context> tls,
                ServerLimits limits = {}, int threads = 2,
                std::function<void(std::string_view)> on_error = nullptr,
                Threading threading = Threading::kEventLoops);
  ~RunningServer();

  unsigned short port() const { return server_->port(); }
  Server& server() { return *server_; }
  // How often the transport reported `reason` through on_request_error.
  int ErrorCount(const std::string& reason) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, int> errors_;
  std::unique_ptr<EventLoops> loops_;             // kEventLoops
  std::unique_ptr<boost::asio::io_context> ioc_;  // kSharedIoContext
  std::unique_ptr<Server> server_;
  std::vector<std::thread> threads_;
};

}  // namespace vtguard::http::testing
