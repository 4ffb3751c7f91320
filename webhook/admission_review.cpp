#include "webhook/admission_review.h"

#include <bit>
#include <cstdint>
#include <cstring>

#include "common/vitess/json_parse.h"
#include "webhook/json_writer.h"

namespace vtguard::webhook {
namespace {

using nlohmann::json;

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The two base64 characters of every 12-bit value, so one lookup encodes 1.5 input bytes.
struct Base64Pairs {
  char pairs[4096][2];
};

constexpr Base64Pairs MakeBase64Pairs() {
  Base64Pairs table{};
  for (int value = 0; value < 4096; ++value) {
    table.pairs[value][0] = kBase64Alphabet[value >> 6];
    table.pairs[value][1] = kBase64Alphabet[value & 0x3F];
  }
  return table;
}

constexpr Base64Pairs kBase64Pairs = MakeBase64Pairs();

std::uint64_t BigEndian(std::uint64_t word) {
  if constexpr (std::endian::native == std::endian::little) return __builtin_bswap64(word);
  return word;
}

bool IsObjectOrNull(const json& value) { return value.is_object() || value.is_null(); }

// Reads an optional string field; a present field of another type is an error.
Status ReadString(const json& parent, const char* key, std::string_view where, std::string* out) {
  auto it = parent.find(key);
  if (it == parent.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) {
    return InvalidArgument(std::string(where) + "." + key + " must be a string, got " +
                           it->type_name());
  }
  *out = it->get<std::string>();
  return Status::Ok();
}

Status ReadKind(const json& request, AdmissionRequest* out) {
  auto it = request.find("kind");
  if (it == request.end() || !it->is_object()) {
    return InvalidArgument("request.kind must be an object with group, version and kind");
  }
  VTG_RETURN_IF_ERROR(ReadString(*it, "group", "request.kind", &out->group));
  VTG_RETURN_IF_ERROR(ReadString(*it, "version", "request.kind", &out->version));
  VTG_RETURN_IF_ERROR(ReadString(*it, "kind", "request.kind", &out->kind));
  if (out->kind.empty()) return InvalidArgument("request.kind.kind is missing");
  return Status::Ok();
}

Status ReadOperation(const json& request, AdmissionRequest* out) {
  VTG_RETURN_IF_ERROR(ReadString(request, "operation", "request", &out->operation));
  for (const char* known : {"CREATE", "UPDATE", "DELETE", "CONNECT"}) {
    if (out->operation == known) return Status::Ok();
  }
  return InvalidArgument("request.operation must be CREATE, UPDATE, DELETE or CONNECT, got \"" +
                         TruncateUtf8(out->operation, 40) + "\"");
}

// Moves request.object and request.oldObject out of the parsed review, so the large objects
// are never copied.
Status ReadObjects(json& request, AdmissionRequest* out) {
  auto object = request.find("object");
  auto old_object = request.find("oldObject");
  if (object != request.end() && !IsObjectOrNull(*object)) {
    return InvalidArgument(std::string("request.object must be an object, got ") +
                           object->type_name());
  }
  if (old_object != request.end() && !IsObjectOrNull(*old_object)) {
    return InvalidArgument(std::string("request.oldObject must be an object, got ") +
                           old_object->type_name());
  }
  if ((object == request.end() || object->is_null()) && out->operation != "DELETE") {
    return InvalidArgument("request.object is missing for operation " + out->operation);
  }
  auto dry_run = request.find("dryRun");
  if (dry_run != request.end() && !dry_run->is_null()) {
    if (!dry_run->is_boolean()) {
      return InvalidArgument(std::string("request.dryRun must be a boolean, got ") +
                             dry_run->type_name());
    }
    out->dry_run = dry_run->get<bool>();
  }
  if (object != request.end()) out->object = std::move(*object);
  if (old_object != request.end()) out->old_object = std::move(*old_object);
  return Status::Ok();
}

// Checks the envelope and returns the request object; fails before a uid is known.
Result<json*> ReadEnvelope(json& review, std::string* uid) {
  if (!review.is_object()) {
    return InvalidArgument(std::string("body must be a JSON object, got ") + review.type_name());
  }
  const json api_version = review.value("apiVersion", json());
  const json kind = review.value("kind", json());
  if (!api_version.is_string() || api_version.get<std::string>() != kAdmissionApiVersion) {
    return InvalidArgument("apiVersion must be " + std::string(kAdmissionApiVersion) + ", got " +
                           TruncateUtf8(api_version.dump(), 60) +
                           "; list only v1 in admissionReviewVersions");
  }
  if (!kind.is_string() || kind.get<std::string>() != kAdmissionKind) {
    return InvalidArgument("kind must be AdmissionReview, got " + TruncateUtf8(kind.dump(), 60));
  }
  auto request = review.find("request");
  if (request == review.end() || !request->is_object()) {
    return InvalidArgument("request is missing or not an object");
  }
  auto uid_field = request->find("uid");
  if (uid_field == request->end() || !uid_field->is_string() ||
      uid_field->get<std::string>().empty()) {
    return InvalidArgument("request.uid is missing or not a non-empty string");
  }
  *uid = uid_field->get<std::string>();
  return &*request;
}

}  // namespace

bool ExceedsJsonDepth(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

Result<AdmissionRequest> DecodeAdmissionReview(std::string_view body, std::string* uid) {
  uid->clear();
  // The parser stops at kMaxJsonDepth, so a valid body within the limit needs no depth scan.
  // When the parse fails, a body nested too deep gets the depth error, whatever else is wrong.
  Result<json> parsed = vitess::ParseJson(body, kMaxJsonDepth);
  if (!parsed.ok()) {
    if (ExceedsJsonDepth(body, kMaxJsonDepth)) {
      return InvalidArgument("body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    return InvalidArgument("body is not valid JSON");
  }
  json& review = *parsed;

  VTG_ASSIGN_OR_RETURN(json * request, ReadEnvelope(review, uid));
  AdmissionRequest out;
  out.uid = *uid;
  VTG_RETURN_IF_ERROR(ReadKind(*request, &out));
  VTG_RETURN_IF_ERROR(ReadOperation(*request, &out));
  VTG_RETURN_IF_ERROR(ReadString(*request, "namespace", "request", &out.namespace_));
  VTG_RETURN_IF_ERROR(ReadString(*request, "name", "request", &out.name));
  VTG_RETURN_IF_ERROR(ReadObjects(*request, &out));
  return out;
}

std::string EncodeAdmissionResponse(std::string_view uid,
                                    const vitess::AdmissionDecision& decision) {
  // Written as text rather than through a JSON object and its serializer, with the members in
  // the order nlohmann::json would sort them. Client-supplied strings (uid) and messages go
  // through AppendJsonString, which escapes them and replaces invalid UTF-8.
  constexpr auto kReplace = json::error_handler_t::replace;
  const bool with_patch = decision.allowed && !decision.patch.empty();
  const std::string& patch_text = decision.patch.text();
  std::string text;
  text.reserve(256 + uid.size() + decision.message.size() + 4 * (patch_text.size() + 2) / 3);
  text.append(R"({"apiVersion":")").append(kAdmissionApiVersion);
  text.append(R"(","kind":")").append(kAdmissionKind).append(R"(","response":{"allowed":)");
  text += decision.allowed ? "true" : "false";
  if (!decision.allowed) {
    text.append(R"(,"status":{"code":)").append(std::to_string(decision.code));
    text.append(R"(,"message":)");
    AppendJsonString(decision.message, text, kReplace);
    text += '}';
  }
  text.append(R"(,"uid":)");
  AppendJsonString(uid, text, kReplace);
  if (!decision.warnings.empty()) {
    text.append(R"(,"warnings":[)");
    for (std::size_t i = 0; i < decision.warnings.size(); ++i) {
      if (i > 0) text += ',';
      AppendJsonString(TruncateUtf8(decision.warnings[i], vitess::kMaxWarningLength), text,
                       kReplace);
    }
    text += ']';
  }
  if (with_patch) {
    // The base64 alphabet needs no JSON escaping.
    text.append(R"(,"patchType":"JSONPatch","patch":")");
    AppendBase64(patch_text, text);
    text += '"';
  }
  text += "}}";
  return text;
}

std::string EncodeErrorResponse(std::string_view uid, int code, std::string_view message) {
  vitess::AdmissionDecision decision;
  decision.allowed = false;
  decision.code = code;
  decision.message = std::string(message);
  return EncodeAdmissionResponse(uid, decision);
}

std::string TruncateUtf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  const std::string_view ellipsis = "...";
  std::size_t cut = max_bytes > ellipsis.size() ? max_bytes - ellipsis.size() : 0;
  // Step back over UTF-8 continuation bytes (10xxxxxx) so no character is split.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + std::string(ellipsis.substr(0, max_bytes - cut));
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  AppendBase64(bytes, out);
  return out;
}

void AppendBase64(std::string_view bytes, std::string& out) {
  const std::size_t start = out.size();
  out.resize(start + 4 * ((bytes.size() + 2) / 3));
  char* output = out.data() + start;
  const auto* input = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t size = bytes.size();
  std::size_t i = 0;
  // Six input bytes per step from one eight-byte load, while eight bytes remain.
  for (; i + 8 <= size; i += 6) {
    std::uint64_t word;
    std::memcpy(&word, input + i, sizeof(word));
    word = BigEndian(word);
    std::memcpy(output, kBase64Pairs.pairs[(word >> 52) & 0xFFF], 2);
    std::memcpy(output + 2, kBase64Pairs.pairs[(word >> 40) & 0xFFF], 2);
    std::memcpy(output + 4, kBase64Pairs.pairs[(word >> 28) & 0xFFF], 2);
    std::memcpy(output + 6, kBase64Pairs.pairs[(word >> 16) & 0xFFF], 2);
    output += 8;
  }
  for (; i + 3 <= size; i += 3) {
    const std::uint32_t group =
        (std::uint32_t{input[i]} << 16) | (std::uint32_t{input[i + 1]} << 8) | input[i + 2];
    std::memcpy(output, kBase64Pairs.pairs[group >> 12], 2);
    std::memcpy(output + 2, kBase64Pairs.pairs[group & 0xFFF], 2);
    output += 4;
  }
  if (i < size) {
    // When one or two bytes remain, the group is padded with zero bits and '='.
    const bool two_bytes = i + 2 == size;
    const std::uint32_t group =
        (std::uint32_t{input[i]} << 16) | (two_bytes ? std::uint32_t{input[i + 1]} << 8 : 0);
    std::memcpy(output, kBase64Pairs.pairs[group >> 12], 2);
    output[2] = two_bytes ? kBase64Alphabet[(group >> 6) & 0x3F] : '=';
    output[3] = '=';
  }
}

}  // namespace vtguard::webhook
