// A table of malformed and hostile requests against the running webhook. Each gets its
// expected status, and /healthz returns 200 after each, so the server is still serving.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <functional>
#include <sstream>
#include <thread>

#include "common/base/log.h"
#include "tests/webhook/webhook_fixture.h"

namespace vtguard::webhook::testing {
namespace {

using nlohmann::json;

struct MalformedCase {
  std::string name;
  std::string path = "/mutate/vitesscluster";
  std::string method = "POST";
  std::string content_type = "application/json";
  std::string body;
  unsigned status = 400;
  // A v1 review with a known uid whose request is wrong: HTTP 200 with allowed=false and
  // status.code 400.
  bool review_error = false;
};

json BaseReview() {
  return MakeReview("VitessCluster", "CREATE",
                    LoadVitessCluster(SharedData("data/vitess-operator/101_initial_cluster.yaml")));
}

// A copy of the base review with `edit` applied.
std::string Edited(const std::function<void(json&)>& edit) {
  json review = BaseReview();
  edit(review);
  return review.dump();
}

std::vector<MalformedCase> HttpCases() {
  std::vector<MalformedCase> cases;
  const std::string base = BaseReview().dump();
  auto add = [&cases](std::string name, std::string body, unsigned status = 400,
                      bool review_error = false) {
    MalformedCase c;
    c.name = std::move(name);
    c.body = std::move(body);
    c.status = status;
    c.review_error = review_error;
    cases.push_back(std::move(c));
  };

  // Truncated JSON.
  for (std::size_t length : {std::size_t{1}, std::size_t{2}, std::size_t{17}, std::size_t{100},
                             base.size() / 2, base.size() - 2, base.size() - 1}) {
    add("truncated at " + std::to_string(length), base.substr(0, length));
  }
  // Not JSON or not an object at the top.
  for (const char* body : {"", " ", "null", "true", "42", "\"review\"", "[]", "[{}]", "{}x",
                           "{\"apiVersion\":NaN}", "\xff\xfe{}", "{\"a\":\"\xc3\x28\"}"}) {
    add(std::string("top level ") +
            json(std::string(body)).dump(-1, ' ', false, json::error_handler_t::replace),
        body);
  }
  // Envelope: apiVersion, kind, request, uid (no uid known yet: plain 400).
  const std::vector<std::pair<std::string, std::function<void(json&)>>> envelope = {
      {"v1beta1 review", [](json& r) { r["apiVersion"] = "admission.k8s.io/v1beta1"; }},
      {"apiVersion missing", [](json& r) { r.erase("apiVersion"); }},
      {"apiVersion number", [](json& r) { r["apiVersion"] = 1; }},
      {"apiVersion object", [](json& r) { r["apiVersion"] = json::object(); }},
      {"apiVersion core v1", [](json& r) { r["apiVersion"] = "v1"; }},
      {"kind missing", [](json& r) { r.erase("kind"); }},
      {"kind wrong", [](json& r) { r["kind"] = "AdmissionRequest"; }},
      {"kind number", [](json& r) { r["kind"] = 3; }},
      {"request missing", [](json& r) { r.erase("request"); }},
      {"request null", [](json& r) { r["request"] = nullptr; }},
      {"request array", [](json& r) { r["request"] = json::array(); }},
      {"request string", [](json& r) { r["request"] = "x"; }},
      {"uid missing", [](json& r) { r["request"].erase("uid"); }},
      {"uid number", [](json& r) { r["request"]["uid"] = 12; }},
      {"uid empty", [](json& r) { r["request"]["uid"] = ""; }},
      {"uid object", [](json& r) { r["request"]["uid"] = json::object(); }},
      {"uid null", [](json& r) { r["request"]["uid"] = nullptr; }},
  };
  for (const auto& [name, edit] : envelope) add(name, Edited(edit));

  // Request fields with a known uid: an AdmissionReview error response.
  const std::vector<std::pair<std::string, std::function<void(json&)>>> request_fields = {
      {"request.kind missing", [](json& r) { r["request"].erase("kind"); }},
      {"request.kind string", [](json& r) { r["request"]["kind"] = "VitessCluster"; }},
      {"request.kind array", [](json& r) { r["request"]["kind"] = json::array(); }},
      {"request.kind.kind number", [](json& r) { r["request"]["kind"]["kind"] = 5; }},
      {"request.kind.kind missing", [](json& r) { r["request"]["kind"].erase("kind"); }},
      {"request.kind.group number", [](json& r) { r["request"]["kind"]["group"] = 5; }},
      {"operation missing", [](json& r) { r["request"].erase("operation"); }},
      {"operation number", [](json& r) { r["request"]["operation"] = 1; }},
      {"operation unknown", [](json& r) { r["request"]["operation"] = "PATCH"; }},
      {"object string", [](json& r) { r["request"]["object"] = "{}"; }},
      {"object array", [](json& r) { r["request"]["object"] = json::array(); }},
      {"object number", [](json& r) { r["request"]["object"] = 1; }},
      {"object missing on CREATE", [](json& r) { r["request"].erase("object"); }},
      {"oldObject string", [](json& r) { r["request"]["oldObject"] = "old"; }},
      {"dryRun string", [](json& r) { r["request"]["dryRun"] = "yes"; }},
      {"dryRun number", [](json& r) { r["request"]["dryRun"] = 1; }},
      {"namespace number", [](json& r) { r["request"]["namespace"] = 1; }},
      {"name array", [](json& r) { r["request"]["name"] = json::array(); }},
      {"unknown kind Deployment",
       [](json& r) {
         r["request"]["kind"] = {{"group", "apps"}, {"version", "v1"}, {"kind", "Deployment"}};
       }},
      {"Pod sent to the cluster path",
       [](json& r) {
         r["request"]["kind"] = {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}};
       }},
      {"VitessCluster of another group",
       [](json& r) { r["request"]["kind"]["group"] = "example.com"; }},
  };
  for (const auto& [name, edit] : request_fields) add(name, Edited(edit), 200, true);

  // Depth: refused before parsing; brackets inside strings do not count.
  add("deeply nested arrays", std::string(100000, '['));
  add("deeply nested objects", [] {
    std::string body;
    for (int i = 0; i < 20000; ++i) body += "{\"a\":";
    return body + "1" + std::string(20000, '}');
  }());
  add("nested object inside request.object", Edited([](json& r) {
        json nested = 1;
        for (int i = 0; i < 80; ++i) nested = json{{"n", nested}};
        r["request"]["object"]["spec"]["deep"] = nested;
      }));
  add("brackets inside strings are fine", Edited([](json& r) {
        r["request"]["object"]["metadata"]["annotations"] = {{"x", std::string(5000, '[')}};
      }),
      200);

  // Routing, method and content type.
  auto add_route = [&cases, &base](std::string name, std::string path, std::string method,
                                   std::string content_type, unsigned status) {
    MalformedCase c;
    c.name = std::move(name);
    c.path = std::move(path);
    c.method = std::move(method);
    c.content_type = std::move(content_type);
    c.body = base;
    c.status = status;
    cases.push_back(std::move(c));
  };
  add_route("content type text/plain", "/mutate/vitesscluster", "POST", "text/plain", 415);
  add_route("content type missing", "/mutate/vitesscluster", "POST", "", 415);
  add_route("content type xml", "/validate/pod", "POST", "application/xml", 415);
  add_route("content type yaml", "/validate/vitesscluster", "POST", "application/yaml", 415);
  add_route("GET on admission path", "/mutate/vitesscluster", "GET", "application/json", 405);
  add_route("PUT on admission path", "/validate/pod", "PUT", "application/json", 405);
  add_route("DELETE on admission path", "/mutate/pod", "DELETE", "application/json", 405);
  add_route("POST on healthz", "/healthz", "POST", "application/json", 405);
  add_route("unknown path", "/mutate", "POST", "application/json", 404);
  add_route("plural path", "/mutate/vitessclusters", "POST", "application/json", 404);
  add_route("unknown kind path", "/validate/deployment", "POST", "application/json", 404);
  add_route("root path", "/", "GET", "", 404);
  add_route("path traversal", "/mutate/../healthz", "GET", "", 404);
  add_route("query string is ignored", "/mutate/vitesscluster?timeout=10s", "POST",
            "application/json", 200);
  add_route("content type with charset", "/mutate/vitesscluster", "POST",
            "application/json; charset=utf-8", 200);
  return cases;
}

class MalformedRequestTest : public WebhookFixture {
 protected:
  void ExpectHealthy() {
    http::testing::TestClient probe(https_->port(), ClientTls());
    auto response = probe.Get("/healthz");
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->result_int(), 200u);
  }
};

TEST_F(MalformedRequestTest, EveryCaseGetsItsStatusAndServerStaysUp) {
  StartWebhook(PolicyYaml("example"));
  const std::vector<MalformedCase> cases = HttpCases();
  EXPECT_GE(cases.size(), 60u);
  for (const MalformedCase& test : cases) {
    SCOPED_TRACE(test.name);
    http::testing::TestClient client(https_->port(), ClientTls());
    http::Request request(boost::beast::http::string_to_verb(test.method), test.path, 11);
    if (!test.content_type.empty()) {
      request.set(boost::beast::http::field::content_type, test.content_type);
    }
    request.body() = test.body;
    auto response = client.Send(std::move(request));
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->result_int(), test.status) << response->body();
    EXPECT_FALSE(response->body().empty());
    if (test.status != 200) {
      // One line of reason.
      EXPECT_EQ(response->body().find('\n'), response->body().size() - 1) << response->body();
    }
    if (test.review_error) {
      const json review = json::parse(response->body());
      EXPECT_EQ(review["response"]["uid"], BaseReview()["request"]["uid"]);
      EXPECT_FALSE(review["response"]["allowed"].get<bool>());
      EXPECT_EQ(review["response"]["status"]["code"], 400);
      EXPECT_FALSE(review["response"]["status"]["message"].get<std::string>().empty());
    }
    ExpectHealthy();
  }
}

TEST_F(MalformedRequestTest, TenMegabyteBodyGets413) {
  StartWebhook(PolicyYaml("example"));
  http::testing::TestClient client(https_->port(), ClientTls());
  // The whole body is written: the server responds from the Content-Length and discards the
  // rest before closing, so the client reads the 413.
  auto response = client.Post("/mutate/vitesscluster", std::string(10 * 1024 * 1024, ' '));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->result_int(), 413u);
  ExpectHealthy();
}

TEST_F(MalformedRequestTest, ChunkedBodyOverTheLimitGets413) {
  StartWebhook(PolicyYaml("example"));
  http::testing::TestClient client(https_->port(), ClientTls());
  ASSERT_TRUE(client
                  .SendRaw("POST /mutate/vitesscluster HTTP/1.1\r\nHost: x\r\nContent-Type: "
                           "application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "A00000\r\n" +
                           std::string(4 * 1024 * 1024, ' '))
                  .ok());
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->result_int(), 413u);
  ExpectHealthy();
}

TEST_F(MalformedRequestTest, HeaderFloodGets431) {
  StartWebhook(PolicyYaml("example"));
  http::testing::TestClient client(https_->port(), ClientTls());
  std::string raw = "POST /mutate/vitesscluster HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 5000; ++i) raw += "X-Flood-" + std::to_string(i) + ": value\r\n";
  ASSERT_TRUE(client.SendRaw(raw + "\r\n").ok());
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->result_int(), 431u);
  ExpectHealthy();
}

TEST_F(MalformedRequestTest, SlowDripBodyIsClosed) {
  StartWebhook(PolicyYaml("example"));
  http::testing::TestClient client(https_->port(), ClientTls());
  ASSERT_TRUE(client
                  .SendRaw("POST /mutate/vitesscluster HTTP/1.1\r\nHost: x\r\nContent-Type: "
                           "application/json\r\nContent-Length: 5000\r\n\r\n{")
                  .ok());
  for (int i = 0; i < 12 && client.connected(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    client.SendRaw(" ").IgnoreError();
  }
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_NE(Metrics().find("vtguard_webhook_request_errors_total{reason=\"timeout\"} 1"),
            std::string::npos);
  ExpectHealthy();
}

TEST_F(MalformedRequestTest, SlowDripHeaderIsClosed) {
  StartWebhook(PolicyYaml("example"));
  http::testing::TestClient client(https_->port(), ClientTls());
  ASSERT_TRUE(client.SendRaw("POST /mutate/vitesscluster HTTP/1.1\r\n").ok());
  for (int i = 0; i < 12 && client.connected(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    client.SendRaw("X: y\r\n").IgnoreError();
  }
  EXPECT_TRUE(client.WaitForClose());
  ExpectHealthy();
}

TEST_F(MalformedRequestTest, OldTlsVersionsFailTheHandshake) {
  StartWebhook(PolicyYaml("example"));
  for (int version : {TLS1_VERSION, TLS1_1_VERSION}) {
    http::testing::ClientOptions options = ClientTls();
    options.min_version = version;
    options.max_version = version;
    http::testing::TestClient client(https_->port(), options);
    EXPECT_FALSE(client.Connect().ok()) << version;
    ExpectHealthy();
  }
  EXPECT_NE(Metrics().find("vtguard_webhook_request_errors_total{reason=\"handshake_failed\"} 2"),
            std::string::npos);
}

TEST_F(MalformedRequestTest, PlaintextHttpOnTheTlsPortIsClosed) {
  StartWebhook(PolicyYaml("example"));
  http::testing::ClientOptions options;
  options.tls = false;
  http::testing::TestClient client(https_->port(), options);
  auto response = client.Post("/mutate/vitesscluster", BaseReview().dump());
  EXPECT_FALSE(response.ok());
  ExpectHealthy();
}

// A client may send any uid: the response echoes it whole, and the log keeps a short prefix.
TEST_F(MalformedRequestTest, LongUidIsShortInTheLog) {
  std::ostringstream log_lines;
  log::SetSink(std::make_shared<spdlog::sinks::ostream_sink_mt>(log_lines));
  StartWebhook(PolicyYaml("example"));
  const std::string uid(100 * 1024, 'u');
  json review = BaseReview();
  review["request"]["uid"] = uid;
  review["request"]["operation"] = 7;
  json answer = Review("/mutate/vitesscluster", review);
  log::ResetSink();
  EXPECT_EQ(answer["response"]["uid"], uid);
  EXPECT_EQ(answer["response"]["allowed"], false);
  EXPECT_NE(log_lines.str().find("Rejected a malformed admission review."), std::string::npos)
      << log_lines.str().substr(0, 300);
  std::istringstream lines(log_lines.str());
  for (std::string line; std::getline(lines, line);) {
    EXPECT_LT(line.size(), 1024u) << line.substr(0, 300);
  }
}

}  // namespace
}  // namespace vtguard::webhook::testing
