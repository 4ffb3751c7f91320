// `vtguard check`: validates Vitess manifests against a VitessTLSPolicy, offline.
#include <ostream>

#include "cli/args.h"
#include "cli/check_manifests.h"
#include "cli/commands.h"

namespace vtguard::cli {
namespace {

const std::vector<OptionSpec>& CheckOptions() {
  static const std::vector<OptionSpec> kOptions = {
      {"filename", "f", true, true, "Manifest file (YAML or JSON, multi-document); repeatable."},
      {"policy", "", true, false,
       "File with VitessTLSPolicy documents (default: a policy with every default)."},
      {"output", "o", true, false, "Output format: text (default) or json."},
      {"help", "h", false, false, "Print this help."},
  };
  return kOptions;
}

struct Finding {
  std::string file;
  std::size_t document;  // 1-based.
  vitess::Violation violation;
};

// Checks every document of one file. Returns false when the file cannot be used.
bool CheckFile(const std::string& path, const std::vector<vitess::TlsPolicy>& policies,
               std::vector<Finding>& findings, std::ostream& err) {
  Result<std::string> text = ReadManifestFile(path);
  if (!text.ok()) {
    err << "vtguard check: " << text.status().message() << "\n";
    return false;
  }
  std::vector<std::string> chunks = SplitYamlDocuments(*text);
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    Result<std::vector<vitess::OrderedJson>> parsed = vitess::ParseYamlDocuments(chunks[i]);
    if (!parsed.ok()) {
      err << "vtguard check: " << path << ":" << i + 1 << ": " << parsed.status().message() << "\n";
      return false;
    }
    for (const vitess::OrderedJson& document : *parsed) {
      nlohmann::json object = nlohmann::json::parse(document.dump());
      std::optional<vitess::ObjectKind> kind = HandledKind(object);
      if (!kind) continue;
      const vitess::TlsPolicy* policy = SelectPolicy(policies, object);
      if (policy == nullptr) continue;
      std::vector<vitess::Violation> violations =
          *kind == vitess::ObjectKind::kVitessCluster
              ? vitess::ValidateVitessCluster(*policy, object)
              : vitess::ValidatePod(*policy, object);
      for (vitess::Violation& violation : violations) {
        findings.push_back({path, i + 1, std::move(violation)});
      }
    }
  }
  return true;
}

void PrintText(const std::vector<Finding>& findings, std::ostream& out) {
  for (const Finding& finding : findings) {
    out << finding.file << ":" << finding.document << ": ";
    if (finding.violation.severity == vitess::Severity::kWarning) out << "warning: ";
    out << vitess::FormatViolation(finding.violation) << "\n";
  }
}

void PrintJson(const std::vector<Finding>& findings, std::ostream& out) {
  nlohmann::json list = nlohmann::json::array();
  for (const Finding& finding : findings) {
    list.push_back(
        {{"file", finding.file},
         {"document", finding.document},
         {"path", finding.violation.path},
         {"message", finding.violation.message},
         {"fix", finding.violation.fix},
         {"severity",
          finding.violation.severity == vitess::Severity::kError ? "error" : "warning"}});
  }
  out << list.dump(2) << "\n";
}

}  // namespace

int RunCheckCommand(const std::vector<std::string>& args, CommandIo io) {
  Result<ParsedArgs> parsed = ParseArgs(args, CheckOptions());
  if (!parsed.ok()) {
    io.err << "vtguard check: " << parsed.status().message() << "\n";
    return kExitUsage;
  }
  if (parsed->Has("help")) {
    io.out << "Usage: vtguard check -f FILE... [--policy FILE] [--output text|json]\n\n"
              "Reports every TLS problem of the VitessClusters and Pods in the files as\n"
              "file:document: path: message (fix). Exits 1 when an error is found, 0 when\n"
              "clean and 2 when an input cannot be read.\n\n"
           << FormatOptions(CheckOptions());
    return kExitOk;
  }
  std::vector<std::string> files = parsed->GetAll("filename");
  for (const std::string& positional : parsed->positionals()) files.push_back(positional);
  std::string output = parsed->GetOr("output", "text");
  if (files.empty() || (output != "text" && output != "json")) {
    io.err << "vtguard check: "
           << (files.empty() ? "no input; pass -f FILE"
                             : "invalid --output \"" + output + "\"; use text or json")
           << "\n";
    return kExitUsage;
  }
  Result<std::vector<vitess::TlsPolicy>> policies = LoadPolicies(parsed->GetOr("policy", ""));
  if (!policies.ok()) {
    io.err << "vtguard check: " << policies.status().message() << "\n";
    return kExitUsage;
  }
  std::vector<Finding> findings;
  for (const std::string& file : files) {
    if (!CheckFile(file, *policies, findings, io.err)) return kExitUsage;
  }
  if (output == "json") {
    PrintJson(findings, io.out);
  } else {
    PrintText(findings, io.out);
  }
  for (const Finding& finding : findings) {
    if (finding.violation.severity == vitess::Severity::kError) return kExitFindings;
  }
  return kExitOk;
}

}  // namespace vtguard::cli
