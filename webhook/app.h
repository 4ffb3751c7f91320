// The vtguard-webhook process: policy source, serving certificate, two servers, signals.
#pragma once

#include <filesystem>
#include <vector>

#include "common/base/status.h"
#include "common/vitess/policy.h"
#include "webhook/options.h"

namespace vtguard::webhook {

// Reads every VitessTLSPolicy document of a YAML file (at most 4 MiB).
Result<std::vector<vitess::TlsPolicy>> LoadPolicyFile(const std::filesystem::path& path);

// Runs the webhook until SIGTERM or SIGINT, then stops accepting, lets requests in flight
// finish within options.shutdown_timeout and returns the process exit code (0 on a clean stop).
int RunWebhook(const WebhookOptions& options);

}  // namespace vtguard::webhook
