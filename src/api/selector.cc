#include "api/selector.h"

#include <algorithm>

#include "api/selector_parser.h"

namespace berth::api {
namespace {

std::string joined(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      out += sep;
    }
    out += parts[i];
  }
  return out;
}

}  // namespace

// --- LabelRequirement ---

bool LabelRequirement::matches(const std::map<std::string, std::string>& labels) const {
  auto it = labels.find(key);
  bool has = it != labels.end();
  auto hasValue = [&] { return std::binary_search(values.begin(), values.end(), it->second); };
  switch (op) {
    case SelectorOperator::kEquals:
    case SelectorOperator::kDoubleEquals:
    case SelectorOperator::kIn:
      return has && hasValue();
    case SelectorOperator::kNotEquals:
    case SelectorOperator::kNotIn:
      return !has || !hasValue();
    case SelectorOperator::kExists:
      return has;
    case SelectorOperator::kDoesNotExist:
      return !has;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan: {
      if (!has || values.size() != 1) {
        return false;
      }
      auto actual = parseSelectorInt(it->second);
      auto bound = parseSelectorInt(values[0]);
      if (!actual || !bound) {
        return false;
      }
      return op == SelectorOperator::kGreaterThan ? *actual > *bound : *actual < *bound;
    }
  }
  return false;
}

std::string LabelRequirement::toString() const {
  std::string joinedValues = joined(values, ",");
  switch (op) {
    case SelectorOperator::kEquals:
      return key + "=" + joinedValues;
    case SelectorOperator::kDoubleEquals:
      return key + "==" + joinedValues;
    case SelectorOperator::kNotEquals:
      return key + "!=" + joinedValues;
    case SelectorOperator::kIn:
      return key + " in (" + joinedValues + ")";
    case SelectorOperator::kNotIn:
      return key + " notin (" + joinedValues + ")";
    case SelectorOperator::kExists:
      return key;
    case SelectorOperator::kDoesNotExist:
      return "!" + key;
    case SelectorOperator::kGreaterThan:
      return key + ">" + joinedValues;
    case SelectorOperator::kLessThan:
      return key + "<" + joinedValues;
  }
  return key;
}

// --- LabelSelector ---

LabelSelector::LabelSelector(std::vector<LabelRequirement> requirements)
    : requirements_(std::move(requirements)) {
  std::stable_sort(requirements_.begin(), requirements_.end(),
                   [](const auto& a, const auto& b) { return a.key < b.key; });
}

Result<LabelSelector> LabelSelector::parse(std::string_view text) {
  BERTH_ASSIGN_OR_RETURN(auto requirements, parseLabelRequirements(text));
  return LabelSelector(std::move(requirements));
}

Result<LabelSelector> LabelSelector::fromJson(const nlohmann::json& selector) {
  if (selector.is_null()) {
    return nothing();
  }
  if (!selector.is_object()) {
    return fail(ErrorCode::kInvalidArgument, "label selector must be an object");
  }
  std::vector<LabelRequirement> requirements;
  if (auto it = selector.find("matchLabels"); it != selector.end() && !it->is_null()) {
    if (!it->is_object()) {
      return fail(ErrorCode::kInvalidArgument, "'matchLabels' must be an object");
    }
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string()) {
        return fail(ErrorCode::kInvalidArgument, "'matchLabels' value of '{}' must be a string", k);
      }
      BERTH_ASSIGN_OR_RETURN(
          auto r, newLabelRequirement(k, SelectorOperator::kEquals, {v.get<std::string>()}));
      requirements.push_back(std::move(r));
    }
  }
  if (auto it = selector.find("matchExpressions"); it != selector.end() && !it->is_null()) {
    if (!it->is_array()) {
      return fail(ErrorCode::kInvalidArgument, "'matchExpressions' must be a list");
    }
    for (const auto& expr : *it) {
      if (!expr.is_object() || !expr.value("key", nlohmann::json()).is_string() ||
          !expr.value("operator", nlohmann::json()).is_string()) {
        return fail(ErrorCode::kInvalidArgument,
                    "'matchExpressions' entries need a string 'key' and 'operator'");
      }
      static const std::map<std::string, SelectorOperator, std::less<>> kOperators = {
          {"In", SelectorOperator::kIn},
          {"NotIn", SelectorOperator::kNotIn},
          {"Exists", SelectorOperator::kExists},
          {"DoesNotExist", SelectorOperator::kDoesNotExist},
      };
      std::string opName = expr["operator"];
      auto op = kOperators.find(opName);
      if (op == kOperators.end()) {
        return fail(ErrorCode::kInvalidArgument, "\"{}\" is not a valid label selector operator",
                    opName);
      }
      std::vector<std::string> values;
      if (auto v = expr.find("values"); v != expr.end() && !v->is_null()) {
        if (!v->is_array()) {
          return fail(ErrorCode::kInvalidArgument, "'values' must be a list of strings");
        }
        for (const auto& value : *v) {
          if (!value.is_string()) {
            return fail(ErrorCode::kInvalidArgument, "'values' must be a list of strings");
          }
          values.push_back(value.get<std::string>());
        }
      }
      BERTH_ASSIGN_OR_RETURN(auto r,
                             newLabelRequirement(expr["key"], op->second, std::move(values)));
      requirements.push_back(std::move(r));
    }
  }
  return LabelSelector(std::move(requirements));
}

LabelSelector LabelSelector::fromLabels(const std::map<std::string, std::string>& labels) {
  std::vector<LabelRequirement> requirements;
  for (const auto& [k, v] : labels) {
    requirements.push_back({k, SelectorOperator::kEquals, {v}});
  }
  return LabelSelector(std::move(requirements));
}

LabelSelector LabelSelector::nothing() {
  LabelSelector s;
  s.matchesNothing_ = true;
  return s;
}

bool LabelSelector::matches(const std::map<std::string, std::string>& labels) const {
  if (matchesNothing_) {
    return false;
  }
  return std::all_of(requirements_.begin(), requirements_.end(),
                     [&](const auto& r) { return r.matches(labels); });
}

std::string LabelSelector::toString() const {
  std::vector<std::string> parts;
  for (const auto& r : requirements_) {
    parts.push_back(r.toString());
  }
  return joined(parts, ",");
}

}  // namespace berth::api
