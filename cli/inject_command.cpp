// `vtguard inject`: writes manifests with the TLS configuration of a VitessTLSPolicy added.
// Documents that vtguard does not change are written back byte for byte, in order. The
// written objects are validated again, and every violation left is reported on stderr.
#include <optional>
#include <ostream>

#include "cli/args.h"
#include "cli/check_manifests.h"
#include "cli/commands.h"

namespace vtguard::cli {
namespace {

const std::vector<OptionSpec>& InjectOptions() {
  static const std::vector<OptionSpec> kOptions = {
      {"filename", "f", true, false, "Manifest file (YAML or JSON, multi-document)."},
      {"policy", "", true, false,
       "File with VitessTLSPolicy documents (default: a policy with every default)."},
      {"strict", "", false, false,
       "Exit 1 also when no policy selects a VitessCluster or Pod (default: report it, exit 0)."},
      {"help", "h", false, false, "Print this help."},
  };
  return kOptions;
}

struct InjectTotals {
  bool failed = false;         // An error remains in the output, or a document was skipped.
  std::size_t unselected = 0;  // VitessClusters and Pods that no policy selects.
};

// True when a mutation warning only repeats one of the mutation's errors.
bool RepeatsError(const vitess::Violation& note, const Status& status) {
  return !status.ok() && status.message().find(note.message) != std::string::npos;
}

// Mutates one object and reports what remains wrong with the result. `at` is the object's JSON
// Pointer in its document ("" or "/items/N"), which reported paths start with. Returns the
// mutated object, or nullopt when nothing changed or the patch does not apply.
std::optional<vitess::OrderedJson> InjectObject(const vitess::OrderedJson& document,
                                                const std::string& at, vitess::ObjectKind kind,
                                                const vitess::TlsPolicy& policy,
                                                const std::string& label, InjectTotals& totals,
                                                std::ostream& err) {
  const std::string where = at.empty() ? label : label + ": " + at;
  nlohmann::json object = nlohmann::json::parse(document.dump());
  vitess::MutationResult mutation = kind == vitess::ObjectKind::kVitessCluster
                                        ? vitess::MutateVitessCluster(policy, object, nullptr)
                                        : vitess::MutatePod(policy, object, "CREATE");
  // The notes, not the warnings: a terminal has no 120-byte limit as an AdmissionReview does.
  for (vitess::Violation& note : mutation.notes) {
    if (RepeatsError(note, mutation.status)) continue;
    if (note.path.empty()) {
      err << "vtguard inject: " << FormatFinding(where, note) << "\n";
    } else {
      note.path = at + note.path;
      err << "vtguard inject: " << FormatFinding(label, note) << "\n";
    }
  }
  std::optional<vitess::OrderedJson> patched;
  nlohmann::json written = object;
  if (mutation.changed()) {
    try {
      patched = document.patch(vitess::OrderedJson::parse(mutation.patch.text()));
      written = nlohmann::json::parse(patched->dump());
    } catch (const nlohmann::json::exception& error) {
      err << "vtguard inject: " << where << ": the patch does not apply: " << error.what() << "\n";
      totals.failed = true;
      patched.reset();
    }
  }

  std::vector<vitess::Violation> findings = CheckObject(policy, kind, written);
  for (vitess::Violation& finding : findings) {
    finding.path = at + finding.path;
    err << "vtguard inject: " << FormatFinding(label, finding) << "\n";
  }
  if (HasErrors(findings)) {
    totals.failed = true;
  } else if (!mutation.status.ok()) {
    // Validation found nothing, so print the mutation's own error (for example a Pod without
    // a cluster label, whose Secret name is unknown).
    err << "vtguard inject: " << where << ": " << mutation.status.message() << "\n";
    totals.failed = true;
  }
  return patched;
}

// Injects every object of `document` (the document itself, or each item of a list) that
// vtguard handles. Returns the text to write: the changed document as YAML, or the chunk as
// written when nothing changed.
std::string InjectObjects(const vitess::OrderedJson& document, const DocumentText& chunk,
                          const std::vector<vitess::TlsPolicy>& policies, const std::string& label,
                          InjectTotals& totals, std::ostream& err) {
  const nlohmann::json parsed = nlohmann::json::parse(document.dump());
  vitess::OrderedJson written = document;
  bool changed = false;
  for (const SelectedObject& selected : SelectObjects(parsed, policies, "vtguard inject: " + label,
                                                      "injected", totals.unselected, err)) {
    const vitess::OrderedJson::json_pointer pointer(selected.at);
    std::optional<vitess::OrderedJson> patched = InjectObject(
        written[pointer], selected.at, selected.kind, *selected.policy, label, totals, err);
    if (!patched) continue;
    written[pointer] = std::move(*patched);
    changed = true;
  }
  return changed ? vitess::ToYaml(written) : chunk.text;
}

// Returns the text to write for one document.
Result<std::string> InjectDocument(const DocumentText& chunk,
                                   const std::vector<vitess::TlsPolicy>& policies,
                                   const std::string& label, InjectTotals& totals,
                                   std::ostream& err) {
  VTG_ASSIGN_OR_RETURN(std::vector<vitess::OrderedJson> documents,
                       vitess::ParseYamlDocuments(chunk.text, chunk.first_line));
  bool handled = false;
  for (const vitess::OrderedJson& document : documents) {
    const nlohmann::json parsed = nlohmann::json::parse(document.dump());
    for (const auto& [at, object] : ObjectsOf(parsed)) {
      handled = handled || HandledKind(*object).has_value() || NearlyHandledKind(*object);
    }
  }
  if (!handled) return chunk.text;
  if (documents.size() != 1) {
    err << "vtguard inject: " << label << ": " << documents.size()
        << " YAML documents without a --- line between them; separate them with --- lines; "
           "nothing injected\n";
    totals.failed = true;
    return chunk.text;
  }
  return InjectObjects(documents.front(), chunk, policies, label, totals, err);
}

}  // namespace

int RunInjectCommand(const std::vector<std::string>& args, CommandIo io) {
  Result<ParsedArgs> parsed = ParseArgs(args, InjectOptions());
  if (!parsed.ok()) {
    io.err << "vtguard inject: " << parsed.status().message() << "\n";
    return kExitUsage;
  }
  if (parsed->Has("help")) {
    io.out << "Usage: vtguard inject -f FILE [--policy FILE] [--strict]\n\n"
              "Writes the manifests of FILE to stdout with TLS flags, the Secret volume and\n"
              "mounts added to every VitessCluster and Vitess Pod. Other documents are\n"
              "written back unchanged, in order. Each written object is then checked as\n"
              "`vtguard check` would, and every problem left is printed to stderr as\n"
              "FILE:document N: [warning: |info: ]PATH: MESSAGE (FIX). Objects that no policy\n"
              "selects are named on stderr and written back unchanged.\n"
              "\n"
              "Exit codes: 0 the output has no error (warnings and info lines allowed); 1 an\n"
              "error remains in the output (for example a flag the image's Vitess version\n"
              "rejects, or an image without a version), or with --strict an object that no\n"
              "policy selects; the manifests are still written. 2 the input or the policy file\n"
              "cannot be read or parsed, or a policy file has no VitessTLSPolicy; nothing is\n"
              "written.\n\n"
           << FormatOptions(InjectOptions());
    return kExitOk;
  }
  std::optional<std::string> file = parsed->Get("filename");
  if (!file && parsed->positionals().size() == 1) file = parsed->positionals()[0];
  if (!file) {
    io.err << "vtguard inject: no input; pass -f FILE\n";
    return kExitUsage;
  }
  Result<std::vector<vitess::TlsPolicy>> policies = LoadPolicies(parsed->GetOr("policy", ""));
  if (!policies.ok()) {
    io.err << "vtguard inject: " << policies.status().message() << "\n";
    return kExitUsage;
  }
  Result<std::string> text = ReadManifestFile(*file);
  if (!text.ok()) {
    io.err << "vtguard inject: " << text.status().message() << "\n";
    return kExitUsage;
  }

  std::vector<DocumentText> chunks = SplitYamlDocuments(*text);
  std::string output;
  InjectTotals totals;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    std::string label = DocumentLabel(*file, i + 1);
    Result<std::string> written = InjectDocument(chunks[i], *policies, label, totals, io.err);
    if (!written.ok()) {
      io.err << "vtguard inject: " << label << ": " << written.status().message() << "\n";
      return kExitUsage;
    }
    if (i > 0) output += "---\n";
    output += *written;
  }
  io.out << output;
  if (totals.failed) return kExitFindings;
  if (parsed->Has("strict") && totals.unselected > 0) return kExitFindings;
  return kExitOk;
}

}  // namespace vtguard::cli
