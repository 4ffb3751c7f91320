// Polls a certificate directory and reloads the serving certificate when its files change.
//
// Kubernetes mounts a Secret as a directory whose entries are symlinks through `..data`, a
// symlink it replaces atomically on update. The reloader therefore compares the resolved path,
// inode, size and modification time of tls.crt and tls.key on every poll, which catches the
// symlink swap as well as files rewritten in place. A change that fails to load (bad PEM,
// mismatched key) keeps the current certificate, logs a warning and reports a failure; the
// same broken files are not retried until they change again.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "common/base/status.h"
#include "common/http/certificate_store.h"

namespace vtguard::http {

class CertificateReloader {
 public:
  // Called after every load attempt with its outcome.
  using ResultCallback = std::function<void(const Status&)>;

  CertificateReloader(boost::asio::io_context& ioc, CertificateStore& store,
                      std::filesystem::path dir, std::chrono::milliseconds interval,
                      ResultCallback on_result);

  // Loads the certificate now if the files changed since the last attempt (or on the first
  // call). Returns the load error, or OK when nothing changed or the load succeeded.
  Status CheckNow();

  // Starts polling every `interval` on the io_context. Stop() may be called from any thread.
  void Start();
  void Stop();

 private:
  void ScheduleNext();
  // Resolved paths, inodes, sizes and mtimes of both files; empty when one is missing.
  std::string FileSignature() const;

  boost::asio::steady_timer timer_;
  CertificateStore& store_;
  std::filesystem::path dir_;
  std::chrono::milliseconds interval_;
  ResultCallback on_result_;
  std::string last_signature_;
  std::atomic<bool> stopped_ = false;
};

}  // namespace vtguard::http
