#include "common/vitess/pod_args.h"

#include "common/vitess/flags.h"

namespace vtguard::vitess {

std::vector<CommandLineFlag> ContainerFlags(const nlohmann::json& container) {
  std::vector<CommandLineFlag> flags;
  if (!container.is_object()) return flags;
  for (const char* list_name : {"command", "args"}) {
    auto list = container.find(list_name);
    if (list == container.end() || !list->is_array()) continue;
    // The array's own vector: indexing it keeps nlohmann's checks out of this loop.
    const nlohmann::json::array_t& tokens = list->get_ref<const nlohmann::json::array_t&>();
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (!tokens[i].is_string()) continue;
      const std::string& text = tokens[i].get_ref<const std::string&>();
      if (text.size() < 2 || text[0] != '-' || text == "--") continue;
      std::size_t start = text.find_first_not_of('-');
      if (start == std::string::npos) continue;
      std::size_t equals = text.find('=');
      CommandLineFlag flag;
      flag.key =
          text.substr(start, equals == std::string::npos ? std::string::npos : equals - start);
      flag.list = list_name;
      flag.index = i;
      if (equals != std::string::npos) {
        flag.value = text.substr(equals + 1);
      } else if (i + 1 < tokens.size() && tokens[i + 1].is_string() &&
                 tokens[i + 1].get_ref<const std::string&>().rfind('-', 0) != 0) {
        flag.value = tokens[i + 1].get_ref<const std::string&>();
      }
      flags.push_back(std::move(flag));
    }
  }
  return flags;
}

bool ContainerHasFlag(const nlohmann::json& container, const std::string& canonical_name) {
  for (const CommandLineFlag& flag : ContainerFlags(container)) {
    if (CanonicalFlagName(flag.key) == canonical_name) return true;
  }
  return false;
}

}  // namespace vtguard::vitess
