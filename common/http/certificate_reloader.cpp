#include "common/http/certificate_reloader.h"

#include <sys/stat.h>

#include <boost/asio/post.hpp>

#include "common/base/log.h"

namespace vtguard::http {

CertificateReloader::CertificateReloader(boost::asio::io_context& ioc, CertificateStore& store,
                                         std::filesystem::path dir,
                                         std::chrono::milliseconds interval,
                                         ResultCallback on_result)
    : timer_(ioc),
      store_(store),
      dir_(std::move(dir)),
      interval_(interval),
      on_result_(std::move(on_result)) {}

std::string CertificateReloader::FileSignature() const {
  std::string signature;
  for (const char* name : {CertificateStore::kCertFile, CertificateStore::kKeyFile}) {
    std::error_code ec;
    const std::filesystem::path resolved = std::filesystem::canonical(dir_ / name, ec);
    struct stat info {};
    if (ec || ::stat(resolved.c_str(), &info) != 0) return "";
    signature += resolved.string() + ":" + std::to_string(info.st_ino) + ":" +
                 std::to_string(info.st_size) + ":" + std::to_string(info.st_mtim.tv_sec) + "." +
                 std::to_string(info.st_mtim.tv_nsec) + ";";
  }
  return signature;
}

Status CertificateReloader::CheckNow() {
  const std::string signature = FileSignature();
  if (signature.empty()) {
    Status missing = NotFound(dir_.string() + ": tls.crt or tls.key is missing; mount the " +
                              "serving certificate Secret there");
    // A missing file is reported once per disappearance, not on every poll.
    if (last_signature_ != "missing") {
      last_signature_ = "missing";
      log::Warn("Serving certificate files are missing.",
                {{log::Key::kFile, dir_.string()}, {log::Key::kError, missing.ToString()}});
      if (on_result_) on_result_(missing);
    }
    return missing;
  }
  if (signature == last_signature_) return Status::Ok();
  last_signature_ = signature;

  auto pair = LoadKeyPair(dir_ / CertificateStore::kCertFile, dir_ / CertificateStore::kKeyFile);
  if (!pair.ok()) {
    log::Warn("Serving certificate did not load; the previous one stays in use.",
              {{log::Key::kFile, dir_.string()}, {log::Key::kError, pair.status().ToString()}});
    if (on_result_) on_result_(pair.status());
    return pair.status();
  }
  log::Info("Loaded serving certificate.", {{log::Key::kFile, dir_.string()},
                                            {log::Key::kSerial, (*pair)->SerialHex()},
                                            {log::Key::kNotAfter, (*pair)->NotAfter()}});
  store_.Set(std::move(pair).value());
  if (on_result_) on_result_(Status::Ok());
  return Status::Ok();
}

void CertificateReloader::Start() {
  stopped_ = false;
  ScheduleNext();
}

void CertificateReloader::Stop() {
  stopped_ = true;
  boost::asio::post(timer_.get_executor(), [this] { timer_.cancel(); });
}

void CertificateReloader::ScheduleNext() {
  timer_.expires_after(interval_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    CheckNow().IgnoreError();  // Logged and reported through on_result_.
    ScheduleNext();
  });
}

}  // namespace vtguard::http
