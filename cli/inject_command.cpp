// `vtguard inject`: writes manifests with the TLS configuration of a VitessTLSPolicy added.
// Documents that vtguard does not change are written back byte for byte, in order.
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
      {"help", "h", false, false, "Print this help."},
  };
  return kOptions;
}

// The mutated YAML of one document, or nullopt to keep the document as written.
std::optional<std::string> InjectDocument(const vitess::OrderedJson& document,
                                          const std::vector<vitess::TlsPolicy>& policies,
                                          const std::string& where, bool& failed,
                                          std::ostream& err) {
  nlohmann::json object = nlohmann::json::parse(document.dump());
  std::optional<vitess::ObjectKind> kind = HandledKind(object);
  if (!kind) return std::nullopt;
  const vitess::TlsPolicy* policy = SelectPolicy(policies, object);
  if (policy == nullptr) return std::nullopt;
  vitess::MutationResult mutation = *kind == vitess::ObjectKind::kVitessCluster
                                        ? vitess::MutateVitessCluster(*policy, object, nullptr)
                                        : vitess::MutatePod(*policy, object, "CREATE");
  for (const std::string& warning : mutation.warnings) {
    err << "vtguard inject: " << where << ": warning: " << warning << "\n";
  }
  if (!mutation.status.ok()) {
    err << "vtguard inject: " << where << ": " << mutation.status.message() << "\n";
    failed = true;
  }
  if (!mutation.changed()) return std::nullopt;
  try {
    vitess::OrderedJson patched = document.patch(vitess::OrderedJson::parse(mutation.patch.dump()));
    return vitess::ToYaml(patched);
  } catch (const nlohmann::json::exception& error) {
    err << "vtguard inject: " << where << ": the patch does not apply: " << error.what() << "\n";
    failed = true;
    return std::nullopt;
  }
}

}  // namespace

int RunInjectCommand(const std::vector<std::string>& args, CommandIo io) {
  Result<ParsedArgs> parsed = ParseArgs(args, InjectOptions());
  if (!parsed.ok()) {
    io.err << "vtguard inject: " << parsed.status().message() << "\n";
    return kExitUsage;
  }
  if (parsed->Has("help")) {
    io.out << "Usage: vtguard inject -f FILE [--policy FILE]\n\n"
              "Writes the manifests of FILE to stdout with TLS flags, the Secret volume and\n"
              "mounts added to every VitessCluster and Vitess Pod. Other documents are\n"
              "written back unchanged, in order. Exits 1 when an object could not be fully\n"
              "injected (for example an image without a version) and 2 on unusable input.\n\n"
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

  std::vector<std::string> chunks = SplitYamlDocuments(*text);
  std::string output;
  bool failed = false;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    std::string where = *file + ":" + std::to_string(i + 1);
    Result<std::vector<vitess::OrderedJson>> documents = vitess::ParseYamlDocuments(chunks[i]);
    if (!documents.ok()) {
      io.err << "vtguard inject: " << where << ": " << documents.status().message() << "\n";
      return kExitUsage;
    }
    std::optional<std::string> mutated;
    if (documents->size() == 1) {
      mutated = InjectDocument(documents->front(), *policies, where, failed, io.err);
    }
    if (i > 0) output += "---\n";
    output += mutated.value_or(chunks[i]);
  }
  io.out << output;
  return failed ? kExitFindings : kExitOk;
}

}  // namespace vtguard::cli
