// Leader election on a coordination.k8s.io/v1 Lease, following client-go's rules.
//
// A candidate takes the Lease when it is absent, has no holder, or its record has not changed
// for lease_duration as measured on the candidate's own clock (so clock skew between replicas
// does not matter). The leader renews every retry_period; when no renewal succeeded for
// renew_deadline it stops leading and calls on_stopped_leading before returning to candidacy.
// Because renew_deadline < lease_duration, the old leader has stopped its work before any other
// replica may take the Lease.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "common/base/time.h"
#include "common/kube/client.h"

namespace vtguard::kube {

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // Unique per replica, e.g. the pod name.
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  // Gives the Lease up on Stop() so that another replica takes over at once.
  bool release_on_stop = true;
  // Called on the elector's thread; on_stopped_leading must return only once the work it
  // started has stopped.
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
  std::function<void(const std::string& identity)> on_new_leader;
};

class LeaderElector {
 public:
  // Rejects durations that break renew_deadline < lease_duration or retry_period < deadline.
  static Result<std::unique_ptr<LeaderElector>> Create(std::shared_ptr<Client> client,
                                                       LeaderElectionConfig config,
                                                       const Clock& clock = RealClock::Get());
  ~LeaderElector();

  void Start();
  void Stop();
  bool IsLeader() const { return leading_; }
  std::string observed_leader() const;

 private:
  LeaderElector(std::shared_ptr<Client> client, LeaderElectionConfig config, const Clock& clock);
  void Run();
  // One acquire-or-renew attempt; returns true when this replica holds the Lease afterwards.
  bool TryAcquireOrRenew();
  bool WaitFor(std::chrono::milliseconds delay);  // false when stopping.
  void Release();

  std::shared_ptr<Client> client_;
  LeaderElectionConfig config_;
  const Clock& clock_;

  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::atomic<bool> leading_{false};
  nlohmann::json observed_spec_;
  SystemTime observed_time_;
  std::string observed_leader_;
  nlohmann::json lease_;  // Last Lease object read or written.
};

// "2026-12-04T10:00:00.123456Z", the metav1.MicroTime format of Lease times.
std::string FormatMicroTime(SystemTime time);

}  // namespace vtguard::kube
