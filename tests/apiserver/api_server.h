// An in-process Kubernetes API server for tests: HTTPS on 127.0.0.1 port 0 with a throw-away CA,
// discovery, CRUD with resourceVersion semantics, watches, patches, admission webhooks,
// garbage collection by ownerReference, seeded fault injection and a request log.
//
//   auto server = testing::TestApiServer::Start({});
//   auto client = kube::Client::Create((*server)->ClientConfig());
//   (*server)->WriteKubeconfig("/tmp/kubeconfig");  // for kubectl and other clients
//
// NOTE: this is a subset of kube-apiserver. There is no RBAC, so every authenticated user may
// do everything. A DELETE of an object with metadata.finalizers only sets deletionTimestamp; the
// object goes when an update removes its last finalizer. Garbage collection and namespace
// deletion remove dependents at once, without waiting for their finalizers. Server-side
// apply, deletecollection, Table output and protobuf bodies are not served, so kubectl commands
// that send protobuf (`kubectl create secret generic`, `kubectl create namespace`) fail; use
// `kubectl apply -f`. Field selectors compare string fields by dotted path. A watch does not
// turn an update that leaves its label selector into a DELETED event.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/kube/config.h"
#include "tests/apiserver/admission.h"
#include "tests/apiserver/https_server.h"
#include "tests/apiserver/object_store.h"
#include "tests/apiserver/registry.h"

namespace vtguard::testing {

// Fails a fraction of matching requests, chosen by a seeded generator.
struct FaultRule {
  std::string verb;      // get, list, watch, create, update, patch, delete; empty: any.
  std::string resource;  // Plural resource name; empty: any.
  int status = 500;      // 409, 429, 500, ...; 0 adds only latency.
  double fraction = 1.0;
  int retry_after_seconds = 1;  // Sent with 429.
  std::chrono::milliseconds latency{0};
  int max_hits = -1;  // Stop after this many failures; -1: unlimited.
};

struct RequestRecord {
  std::string method;
  std::string path;
  std::string verb;  // Kubernetes verb: get, list, watch, create, update, patch, delete.
  std::string api_group;
  std::string resource;
  std::string subresource;
  std::string ns;
  std::string name;
  std::string user;
  int status = 0;
};

// The record as a JSON object with the keys method, path, verb, apiGroup, resource,
// subresource, namespace, name, user and status.
nlohmann::json RequestRecordToJson(const RequestRecord& record);

struct TestApiServerOptions {
  std::string token = "vtguard-test-token";         // Bearer token of user "test-admin".
  std::map<std::string, std::string> extra_tokens;  // Token -> user name.
  size_t event_window = 10000;  // Watch events kept; older versions get 410 Gone.
  std::chrono::milliseconds bookmark_interval{1000};
  uint64_t fault_seed = 1;
  std::map<std::string, std::string> service_addresses;  // "<ns>/<name>" -> "127.0.0.1:port".
};

class TestApiServer {
 public:
  static Result<std::unique_ptr<TestApiServer>> Start(TestApiServerOptions options = {});
  ~TestApiServer();

  std::string url() const { return http_->url(); }
  int port() const { return http_->port(); }
  const std::string& ca_pem() const { return ca_.cert_pem; }

  // Bearer-token configuration for vtguard's client.
  kube::ClientConfig ClientConfig() const;
  // Client-certificate configuration for `user` in `groups`.
  Result<kube::ClientConfig> ClientCertConfig(const std::string& user,
                                              const std::vector<std::string>& groups) const;
  // Writes a kubeconfig pointing at this server (bearer token, or a client certificate).
  Status WriteKubeconfig(const std::string& path, bool client_certificate = false) const;

  // Creates every object of a YAML file (several documents allowed) as user "test-admin".
  Status ApplyYamlFile(const std::string& path);
  // Creates one object directly (admission included), returning the stored object.
  Result<nlohmann::json> CreateObject(const nlohmann::json& object);

  void AddFault(const FaultRule& rule);
  void ClearFaults();
  // Closes every open watch stream without its final chunk.
  void DropWatches();
  // Cuts the next event of every open watch in the middle of its JSON line, then closes the
  // stream, as a proxy or a broken connection does.
  void TruncateWatches();
  // Makes every resourceVersion handed out so far too old for a watch (410 Gone).
  void ExpireResourceVersions();
  void SetServiceAddress(const std::string& service, const std::string& address);

  std::vector<RequestRecord> RequestLog() const;
  void ClearRequestLog();
  std::vector<AdmissionCall> AdmissionCalls() const { return admission_->calls(); }
  uint64_t CurrentResourceVersion() const { return store_.CurrentVersion(); }

  void Stop();

 private:
  struct Context;
  explicit TestApiServer(TestApiServerOptions options);

  void Handle(const ServerRequest& request, ResponseWriter& writer);
  bool Authenticate(Context& context);
  bool ApplyFaults(Context& context);
  void Dispatch(Context& context);
  void ServeDiscovery(Context& context);
  void ServeResource(Context& context);
  void ServeGet(Context& context);
  void ServeList(Context& context);
  void ServeWatch(Context& context);
  void ServeCreate(Context& context);
  void ServeUpdate(Context& context);
  void ServePatch(Context& context);
  void ServeDelete(Context& context);

  Result<nlohmann::json> CreateLocked(Context& context, nlohmann::json object);
  Result<nlohmann::json> UpdateLocked(Context& context, const nlohmann::json& old_object,
                                      nlohmann::json object);
  Result<nlohmann::json> DeleteLocked(const ServedResource& served, const std::string& ns,
                                      const std::string& name, const nlohmann::json& options,
                                      Context* context);
  void CollectGarbageLocked(const nlohmann::json& owner, bool orphan);
  // Appends the request to the log once. It runs before the response is sent, so a client
  // that received its response finds its request in the log.
  void LogRequest(Context& context);
  void Reply(Context& context, int status, const nlohmann::json& body);
  void ReplyError(Context& context, const Status& status);
  std::map<std::string, std::string> NamespaceLabels(const std::string& ns) const;

  TestApiServerOptions options_;
  PemPair ca_;
  std::unique_ptr<HttpsServer> http_;
  ResourceRegistry registry_;
  ObjectStore store_;
  std::unique_ptr<AdmissionDispatcher> admission_;
  std::mutex write_mu_;  // Serializes every write so read-check-write is atomic.

  mutable std::mutex log_mu_;
  std::vector<RequestRecord> log_;
  std::vector<FaultRule> faults_;  // Guarded by log_mu_.
  std::mt19937_64 fault_random_;   // Guarded by log_mu_.
  std::atomic<uint64_t> watch_generation_{0};
  std::atomic<uint64_t> watch_truncation_{0};
};

}  // namespace vtguard::testing
