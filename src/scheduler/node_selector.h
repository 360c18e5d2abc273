#pragma once

// Node selectors of pod node affinity (v1.NodeSelectorTerm), matched as the component-helpers
// nodeaffinity package does:
//   - matchExpressions against node labels: In, NotIn, Exists, DoesNotExist, Gt, Lt
//     (Gt/Lt compare integers; a label that is not an integer does not match);
//   - matchFields against node fields: only "metadata.name" with In/NotIn and one value;
//   - the requirements of a term are ANDed, terms are ORed;
//   - an empty term (no expressions, no fields) or an invalid one (unknown operator, wrong
//     number of values, unknown field) matches nothing.
// Pure values and functions; thread-compatible.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace berth::scheduler {

struct NodeSelectorRequirement {
  std::string key;
  std::string op;
  std::vector<std::string> values;
};

struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> matchExpressions;
  std::vector<NodeSelectorRequirement> matchFields;

  // Whether a node with these labels and this name satisfies the term.
  bool matches(const std::map<std::string, std::string>& labels, const std::string& nodeName) const;
};

struct PreferredSchedulingTerm {
  int64_t weight = 0;
  NodeSelectorTerm preference;
};

// True when any term matches (false for no terms).
bool anyTermMatches(const std::vector<NodeSelectorTerm>& terms,
                    const std::map<std::string, std::string>& labels, const std::string& nodeName);

NodeSelectorTerm parseNodeSelectorTerm(const nlohmann::json& term);

}  // namespace berth::scheduler
