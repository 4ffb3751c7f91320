#include "common/kube/selector.h"

#include <algorithm>

namespace vtguard::kube {
namespace {

std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(' ');
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(' ');
  return std::string(text.substr(begin, end - begin + 1));
}

// Splits on commas outside parentheses.
std::vector<std::string> SplitTerms(std::string_view text) {
  std::vector<std::string> terms;
  int depth = 0;
  std::string current;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      terms.push_back(Trim(current));
      current.clear();
      continue;
    }
    current += c;
  }
  terms.push_back(Trim(current));
  return terms;
}

}  // namespace

Result<LabelSelector> LabelSelector::Parse(std::string_view text) {
  LabelSelector selector;
  if (Trim(text).empty()) return selector;
  for (const std::string& term : SplitTerms(text)) {
    if (term.empty())
      return InvalidArgument("label selector \"" + std::string(text) + "\" has an empty term");
    Requirement requirement;
    size_t open = term.find('(');
    if (open != std::string::npos) {
      size_t close = term.find(')', open);
      std::string head = Trim(term.substr(0, open));
      size_t space = head.rfind(' ');
      if (close == std::string::npos || space == std::string::npos) {
        return InvalidArgument("label selector term \"" + term + "\" is malformed");
      }
      std::string op = Trim(head.substr(space + 1));
      requirement.key = Trim(head.substr(0, space));
      if (op == "in") {
        requirement.op = Op::kIn;
      } else if (op == "notin") {
        requirement.op = Op::kNotIn;
      } else {
        return InvalidArgument("label selector term \"" + term + "\" has unknown operator \"" + op +
                               "\"");
      }
      for (const std::string& value : SplitTerms(term.substr(open + 1, close - open - 1))) {
        requirement.values.push_back(value);
      }
    } else if (size_t pos = term.find("!="); pos != std::string::npos) {
      requirement = {Trim(term.substr(0, pos)), Op::kNotEquals, {Trim(term.substr(pos + 2))}};
    } else if (size_t eq2 = term.find("=="); eq2 != std::string::npos) {
      requirement = {Trim(term.substr(0, eq2)), Op::kEquals, {Trim(term.substr(eq2 + 2))}};
    } else if (size_t eq = term.find('='); eq != std::string::npos) {
      requirement = {Trim(term.substr(0, eq)), Op::kEquals, {Trim(term.substr(eq + 1))}};
    } else if (term.front() == '!') {
      requirement = {Trim(term.substr(1)), Op::kNotExists, {}};
    } else {
      requirement = {term, Op::kExists, {}};
    }
    if (requirement.key.empty()) {
      return InvalidArgument("label selector term \"" + term + "\" has an empty key");
    }
    selector.requirements_.push_back(std::move(requirement));
  }
  return selector;
}

bool LabelSelector::Matches(const std::map<std::string, std::string>& labels) const {
  for (const Requirement& requirement : requirements_) {
    auto it = labels.find(requirement.key);
    bool present = it != labels.end();
    bool in_values = present && std::find(requirement.values.begin(), requirement.values.end(),
                                          it->second) != requirement.values.end();
    bool ok = false;
    switch (requirement.op) {
      case Op::kEquals:
      case Op::kIn:
        ok = in_values;
        break;
      case Op::kNotEquals:
      case Op::kNotIn:
        ok = !in_values;
        break;
      case Op::kExists:
        ok = present;
        break;
      case Op::kNotExists:
        ok = !present;
        break;
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace vtguard::kube
