#include "cli/args.h"

#include <sstream>

namespace vtguard::cli {

std::optional<std::string> ParsedArgs::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string ParsedArgs::GetOr(const std::string& name, std::string fallback) const {
  std::optional<std::string> value = Get(name);
  return value ? *value : std::move(fallback);
}

std::vector<std::string> ParsedArgs::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

Result<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                             const std::vector<OptionSpec>& specs) {
  ParsedArgs parsed;
  auto find_spec = [&](const std::string& name, bool is_short) -> const OptionSpec* {
    for (const OptionSpec& spec : specs) {
      if ((is_short ? spec.short_name : spec.name) == name) return &spec;
    }
    return nullptr;
  };
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      parsed.positionals_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    const bool is_long = arg.rfind("--", 0) == 0;
    std::string body = arg.substr(is_long ? 2 : 1);
    std::optional<std::string> inline_value;
    if (size_t eq = body.find('='); eq != std::string::npos) {
      inline_value = body.substr(eq + 1);
      body = body.substr(0, eq);
    }
    const OptionSpec* spec = find_spec(body, !is_long);
    if (spec == nullptr) {
      return InvalidArgument("unknown option " + arg + "; run with --help to list the options");
    }
    if (!spec->repeatable && parsed.values_.count(spec->name) > 0) {
      return InvalidArgument("option --" + spec->name + " given more than once");
    }
    std::string value = "true";
    if (spec->takes_value) {
      if (inline_value) {
        value = *inline_value;
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return InvalidArgument("option --" + spec->name + " needs a value");
      }
    } else if (inline_value) {
      return InvalidArgument("option --" + spec->name + " takes no value");
    }
    parsed.values_[spec->name].push_back(value);
  }
  return parsed;
}

std::string FormatOptions(const std::vector<OptionSpec>& specs) {
  std::ostringstream out;
  for (const OptionSpec& spec : specs) {
    std::string left = "  ";
    left += spec.short_name.empty() ? "    " : "-" + spec.short_name + ", ";
    left += "--" + spec.name + (spec.takes_value ? " VALUE" : "");
    out << left;
    if (left.size() < 30)
      out << std::string(30 - left.size(), ' ');
    else
      out << "\n" << std::string(30, ' ');
    out << spec.help << "\n";
  }
  return out.str();
}

}  // namespace vtguard::cli
