// Watch decoding and the informer's reconnect rules, against byte-exact and scripted servers.
#include "common/kube/watch.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/kube/config.h"
#include "common/kube/informer.h"
#include "tests/apiserver/https_server.h"
#include "tests/apiserver/test_pki.h"

namespace vtguard::kube {
namespace {

using testing::HttpsServer;
using testing::PemPair;
using testing::ResponseWriter;
using testing::ServerRequest;

const std::string kCases = std::string(VTGUARD_SHARED_DATA_DIR) + "/cases/";

// A TLS server on 127.0.0.1 whose handler the test scripts.
class ScriptedServer {
 public:
  explicit ScriptedServer(testing::RequestHandler handler) {
    auto ca = testing::CreateTestCa("scripted-ca");
    EXPECT_TRUE(ca.ok());
    ca_ = *ca;
    testing::LeafRequest leaf;
    leaf.common_name = "scripted";
    leaf.ip_addresses = {"127.0.0.1"};
    auto serving = testing::IssueTestLeaf(ca_, leaf);
    EXPECT_TRUE(serving.ok());
    testing::HttpsServerOptions options;
    options.server = *serving;
    auto server = HttpsServer::Start(options, std::move(handler));
    EXPECT_TRUE(server.ok());
    server_ = std::move(*server);
  }
  ~ScriptedServer() { server_->Stop(); }

  std::shared_ptr<Client> NewClient() {
    ClientConfig config;
    config.server = server_->url();
    config.ca_pem = ca_.cert_pem;
    auto client = Client::Create(config);
    EXPECT_TRUE(client.ok());
    client.value()->set_timeout(std::chrono::seconds(5));
    return *client;
  }

 private:
  PemPair ca_;
  std::unique_ptr<HttpsServer> server_;
};

// Collects informer notifications for assertions.
struct Recorder {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> events;  // "ADDED ns/name rv", "MODIFIED ...", "DELETED ..."

  ResourceEventHandlers Handlers() {
    auto note = [this](const std::string& type, const nlohmann::json& object) {
      std::lock_guard<std::mutex> lock(mu);
      events.push_back(type + " " + ObjectKey(object) + " " + ResourceVersionOf(object));
      cv.notify_all();
    };
    return {[note](const nlohmann::json& o) { note("ADDED", o); },
            [note](const nlohmann::json&, const nlohmann::json& o) { note("MODIFIED", o); },
            [note](const nlohmann::json& o) { note("DELETED", o); }};
  }
  bool WaitFor(size_t count) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return events.size() >= count; });
  }
};

TEST(LineAssembler, JoinsLinesSplitAnywhere) {
  const std::string body = "{\"a\":\"caf\xc3\xa9\"}\n{\"b\":2}\r\n\n{\"c\":";
  for (size_t step : {1u, 2u, 3u, 7u, 100u}) {
    LineAssembler assembler;
    std::vector<std::string> lines;
    for (size_t i = 0; i < body.size(); i += step) {
      ASSERT_TRUE(assembler.Feed(body.substr(i, step), &lines).ok());
    }
    ASSERT_EQ(lines.size(), 2u) << "step " << step;
    EXPECT_EQ(lines[0], "{\"a\":\"caf\xc3\xa9\"}");
    EXPECT_EQ(lines[1], "{\"b\":2}");
    EXPECT_EQ(assembler.buffered_bytes(), 5u);
  }
}

TEST(LineAssembler, RejectsOversizedLine) {
  LineAssembler assembler(8);
  std::vector<std::string> lines;
  EXPECT_EQ(assembler.Feed("0123456789", &lines).code(), ErrorCode::kResourceExhausted);
}

TEST(ParseWatchEvent, RejectsMalformedEvents) {
  EXPECT_FALSE(ParseWatchEvent("not json").ok());
  EXPECT_FALSE(ParseWatchEvent("{\"type\":\"ADDED\"}").ok());
  EXPECT_FALSE(ParseWatchEvent("{\"type\":\"RENAMED\",\"object\":{}}").ok());
  Result<WatchEvent> event = ParseWatchEvent("{\"type\":\"BOOKMARK\",\"object\":{}}");
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->type, "BOOKMARK");
}

// Serves the byte-exact chunked response of a watch split mid-event and mid-character.
void RunChunkSplitCase(bool one_byte_per_write) {
  Result<std::string> raw = ReadSmallFile(kCases + "14-watch-chunk-split.http");
  ASSERT_TRUE(raw.ok());
  std::mutex mu;
  std::vector<std::string> watch_versions;
  ScriptedServer server([&](const ServerRequest& request, ResponseWriter& writer) {
    if (request.Query("watch") != "1") {
      writer.Send(200, "application/json",
                  R"({"kind":"VitessClusterList","apiVersion":"planetscale.com/v2",)"
                  R"("metadata":{"resourceVersion":"1000"},"items":[]})");
      return;
    }
    size_t index = 0;
    {
      std::lock_guard<std::mutex> lock(mu);
      index = watch_versions.size();
      watch_versions.push_back(request.Query("resourceVersion"));
    }
    if (index > 0) {  // The resumed watch stays open until the test ends.
      writer.StartChunked(200, "application/json");
      while (!writer.stopping()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return;
    }
    if (!one_byte_per_write) {
      writer.WriteRaw(*raw);
    } else {
      for (char c : *raw) writer.WriteRaw(std::string_view(&c, 1));
    }
    writer.CloseAfter();
  });
  InformerOptions options;
  options.resource = VitessClustersResource();
  options.ns = "ns1";
  options.initial_backoff = std::chrono::milliseconds(10);
  Informer informer(server.NewClient(), options);
  Recorder recorder;
  informer.AddHandlers(recorder.Handlers());
  informer.Start();
  ASSERT_TRUE(recorder.WaitFor(2));
  for (int i = 0; i < 500; ++i) {
    std::lock_guard<std::mutex> lock(mu);
    if (watch_versions.size() >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  informer.Stop();

  std::lock_guard<std::mutex> lock(recorder.mu);
  EXPECT_EQ(recorder.events,
            (std::vector<std::string>{"ADDED ns1/cluster1 1001", "MODIFIED ns1/cluster1 1002"}));
  std::optional<nlohmann::json> cached = informer.cache().Get("ns1/cluster1");
  ASSERT_TRUE(cached.has_value());
  EXPECT_EQ((*cached)["metadata"]["annotations"]["example.com/note"],
            "migraci\xc3\xb3n caf\xc3\xa9");
  std::lock_guard<std::mutex> server_lock(mu);
  ASSERT_GE(watch_versions.size(), 2u);
  EXPECT_EQ(watch_versions[0], "1000");
  EXPECT_EQ(watch_versions[1], "1002");  // resumes at the last event seen
}

TEST(WatchChunkSplit, DecodesEventsSplitAcrossChunks) { RunChunkSplitCase(false); }
TEST(WatchChunkSplit, DecodesEventsFedOneBytePerWrite) { RunChunkSplitCase(true); }

// Plays the scripted list/watch/410/relist sequence; `in_stream` picks the 410 form.
void RunRelistCase(bool in_stream) {
  Result<std::string> text = ReadSmallFile(kCases + "15-watch-410-relist.json");
  ASSERT_TRUE(text.ok());
  const nlohmann::json script = nlohmann::json::parse(*text);
  const nlohmann::json& steps = script["steps"];
  std::mutex mu;
  size_t next_step = 0;
  std::vector<std::string> mismatches;

  ScriptedServer server([&](const ServerRequest& request, ResponseWriter& writer) {
    size_t index = 0;
    {
      std::lock_guard<std::mutex> lock(mu);
      index = next_step++;
    }
    if (index >= steps.size()) {
      std::lock_guard<std::mutex> lock(mu);
      mismatches.push_back("unexpected extra request " + request.target);
      writer.Send(500, "text/plain", "script ended");
      return;
    }
    const nlohmann::json& step = steps[index];
    const nlohmann::json& expected = step["expectRequest"];
    std::string problem;
    if (request.path != expected["path"]) problem += " path " + request.path;
    for (const char* key : {"watch", "resourceVersion"}) {
      std::string want = expected["query"].value(key, "");
      if (request.Query(key) != want) {
        problem += std::string(" ") + key + "=" + request.Query(key) + " (want " + want + ")";
      }
    }
    if (!problem.empty()) {
      std::lock_guard<std::mutex> lock(mu);
      mismatches.push_back("step " + std::to_string(index + 1) + ":" + problem);
    }
    nlohmann::json respond = step.contains("variants")
                                 ? step["variants"][in_stream ? "B_inStreamError" : "A_httpStatus"]
                                 : step["respond"];
    if (respond.contains("body")) {
      writer.Send(respond["status"], "application/json", respond["body"].dump());
      return;
    }
    writer.StartChunked(respond["status"], "application/json");
    for (const auto& event : respond["chunkedEvents"]) writer.WriteChunk(event.dump() + "\n");
    const std::string then = respond.value("then", "");
    if (then.rfind("close TCP", 0) == 0) {
      writer.Abort();
    } else if (then.rfind("send zero-length", 0) == 0) {
      writer.FinishChunked();
    } else {
      while (!writer.stopping()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });

  InformerOptions options;
  options.resource = VitessClustersResource();
  options.ns = "ns1";
  options.list_page_size = 0;
  options.initial_backoff = std::chrono::milliseconds(20);
  Informer informer(server.NewClient(), options);
  Recorder recorder;
  informer.AddHandlers(recorder.Handlers());
  informer.Start();
  ASSERT_TRUE(recorder.WaitFor(5));  // 2 adds, 1 modify, 1 delete, 1 relist modify
  for (int i = 0; i < 500; ++i) {
    std::lock_guard<std::mutex> lock(mu);
    if (next_step >= 5) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Held open at step 5: no further requests may come (no hot loop).
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  informer.Stop();

  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(next_step, 5u);
  EXPECT_TRUE(mismatches.empty()) << mismatches.front();
  EXPECT_EQ(informer.cache().Keys(), std::vector<std::string>{"ns1/cluster1"});
  EXPECT_EQ(ResourceVersionOf(*informer.cache().Get("ns1/cluster1")), "5610");
  std::lock_guard<std::mutex> recorder_lock(recorder.mu);
  EXPECT_EQ(recorder.events,
            (std::vector<std::string>{"ADDED ns1/cluster1 4990", "ADDED ns1/cluster2 4995",
                                      "MODIFIED ns1/cluster1 5003", "MODIFIED ns1/cluster1 5610",
                                      "DELETED ns1/cluster2 4995"}));
  EXPECT_EQ(informer.list_count(), 2);
  EXPECT_GE(informer.backoff_count(), 2);  // after the reset and after the 410
}

TEST(WatchRelist, RelistsAfterGoneAsHttpStatus) { RunRelistCase(false); }
TEST(WatchRelist, RelistsAfterGoneAsStreamError) { RunRelistCase(true); }

}  // namespace
}  // namespace vtguard::kube
