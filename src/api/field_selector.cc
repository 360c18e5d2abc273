// FieldSelector of api/selector.h.

#include <algorithm>
#include <set>

#include "api/selector.h"

namespace berth::api {
namespace {

std::string escapeFieldValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == ',' || c == '=') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

Result<std::string> unescapeFieldValue(std::string_view value) {
  std::string out;
  bool inSlash = false;
  for (char c : value) {
    if (inSlash) {
      if (c != '\\' && c != ',' && c != '=') {
        return fail(ErrorCode::kInvalidArgument,
                    "invalid field selector: invalid escape sequence: \\{}", c);
      }
      out += c;
      inSlash = false;
    } else if (c == '\\') {
      inSlash = true;
    } else if (c == ',' || c == '=') {
      return fail(ErrorCode::kInvalidArgument,
                  "invalid field selector: unescaped character in value: {}", static_cast<int>(c));
    } else {
      out += c;
    }
  }
  if (inSlash) {
    return fail(ErrorCode::kInvalidArgument, "invalid field selector: invalid escape sequence: \\");
  }
  return out;
}

}  // namespace

// --- FieldSelector ---

Result<FieldSelector> FieldSelector::parse(std::string_view text) {
  // Split on commas that are not escaped.
  std::vector<std::string> terms;
  if (!text.empty()) {
    size_t start = 0;
    bool inSlash = false;
    for (size_t i = 0; i < text.size(); ++i) {
      if (inSlash) {
        inSlash = false;
      } else if (text[i] == '\\') {
        inSlash = true;
      } else if (text[i] == ',') {
        terms.emplace_back(text.substr(start, i - start));
        start = i + 1;
      }
    }
    terms.emplace_back(text.substr(start));
  }
  std::sort(terms.begin(), terms.end());
  FieldSelector selector;
  for (const auto& term : terms) {
    if (term.empty()) {
      continue;
    }
    // The first operator in the term splits it; "!=" and "==" win over "=" at one position.
    std::optional<FieldRequirement> requirement;
    for (size_t i = 0; i < term.size() && !requirement; ++i) {
      for (std::string_view op : {"!=", "==", "="}) {
        if (std::string_view(term).substr(i).starts_with(op)) {
          BERTH_ASSIGN_OR_RETURN(auto value, unescapeFieldValue(term.substr(i + op.size())));
          requirement = FieldRequirement{term.substr(0, i), op == "!=", std::move(value)};
          break;
        }
      }
    }
    if (!requirement) {
      return fail(ErrorCode::kInvalidArgument, "invalid selector: '{}'; can't understand '{}'",
                  text, term);
    }
    selector.requirements_.push_back(std::move(*requirement));
  }
  return selector;
}

bool FieldSelector::matches(const std::map<std::string, std::string>& fields) const {
  for (const auto& r : requirements_) {
    auto it = fields.find(r.field);
    std::string_view actual = it == fields.end() ? std::string_view() : it->second;
    if ((actual == r.value) == r.negated) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> FieldSelector::fieldNames() const {
  std::set<std::string> names;
  for (const auto& r : requirements_) {
    names.insert(r.field);
  }
  return {names.begin(), names.end()};
}

std::optional<std::string> FieldSelector::requiredValue(std::string_view field) const {
  for (const auto& r : requirements_) {
    if (r.field == field && !r.negated) {
      return r.value;
    }
  }
  return std::nullopt;
}

std::string FieldSelector::toString() const {
  std::vector<std::string> parts;
  for (const auto& r : requirements_) {
    parts.push_back(r.field + (r.negated ? "!=" : "=") + escapeFieldValue(r.value));
  }
  std::string out;
  for (const auto& part : parts) {
    out += (out.empty() ? "" : ",") + part;
  }
  return out;
}

}  // namespace berth::api
