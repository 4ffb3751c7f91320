// A small command-line parser for the vtguard tool: long options (`--name value` or
// `--name=value`), short aliases, repeatable options, boolean switches and positionals.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace vtguard::cli {

struct OptionSpec {
  std::string name;        // Long name without dashes, e.g. "output".
  std::string short_name;  // One letter without the dash, e.g. "f"; may be empty.
  bool takes_value = true;
  bool repeatable = false;
  std::string help;  // What the option sets, with its unit or allowed values.
};

class ParsedArgs {
 public:
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // The last value given for `name`, if any.
  std::optional<std::string> Get(const std::string& name) const;
  std::string GetOr(const std::string& name, std::string fallback) const;
  // Every value given for a repeatable option, in order.
  std::vector<std::string> GetAll(const std::string& name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  friend Result<ParsedArgs> ParseArgs(const std::vector<std::string>&,
                                      const std::vector<OptionSpec>&);
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positionals_;
};

// Parses `args` (without the program and command names). Unknown options, a missing value and
// a repeated non-repeatable option are errors that name the option. "--" ends option parsing.
Result<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                             const std::vector<OptionSpec>& specs);

// Formats the option table for --help output.
std::string FormatOptions(const std::vector<OptionSpec>& specs);

}  // namespace vtguard::cli
