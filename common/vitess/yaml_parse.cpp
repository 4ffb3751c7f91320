// ParseYamlDocuments: reads YAML through yaml-cpp's event parser straight into JSON.
//
// yaml-cpp's node API (YAML::LoadAll) is not used because in yaml-cpp 0.7 it loops forever,
// allocating on each pass, when a document starts with a "," outside a flow collection. The
// parser then returns a null document without consuming the token, and LoadAll requests the
// next document again. Driving the parser here lets the reader stop that loop, enforce the node
// and depth limits while parsing, and expand aliases only within the node limit.
// NOTE: a loop inside yaml-cpp's scanner would emit no events, so none of these checks could
// stop it. Two 331-second runs of the manifest fuzzer with yaml-cpp 0.7.0 found no such input.
#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include "common/vitess/yaml_json.h"
#include "common/vitess/yaml_scalars.h"

namespace vtguard::vitess {
namespace {

using yaml_internal::FindInvalidUtf8;
using yaml_internal::ResolvePlainScalar;

// Limits for hostile input: YAML aliases can make a small document expand without bound. The
// vitess-operator examples have 100 to 150 nodes, so 100000 for a whole stream leaves ample
// room. Keys, values and every node an alias expands to count as nodes.
constexpr std::size_t kMaxNodes = 100'000;
constexpr std::size_t kMaxDepth = 128;

// Thrown from the event callbacks to stop yaml-cpp's parser at the first error; caught in
// ParseYamlDocuments.
struct StopParsing {
  Status status;
};

// "line 3, column 7" for a yaml-cpp mark (0-based), with lines counted from `first_line`.
std::string DescribeMark(const YAML::Mark& mark, std::size_t first_line) {
  return "line " + std::to_string(static_cast<std::size_t>(mark.line) + first_line) + ", column " +
         std::to_string(mark.column + 1);
}

[[noreturn]] void Stop(Status status) { throw StopParsing{std::move(status)}; }

// A node with an anchor, kept for the aliases that refer to it.
struct AnchoredNode {
  OrderedJson value;
  std::size_t nodes = 0;
  std::optional<std::string> key_text;  // The text of a scalar, so an alias can be a map key.
};

// An open sequence or map.
struct OpenCollection {
  OrderedJson value;
  std::optional<std::string> pending_key;  // Set between a map key and its value.
  bool pending_merge = false;              // The pending key is the merge key <<.
  YAML::anchor_t anchor = YAML::NullAnchor;
  std::size_t nodes_before = 0;
};

// Builds one OrderedJson per document from the parser's events.
class JsonBuilder : public YAML::EventHandler {
 public:
  JsonBuilder(std::string_view text, std::size_t first_line)
      : text_(text), first_line_(first_line) {}

  std::vector<OrderedJson> TakeDocuments() { return std::move(documents_); }

  void OnDocumentStart(const YAML::Mark& mark) override {
    // Every document consumes at least one token, so a document that starts where the
    // previous one started means the parser is stuck on a token it cannot place.
    if (document_start_ && document_start_->pos == mark.pos) Stop(UnexpectedToken(mark));
    document_start_ = mark;
    anchors_.clear();
    open_.clear();
    root_ = nullptr;
  }

  void OnDocumentEnd() override { documents_.push_back(std::move(root_)); }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (IsKeyPosition()) {
      Stop(InvalidArgument("unsupported YAML map key at " + Position(mark) +
                           ": the key is empty or null; write a string key"));
    }
    CountNodes(1);
    Complete(mark, OrderedJson(nullptr), anchor, 1, std::nullopt);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto found = anchors_.find(anchor);
    if (found == anchors_.end()) {
      Stop(InvalidArgument("invalid YAML alias at " + Position(mark) +
                           ": it refers to a node that contains it"));
    }
    const AnchoredNode& node = found->second;
    CountNodes(node.nodes);
    Complete(mark, node.value, YAML::NullAnchor, node.nodes, node.key_text);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    // Valid input text can still yield bytes that are not UTF-8, because yaml-cpp turns some
    // escape sequences of double-quoted scalars into single raw bytes.
    if (FindInvalidUtf8(value) != std::string_view::npos) {
      Stop(InvalidArgument("invalid UTF-8 in the YAML scalar at " + Position(mark) +
                           "; write non-ASCII characters as UTF-8 or as \\u escapes"));
    }
    CountNodes(1);
    // yaml-cpp tags quoted and block scalars "!" and plain ones "?".
    bool is_string = tag == "!" || tag == "tag:yaml.org,2002:str";
    // A plain << key merges maps into its map, as the YAML 1.1 readers of kubectl and the
    // API server do; a quoted "<<" is an ordinary key.
    const bool merge_key = IsKeyPosition() && !is_string && value == "<<";
    OrderedJson resolved = is_string ? OrderedJson(value) : ResolvePlainScalar(value);
    Complete(mark, std::move(resolved), anchor, 1, value);
    if (merge_key) open_.back().pending_merge = true;
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    Open(mark, OrderedJson::array(), anchor);
  }

  void OnSequenceEnd() override { Close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    Open(mark, OrderedJson::object(), anchor);
  }

  void OnMapEnd() override { Close(); }

 private:
  bool IsKeyPosition() const {
    return !open_.empty() && open_.back().value.is_object() && !open_.back().pending_key;
  }

  void CountNodes(std::size_t count) {
    nodes_ += count;
    if (nodes_ > kMaxNodes) {
      Stop(ResourceExhausted("YAML input too large: more than 100000 nodes after aliases"));
    }
  }

  Status UnexpectedToken(const YAML::Mark& mark) const {
    std::string message = "invalid YAML at " + Position(mark) + ": unexpected ";
    auto pos = static_cast<std::size_t>(mark.pos);
    char c = pos < text_.size() ? text_[pos] : '\0';
    if (c == ',') {
      return InvalidArgument(message + "',' outside a flow collection; quote the value");
    }
    return InvalidArgument(message + "token");
  }

  void Open(const YAML::Mark& mark, OrderedJson value, YAML::anchor_t anchor) {
    if (IsKeyPosition()) {
      Stop(InvalidArgument("unsupported YAML map key at " + Position(mark) +
                           ": keys must be scalars"));
    }
    if (open_.size() >= kMaxDepth) {
      Stop(ResourceExhausted("YAML document nested deeper than 128 levels at " + Position(mark)));
    }
    std::size_t nodes_before = nodes_;
    CountNodes(1);
    open_.push_back({std::move(value), std::nullopt, false, anchor, nodes_before});
    open_marks_.push_back(mark);
  }

  void Close() {
    OpenCollection done = std::move(open_.back());
    YAML::Mark mark = open_marks_.back();
    open_.pop_back();
    open_marks_.pop_back();
    Complete(mark, std::move(done.value), done.anchor, nodes_ - done.nodes_before, std::nullopt);
  }

  // Records an anchored node and places a finished node in its parent, or as the root.
  void Complete(const YAML::Mark& mark, OrderedJson value, YAML::anchor_t anchor, std::size_t nodes,
                std::optional<std::string> key_text) {
    if (anchor != YAML::NullAnchor) anchors_[anchor] = {value, nodes, key_text};
    if (open_.empty()) {
      root_ = std::move(value);
      return;
    }
    OpenCollection& parent = open_.back();
    if (parent.value.is_array()) {
      parent.value.push_back(std::move(value));
      return;
    }
    if (!parent.pending_key) {
      if (!key_text) {
        Stop(InvalidArgument("unsupported YAML map key at " + Position(mark) +
                             ": keys must be scalars"));
      }
      parent.pending_key = std::move(key_text);
      return;
    }
    if (parent.pending_merge) {
      parent.pending_merge = false;
      parent.pending_key.reset();
      Merge(mark, value, parent.value);
      return;
    }
    // A repeated key keeps its first position and takes the last value.
    parent.value[*parent.pending_key] = std::move(value);
    parent.pending_key.reset();
  }

  // Adds the members of the map, or of each map in the list, `source` to `target` where
  // `target` lacks them. Keys written in the map itself win, before or after the <<, and an
  // earlier map in the list wins over a later one.
  void Merge(const YAML::Mark& mark, const OrderedJson& source, OrderedJson& target) {
    auto merge_map = [&](const OrderedJson& map) {
      if (!map.is_object()) {
        Stop(InvalidArgument("invalid YAML merge key at " + Position(mark) +
                             ": << takes a map or a list of maps"));
      }
      for (const auto& [key, member] : map.items()) {
        if (!target.contains(key)) target[key] = member;
      }
    };
    if (!source.is_array()) {
      merge_map(source);
      return;
    }
    for (const OrderedJson& map : source) merge_map(map);
  }

  std::string Position(const YAML::Mark& mark) const { return DescribeMark(mark, first_line_); }

  std::string_view text_;
  std::size_t first_line_;
  std::vector<OrderedJson> documents_;
  std::optional<YAML::Mark> document_start_;
  std::map<YAML::anchor_t, AnchoredNode> anchors_;
  std::vector<OpenCollection> open_;
  std::vector<YAML::Mark> open_marks_;
  OrderedJson root_;
  std::size_t nodes_ = 0;
};

}  // namespace

Result<std::vector<OrderedJson>> ParseYamlDocuments(std::string_view text, std::size_t first_line) {
  if (std::size_t bad = FindInvalidUtf8(text); bad != std::string_view::npos) {
    return InvalidArgument("invalid UTF-8 at byte " + std::to_string(bad) +
                           "; manifests must be UTF-8 text");
  }
  std::istringstream stream{std::string(text)};
  JsonBuilder builder(text, first_line);
  try {
    YAML::Parser parser(stream);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const StopParsing& stop) {
    return stop.status;
  } catch (const YAML::Exception& error) {
    if (error.mark.is_null()) return InvalidArgument("invalid YAML: " + error.msg);
    return InvalidArgument("invalid YAML at " + DescribeMark(error.mark, first_line) + ": " +
                           error.msg);
  } catch (const std::exception& error) {
    return InvalidArgument(std::string("invalid YAML: ") + error.what());
  }
  return builder.TakeDocuments();
}

}  // namespace vtguard::vitess
