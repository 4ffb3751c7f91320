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
      {"strict", "", false, false,
       "Exit 1 also when no policy selects a VitessCluster or Pod (default: report it, exit 0)."},
      {"help", "h", false, false, "Print this help."},
  };
  return kOptions;
}

struct Finding {
  std::string file;
  std::size_t document;  // 1-based.
  std::size_t line;      // 1-based line where the document starts.
  vitess::Violation violation;
};

struct CheckTotals {
  std::vector<Finding> findings;
  std::size_t unselected = 0;  // VitessClusters and Pods that no policy selects.
};

// Checks every document of one file. Returns false when the file cannot be used.
bool CheckFile(const std::string& path, const std::vector<vitess::TlsPolicy>& policies,
               CheckTotals& totals, std::ostream& err) {
  Result<std::string> text = ReadManifestFile(path);
  if (!text.ok()) {
    err << "vtguard check: " << text.status().message() << "\n";
    return false;
  }
  std::vector<DocumentText> chunks = SplitYamlDocuments(*text);
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    std::string label = DocumentLabel(path, i + 1);
    Result<std::vector<vitess::OrderedJson>> parsed =
        vitess::ParseYamlDocuments(chunks[i].text, chunks[i].first_line);
    if (!parsed.ok()) {
      err << "vtguard check: " << label << ": " << parsed.status().message() << "\n";
      return false;
    }
    for (const vitess::OrderedJson& document : *parsed) {
      const nlohmann::json parsed_document = nlohmann::json::parse(document.dump());
      for (const SelectedObject& selected :
           SelectObjects(parsed_document, policies, "vtguard check: " + label, "checked",
                         totals.unselected, err)) {
        // Paths point into the document, so an item of a list gets its /items/N prefix.
        for (vitess::Violation& violation :
             CheckObject(*selected.policy, selected.kind, *selected.object)) {
          violation.path = selected.at + violation.path;
          totals.findings.push_back({path, i + 1, chunks[i].first_line, std::move(violation)});
        }
      }
    }
  }
  return true;
}

void PrintText(const std::vector<Finding>& findings, std::ostream& out) {
  for (const Finding& finding : findings) {
    out << FormatFinding(DocumentLabel(finding.file, finding.document), finding.violation) << "\n";
  }
}

void PrintJson(const std::vector<Finding>& findings, std::ostream& out) {
  nlohmann::json list = nlohmann::json::array();
  for (const Finding& finding : findings) {
    list.push_back({{"file", finding.file},
                    {"document", finding.document},
                    {"line", finding.line},
                    {"path", finding.violation.path},
                    {"message", finding.violation.message},
                    {"fix", finding.violation.fix},
                    {"severity", SeverityName(finding.violation.severity)}});
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
    io.out << "Usage: vtguard check -f FILE... [--policy FILE] [--output text|json] [--strict]\n"
              "\n"
              "Reports every TLS problem of the VitessClusters and Pods in the files, one per\n"
              "line: FILE:document N: [warning: |info: ]PATH: MESSAGE (FIX). N counts the\n"
              "documents of the file from 1 (the parts between --- lines); PATH is a JSON\n"
              "Pointer into the object. Info lines name the Vitess version assumed from the\n"
              "policy's spec.vitessVersion for an image without one. The JSON output lists the\n"
              "same findings with file, document, line (where the document starts), path,\n"
              "message, fix and severity. Objects that no policy selects are named on stderr.\n"
              "\n"
              "Exit codes: 0 no error found (warnings and info lines allowed); 1 an error was\n"
              "found, or with --strict an object that no policy selects; 2 an input or the\n"
              "policy file cannot be read or parsed, or a policy file has no VitessTLSPolicy.\n\n"
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
  CheckTotals totals;
  for (const std::string& file : files) {
    if (!CheckFile(file, *policies, totals, io.err)) return kExitUsage;
  }
  if (output == "json") {
    PrintJson(totals.findings, io.out);
  } else {
    PrintText(totals.findings, io.out);
  }
  for (const Finding& finding : totals.findings) {
    if (finding.violation.severity == vitess::Severity::kError) return kExitFindings;
  }
  if (parsed->Has("strict") && totals.unselected > 0) return kExitFindings;
  return kExitOk;
}

}  // namespace vtguard::cli
