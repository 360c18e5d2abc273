#include "scheduler/node_selector.h"

#include <algorithm>
#include <charconv>

namespace berth::scheduler {

using nlohmann::json;

namespace {

std::optional<int64_t> parseInt(const std::string& s) {
  int64_t v = 0;
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (begin != end && *begin == '+') {
    ++begin;  // strconv.ParseInt accepts a leading sign
  }
  auto [ptr, ec] = std::from_chars(begin, end, v);
  if (ec != std::errc() || ptr != end || begin == end) {
    return std::nullopt;
  }
  return v;
}

bool contains(const std::vector<std::string>& values, const std::string& v) {
  return std::ranges::find(values, v) != values.end();
}

// Label requirement (labels.Requirement.Matches); nullopt when the requirement is invalid.
std::optional<bool> matchLabel(const NodeSelectorRequirement& r,
                               const std::map<std::string, std::string>& labels) {
  auto it = labels.find(r.key);
  bool has = it != labels.end();
  if (r.op == "In" || r.op == "NotIn") {
    if (r.values.empty()) {
      return std::nullopt;
    }
    bool in = has && contains(r.values, it->second);
    return r.op == "In" ? in : !in;
  }
  if (r.op == "Exists" || r.op == "DoesNotExist") {
    if (!r.values.empty()) {
      return std::nullopt;
    }
    return r.op == "Exists" ? has : !has;
  }
  if (r.op == "Gt" || r.op == "Lt") {
    if (r.values.size() != 1) {
      return std::nullopt;
    }
    auto bound = parseInt(r.values[0]);
    if (!bound) {
      return std::nullopt;
    }
    if (!has) {
      return false;
    }
    auto value = parseInt(it->second);
    if (!value) {
      return false;
    }
    return r.op == "Gt" ? *value > *bound : *value < *bound;
  }
  return std::nullopt;
}

std::optional<bool> matchField(const NodeSelectorRequirement& r, const std::string& nodeName) {
  if (r.key != "metadata.name" || r.values.size() != 1) {
    return std::nullopt;
  }
  if (r.op == "In") {
    return nodeName == r.values[0];
  }
  if (r.op == "NotIn") {
    return nodeName != r.values[0];
  }
  return std::nullopt;
}

std::vector<NodeSelectorRequirement> parseRequirements(const json& term, const char* key) {
  std::vector<NodeSelectorRequirement> out;
  auto it = term.find(key);
  if (it == term.end() || !it->is_array()) {
    return out;
  }
  for (const auto& r : *it) {
    if (!r.is_object()) {
      continue;
    }
    NodeSelectorRequirement req;
    req.key = r.value("key", "");
    req.op = r.value("operator", "");
    if (auto v = r.find("values"); v != r.end() && v->is_array()) {
      for (const auto& s : *v) {
        if (s.is_string()) {
          req.values.push_back(s.get<std::string>());
        }
      }
    }
    out.push_back(std::move(req));
  }
  return out;
}

}  // namespace

bool NodeSelectorTerm::matches(const std::map<std::string, std::string>& labels,
                               const std::string& nodeName) const {
  if (matchExpressions.empty() && matchFields.empty()) {
    return false;
  }
  for (const auto& r : matchExpressions) {
    auto m = matchLabel(r, labels);
    if (!m || !*m) {
      return false;
    }
  }
  for (const auto& r : matchFields) {
    auto m = matchField(r, nodeName);
    if (!m || !*m) {
      return false;
    }
  }
  return true;
}

bool anyTermMatches(const std::vector<NodeSelectorTerm>& terms,
                    const std::map<std::string, std::string>& labels, const std::string& nodeName) {
  return std::ranges::any_of(terms, [&](const auto& t) { return t.matches(labels, nodeName); });
}

NodeSelectorTerm parseNodeSelectorTerm(const json& term) {
  NodeSelectorTerm out;
  if (!term.is_object()) {
    return out;
  }
  out.matchExpressions = parseRequirements(term, "matchExpressions");
  out.matchFields = parseRequirements(term, "matchFields");
  return out;
}

}  // namespace berth::scheduler
