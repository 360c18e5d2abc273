#pragma once

// Label and field selectors, as list and watch requests carry them (`labelSelector=`,
// `fieldSelector=`) and as objects embed them (Deployment spec.selector, a LabelSelector).
// Semantics and error wording follow k8s.io/apimachinery/pkg/labels and pkg/fields.
// Values are immutable once built; all methods are const and thread-safe.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::api {

// The operator of one label requirement. kEquals and kDoubleEquals match alike; both exist so a
// parsed selector renders back as it was written ("a==b" stays "a==b").
enum class SelectorOperator {
  kEquals,        // a=b
  kDoubleEquals,  // a==b
  kNotEquals,     // a!=b (also true when the label is missing)
  kIn,            // a in (x,y)
  kNotIn,         // a notin (x) (also true when the label is missing)
  kExists,        // a
  kDoesNotExist,  // !a
  kGreaterThan,   // a>5 (integer comparison; false when the label is not an integer)
  kLessThan,      // a<5
};

// One term of a label selector. `values` are sorted and unique; one value for the equality
// operators and Gt/Lt, at least one for In/NotIn, none for Exists/DoesNotExist.
struct LabelRequirement {
  std::string key;
  SelectorOperator op = SelectorOperator::kExists;
  std::vector<std::string> values;

  bool matches(const std::map<std::string, std::string>& labels) const;
  // "a=b", "a in (x,y)", "!a", ...
  std::string toString() const;
  bool operator==(const LabelRequirement&) const = default;
};

// A conjunction of label requirements, kept sorted by key as Kubernetes does. The default value
// is empty and matches everything.
class LabelSelector {
 public:
  LabelSelector() = default;

  // Parses the string form: "app=web,tier!=db", "env in (a, b)", "release notin (x)",
  // "canary", "!canary", "version>3". Whitespace around tokens is ignored; "" is the empty
  // selector. Keys are validated as qualified names and values as label values. Errors are
  // kInvalidArgument worded as Kubernetes words them, e.g.
  // "unable to parse requirement: found '', expected: identifier".
  static Result<LabelSelector> parse(std::string_view text);

  // From a metav1.LabelSelector object: {"matchLabels":{...},"matchExpressions":[{"key",
  // "operator":"In|NotIn|Exists|DoesNotExist","values":[...]}]}. `{}` matches everything;
  // JSON null matches nothing (as Kubernetes treats a nil selector). Errors are kInvalidArgument.
  static Result<LabelSelector> fromJson(const nlohmann::json& selector);

  // An equality selector from a plain map (Service spec.selector, nodeSelector). Does not
  // validate; an empty map matches everything.
  static LabelSelector fromLabels(const std::map<std::string, std::string>& labels);

  // A selector that matches no object at all (the nil LabelSelector).
  static LabelSelector nothing();

  bool matches(const std::map<std::string, std::string>& labels) const;

  // True when the selector has no requirements and so matches everything.
  bool empty() const { return requirements_.empty() && !matchesNothing_; }
  bool matchesNothing() const { return matchesNothing_; }

  // The canonical string form, requirements sorted by key and joined by ','; In/NotIn values
  // sorted: "app=web", "env in (a,b),!canary". "" for the empty (and the nothing) selector.
  std::string toString() const;

  const std::vector<LabelRequirement>& requirements() const { return requirements_; }

 private:
  explicit LabelSelector(std::vector<LabelRequirement> requirements);

  std::vector<LabelRequirement> requirements_;
  bool matchesNothing_ = false;
};

// One term of a field selector: `field=value` (or `==`) or `field!=value`.
struct FieldRequirement {
  std::string field;
  bool negated = false;  // true for !=
  std::string value;     // unescaped; may be empty
  bool operator==(const FieldRequirement&) const = default;
};

// A conjunction of field terms, "metadata.name=web,status.phase!=Running". The field names are
// not checked here: the caller knows which fields a kind supports, asks fieldNames() and
// answers 400 "field label not supported: X" for an unknown one.
class FieldSelector {
 public:
  FieldSelector() = default;

  // Parses "a=b,c!=d,e==f". Values may be empty ("spec.nodeName=") and may escape '\', ',' and
  // '=' with a backslash. "" is the empty selector. Errors are kInvalidArgument, e.g.
  // "invalid selector: 'abc'; can't understand 'abc'".
  static Result<FieldSelector> parse(std::string_view text);

  // `fields` holds the object's selectable field values; a missing field counts as "", so
  // "involvedObject.namespace=" matches an object whose field is empty or absent.
  bool matches(const std::map<std::string, std::string>& fields) const;

  bool empty() const { return requirements_.empty(); }

  // The distinct field names the selector uses, sorted.
  std::vector<std::string> fieldNames() const;

  // The value the selector requires `field` to equal, if it has such a term ("metadata.name=x"
  // lets a caller fetch one object instead of listing).
  std::optional<std::string> requiredValue(std::string_view field) const;

  // "a=b,c!=d", terms sorted, values escaped.
  std::string toString() const;

  const std::vector<FieldRequirement>& requirements() const { return requirements_; }

 private:
  std::vector<FieldRequirement> requirements_;
};

}  // namespace berth::api
