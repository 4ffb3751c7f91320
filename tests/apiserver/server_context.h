// Per-request state shared by the test API server's handler files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tests/apiserver/api_server.h"

namespace vtguard::testing {

struct TestApiServer::Context {
  Context(const ServerRequest& request_in, ResponseWriter& writer_in)
      : request(request_in), writer(writer_in) {}

  const ServerRequest& request;
  ResponseWriter& writer;
  RequestRecord record;
  std::vector<std::string> groups;
  std::optional<ServedResource> served;
  std::string api_version;  // Group/version of the path ("v1", "planetscale.com/v2").
  bool dry_run = false;
  bool direct = false;  // Created by the test through CreateObject, not over HTTP.
  bool logged = false;  // Watches are logged when they start, not when they end.
};

// {"kind":"Status", ...} for an error.
nlohmann::json StatusBody(int code, const std::string& reason, const std::string& message);

// "secrets \"name\"" as Kubernetes messages name objects.
std::string Describe(const ServedResource& served, const std::string& name);

}  // namespace vtguard::testing
