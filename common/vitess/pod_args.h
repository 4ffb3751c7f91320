// Reading Vitess flags from a container's command line.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vtguard::vitess {

struct CommandLineFlag {
  std::string key;    // As written, without leading dashes, e.g. "grpc_cert".
  std::string value;  // After '=' or the next token; empty for a bare switch.
  std::string list;   // "command" or "args".
  std::size_t index;  // Position of the flag token in that list.
};

// Every "--name=value", "--name value" and "-name" token of a container's command and args.
std::vector<CommandLineFlag> ContainerFlags(const nlohmann::json& container);

// True when the container's command line sets `canonical_name` in any spelling.
bool ContainerHasFlag(const nlohmann::json& container, const std::string& canonical_name);

}  // namespace vtguard::vitess
