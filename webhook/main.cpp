// vtguard-webhook: the admission webhook that injects and enforces Vitess TLS configuration.
#include <iostream>
#include <string>
#include <vector>

#include "webhook/app.h"
#include "webhook/options.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  vtguard::Result<vtguard::webhook::WebhookOptions> options =
      vtguard::webhook::ParseWebhookOptions(args);
  if (!options.ok()) {
    std::cerr << "vtguard-webhook: " << options.status().message() << "\n";
    // Errors from the argument parser already point to --help.
    if (options.status().message().find("--help") == std::string::npos) {
      std::cerr << "Run vtguard-webhook --help for the list of flags.\n";
    }
    return 2;
  }
  if (options->help) {
    std::cout << vtguard::webhook::WebhookUsage();
    return 0;
  }
  return vtguard::webhook::RunWebhook(*options);
}
