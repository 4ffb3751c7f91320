// Setup shared by the operator tests that run against the test API server.
#pragma once

#include <string>

#include "tests/apiserver/api_server.h"
#include "tests/operator/test_env.h"

namespace vtguard::op::testing {

// Applies vitess-operator's VitessCluster CRD and the VitessTLSPolicy CRD to `server`.
inline Status ApplyOperatorCrds(vtguard::testing::TestApiServer& server) {
  VTG_RETURN_IF_ERROR(
      server.ApplyYamlFile(std::string(VTGUARD_SHARED_DATA_DIR) +
                           "/data/vitess-operator/crds/planetscale.com_vitessclusters.yaml"));
  return server.CreateObject(PolicyCrd()).status();
}

}  // namespace vtguard::op::testing
