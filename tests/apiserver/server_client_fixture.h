// A GoogleTest fixture with a test API server, the namespace "example" in it and a vtguard
// Kubernetes client connected to it.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "common/kube/client.h"
#include "tests/apiserver/api_server.h"

namespace vtguard::testing {

class ServerClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = TestApiServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    ASSERT_TRUE(
        server_
            ->CreateObject(
                {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "example"}}}})
            .ok());
    auto client = kube::Client::Create(server_->ClientConfig());
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = *client;
  }

  const kube::Resource kConfigMaps{"", "v1", "configmaps", "ConfigMap", true};
  std::unique_ptr<TestApiServer> server_;
  std::shared_ptr<kube::Client> client_;
};

}  // namespace vtguard::testing
