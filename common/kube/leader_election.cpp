#include "common/kube/leader_election.h"

#include <ctime>

#include "common/base/json_fields.h"
#include "common/base/log.h"

namespace vtguard::kube {

using std::chrono::milliseconds;

std::string FormatMicroTime(SystemTime time) {
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<long long>(micros % 1000000));
  return text;
}

LeaderElector::LeaderElector(std::shared_ptr<Client> client, LeaderElectionConfig config,
                             const Clock& clock)
    : client_(std::move(client)), config_(std::move(config)), clock_(clock) {}

Result<std::unique_ptr<LeaderElector>> LeaderElector::Create(std::shared_ptr<Client> client,
                                                             LeaderElectionConfig config,
                                                             const Clock& clock) {
  if (config.renew_deadline >= config.lease_duration) {
    return InvalidArgument(
        "leader election: renew deadline must be shorter than the lease "
        "duration");
  }
  if (config.retry_period >= config.renew_deadline) {
    return InvalidArgument(
        "leader election: retry period must be shorter than the renew "
        "deadline");
  }
  if (config.identity.empty() || config.lease_name.empty() || config.lease_namespace.empty()) {
    return InvalidArgument(
        "leader election: identity, lease name and lease namespace are "
        "required");
  }
  return std::unique_ptr<LeaderElector>(
      new LeaderElector(std::move(client), std::move(config), clock));
}

LeaderElector::~LeaderElector() { Stop(); }

void LeaderElector::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void LeaderElector::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string LeaderElector::observed_leader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return observed_leader_;
}

bool LeaderElector::WaitFor(milliseconds delay) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, delay, [this] { return stopping_; });
}

bool LeaderElector::TryAcquireOrRenew() {
  const Resource& leases = LeasesResource();
  SystemTime now = clock_.Now();
  const int duration_seconds = static_cast<int>(std::max<int64_t>(
      1, std::chrono::duration_cast<std::chrono::seconds>(config_.lease_duration +
                                                          std::chrono::milliseconds(999))
             .count()));
  Result<nlohmann::json> current =
      client_->Get(leases, config_.lease_namespace, config_.lease_name);
  if (!current.ok() && current.status().code() == ErrorCode::kNotFound) {
    nlohmann::json lease = {
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata", {{"name", config_.lease_name}, {"namespace", config_.lease_namespace}}},
        {"spec",
         {{"holderIdentity", config_.identity},
          {"leaseDurationSeconds", duration_seconds},
          {"acquireTime", FormatMicroTime(now)},
          {"renewTime", FormatMicroTime(now)},
          {"leaseTransitions", 0}}}};
    Result<nlohmann::json> created = client_->Create(leases, config_.lease_namespace, lease);
    if (!created.ok()) return false;
    std::lock_guard<std::mutex> lock(mu_);
    lease_ = *created;
    observed_spec_ = lease_["spec"];
    observed_time_ = now;
    observed_leader_ = config_.identity;
    return true;
  }
  if (!current.ok()) return false;

  nlohmann::json spec = current->value("spec", nlohmann::json::object());
  std::string holder = StringMember(spec, "holderIdentity");
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (spec != observed_spec_) {
      observed_spec_ = spec;
      observed_time_ = now;
    }
    observed_leader_ = holder;
  }
  // The record's own renewTime is not trusted (other replicas' clocks); only how long this
  // replica has seen it unchanged counts.
  const bool held_by_other = !holder.empty() && holder != config_.identity;
  if (held_by_other && observed_time_ + config_.lease_duration > now) return false;

  nlohmann::json updated = *current;
  nlohmann::json& new_spec = updated["spec"];
  if (holder != config_.identity) {
    new_spec["acquireTime"] = FormatMicroTime(now);
    new_spec["leaseTransitions"] =
        IntegerMember(spec, "leaseTransitions", 0) + (holder.empty() ? 0 : 1);
  }
  new_spec["holderIdentity"] = config_.identity;
  new_spec["leaseDurationSeconds"] = duration_seconds;
  new_spec["renewTime"] = FormatMicroTime(now);
  Result<nlohmann::json> written = client_->Update(leases, config_.lease_namespace, updated);
  if (!written.ok()) return false;
  std::lock_guard<std::mutex> lock(mu_);
  lease_ = *written;
  observed_spec_ = lease_["spec"];
  observed_time_ = now;
  observed_leader_ = config_.identity;
  return true;
}

void LeaderElector::Release() {
  nlohmann::json lease;
  {
    std::lock_guard<std::mutex> lock(mu_);
    lease = lease_;
  }
  if (lease.is_null()) return;
  lease["spec"]["holderIdentity"] = "";
  lease["spec"]["leaseDurationSeconds"] = 1;
  lease["spec"]["renewTime"] = FormatMicroTime(clock_.Now());
  Status released = client_->Update(LeasesResource(), config_.lease_namespace, lease).status();
  if (!released.ok()) {
    log::Warn("Releasing the leader lease failed; another replica takes over after it expires.",
              {{log::Key::kName, config_.lease_name}, {log::Key::kError, released.ToString()}});
  }
}

void LeaderElector::Run() {
  for (;;) {
    // Candidate: try until the Lease is ours.
    std::string reported_leader;
    while (!TryAcquireOrRenew()) {
      std::string leader = observed_leader();
      if (config_.on_new_leader && leader != reported_leader) config_.on_new_leader(leader);
      reported_leader = leader;
      if (!WaitFor(config_.retry_period)) return;
    }
    leading_ = true;
    log::Info("Became the leader.", {{log::Key::kName, config_.lease_name}});
    if (config_.on_started_leading) config_.on_started_leading();

    // Leader: renew until a renewal deadline passes without success, or Stop().
    auto last_renew = std::chrono::steady_clock::now();
    bool stopped = false;
    for (;;) {
      if (!WaitFor(config_.retry_period)) {
        stopped = true;
        break;
      }
      if (TryAcquireOrRenew()) {
        last_renew = std::chrono::steady_clock::now();
        continue;
      }
      if (std::chrono::steady_clock::now() - last_renew >= config_.renew_deadline) break;
    }
    leading_ = false;
    log::Info("Stopped leading.", {{log::Key::kName, config_.lease_name}});
    if (config_.on_stopped_leading) config_.on_stopped_leading();
    if (stopped) {
      if (config_.release_on_stop) Release();
      return;
    }
  }
}

}  // namespace vtguard::kube
