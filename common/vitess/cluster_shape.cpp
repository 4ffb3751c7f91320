// The shape of a VitessCluster where vtguard reads and writes it: lists that must be lists and
// maps that must be maps, as vitess-operator's CRD schema and its Go types have them. A member
// of another shape would otherwise hide its subtree from every other check, so `check` would
// report the cluster cleaner than it is.
#include <string>
#include <string_view>
#include <vector>

#include "common/vitess/cluster_sites.h"

namespace vtguard::vitess {
namespace {

// The members of one component's site: its flags, and the volumes, mounts and environment that
// vtguard adds to.
void AddSiteRules(const std::string& site, const std::string& flags,
                  std::vector<ShapeRule>& rules) {
  rules.push_back({site, Shape::kMap});
  rules.push_back({site + flags, Shape::kMap});
  for (const char* list : {"/extraVolumes", "/extraVolumeMounts", "/extraEnv"}) {
    rules.push_back({site + list, Shape::kList});
  }
}

void AddTabletPoolRules(const std::string& pools, std::vector<ShapeRule>& rules) {
  rules.push_back({pools, Shape::kList});
  AddSiteRules(pools + "/*", "/vttablet/extraFlags", rules);
  rules.push_back({pools + "/*/vttablet", Shape::kMap});
  rules.push_back({pools + "/*/vttablet/vtbackupExtraFlags", Shape::kMap});
}

}  // namespace

const std::vector<ShapeRule>& ClusterShapeRules() {
  static const std::vector<ShapeRule> kRules = [] {
    std::vector<ShapeRule> rules = {
        {"/spec/images", Shape::kMap},
        {"/spec/extraVitessFlags", Shape::kMap},
        {"/spec/cells", Shape::kList},
        {"/spec/cells/*", Shape::kMap},
        {"/spec/keyspaces", Shape::kList},
        {"/spec/keyspaces/*", Shape::kMap},
        {"/spec/keyspaces/*/partitionings", Shape::kList},
        {"/spec/keyspaces/*/partitionings/*", Shape::kMap},
        {"/spec/keyspaces/*/partitionings/*/equal", Shape::kMap},
        {"/spec/keyspaces/*/partitionings/*/equal/shardTemplate", Shape::kMap},
        {"/spec/keyspaces/*/partitionings/*/custom", Shape::kMap},
        {"/spec/keyspaces/*/partitionings/*/custom/shards", Shape::kList},
        {"/spec/keyspaces/*/partitionings/*/custom/shards/*", Shape::kMap},
    };
    AddSiteRules("/spec/cells/*/gateway", "/extraFlags", rules);
    AddSiteRules("/spec/vitessDashboard", "/extraFlags", rules);
    AddSiteRules("/spec/keyspaces/*/vitessOrchestrator", "/extraFlags", rules);
    AddTabletPoolRules("/spec/keyspaces/*/partitionings/*/equal/shardTemplate/tabletPools", rules);
    AddTabletPoolRules("/spec/keyspaces/*/partitionings/*/custom/shards/*/tabletPools", rules);
    return rules;
  }();
  return kRules;
}

namespace {

PointerTokens SplitPattern(const std::string& pattern) {
  PointerTokens tokens;
  for (std::size_t start = 1; start <= pattern.size();) {
    std::size_t end = pattern.find('/', start);
    if (end == std::string::npos) end = pattern.size();
    tokens.push_back(pattern.substr(start, end - start));
    start = end + 1;
  }
  return tokens;
}

// "a string", "a list", "null": the JSON type of `node` in the words of YAML.
std::string DescribeType(const nlohmann::json& node) {
  if (node.is_null()) return "null";
  if (node.is_array()) return "a list";
  if (node.is_object()) return "a map";
  return std::string("a ") + node.type_name();
}

// Checks every node that `pattern[path.size()...]` reaches from `node`, which is at `path`. A
// missing member ends the walk. A null map member counts as absent, because the API server
// prunes nulls that the schema does not allow; a null list element is reported.
void CheckAt(const nlohmann::json& node, const PointerTokens& pattern, PointerTokens& path,
             bool list_element, Shape shape, std::vector<Violation>& violations) {
  const std::size_t at = path.size();
  if (at == pattern.size()) {
    if (node.is_null() && !list_element) return;
    const bool fits = shape == Shape::kList ? node.is_array() : node.is_object();
    if (fits) return;
    const std::string expected = shape == Shape::kList ? "a list" : "a map";
    violations.push_back({ToPointer(path), "must be " + expected + ", not " + DescribeType(node),
                          shape == Shape::kList
                              ? "write it as a YAML list of entries that start with -"
                              : "write it as a YAML map of key: value lines",
                          Severity::kError});
    return;
  }
  if (pattern[at] == "*") {
    if (!node.is_array()) return;
    for (std::size_t i = 0; i < node.size(); ++i) {
      path.push_back(std::to_string(i));
      CheckAt(node[i], pattern, path, true, shape, violations);
      path.pop_back();
    }
    return;
  }
  // A member of the wrong shape on the way is reported by the rule for that member itself.
  if (!node.is_object()) return;
  auto member = node.find(pattern[at]);
  if (member == node.end()) return;
  path.push_back(pattern[at]);
  CheckAt(*member, pattern, path, false, shape, violations);
  path.pop_back();
}

}  // namespace

void CheckClusterShape(const nlohmann::json& cluster, std::vector<Violation>& violations) {
  // The patterns are split once, because every validation of a VitessCluster walks them all.
  static const std::vector<PointerTokens> kPatterns = [] {
    std::vector<PointerTokens> patterns;
    for (const ShapeRule& rule : ClusterShapeRules())
      patterns.push_back(SplitPattern(rule.pattern));
    return patterns;
  }();
  const std::vector<ShapeRule>& rules = ClusterShapeRules();
  PointerTokens path;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    CheckAt(cluster, kPatterns[i], path, false, rules[i].shape, violations);
  }
}

}  // namespace vtguard::vitess
