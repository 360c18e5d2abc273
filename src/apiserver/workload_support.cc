#include "apiserver/workload_support.h"

#include <fmt/format.h>

#include <map>

#include "api/name_validation.h"
#include "api/pod_codec.h"
#include "api/selector.h"
#include "api/validation_internal.h"
#include "apiserver/pod_strategy.h"
#include "apiserver/type_support.h"

namespace berth::apiserver::workload {

namespace internal = api::internal;

namespace {

const json& member(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) {
    return kNull;
  }
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

std::string goScalar(const json& value) {
  return value.is_string() ? internal::goQuote(value.get<std::string>()) : value.dump();
}

// The template as a Pod the pod codec and validation understand. Template metadata keeps only
// labels and annotations (a name is given so that ValidateObjectMeta stays quiet).
json templateAsPod(const json& object) {
  const json& tmpl = member(member(object, "spec"), "template");
  const json& meta = member(tmpl, "metadata");
  json podMeta = {{"name", "template"}, {"namespace", "default"}};
  for (const char* key : {"labels", "annotations"}) {
    if (!member(meta, key).is_null()) {
      podMeta[key] = member(meta, key);
    }
  }
  json spec = member(tmpl, "spec");
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", std::move(podMeta)},
          {"spec", spec.is_null() ? json::object() : spec}};
}

// A pod field path as the template's: "spec.x" -> "spec.template.spec.x", labels and
// annotations -> "spec.template.labels" (ValidatePodTemplateSpec's paths); nullopt for the
// rest of the pod metadata, which a template does not have.
std::optional<std::string> templatePath(const std::string& field) {
  if (field.starts_with("spec")) {
    return "spec.template." + field;
  }
  for (const char* part : {"labels", "annotations"}) {
    std::string prefix = std::string("metadata.") + part;
    if (field.starts_with(prefix)) {
      return "spec.template." + field.substr(9);
    }
  }
  return std::nullopt;
}

void validateSelector(const json& selector, Errors& out) {
  const std::string path = "spec.selector";
  const json& matchLabels = member(selector, "matchLabels");
  if (matchLabels.is_object()) {
    std::map<std::string, std::string> labels;
    for (const auto& [k, v] : matchLabels.items()) {
      if (v.is_string()) {
        labels[k] = v.get<std::string>();
      } else {
        out.push_back({path + ".matchLabels", "Invalid value", goScalar(v), "must be a string"});
      }
    }
    internal::validateLabels(labels, path + ".matchLabels", out);
  }
  const json& expressions = member(selector, "matchExpressions");
  if (!expressions.is_array()) {
    return;
  }
  for (size_t i = 0; i < expressions.size(); ++i) {
    const json& expr = expressions[i];
    std::string at = internal::index(path + ".matchExpressions", i);
    std::string op = types::text(expr, {"operator"});
    const json& values = member(expr, "values");
    size_t count = values.is_array() ? values.size() : 0;
    if (op == "In" || op == "NotIn") {
      if (count == 0) {
        out.push_back(internal::required(at + ".values",
                                         "must be specified when `operator` is 'In' or 'NotIn'"));
      }
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (count > 0) {
        out.push_back(internal::forbidden(
            at + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
    } else {
      out.push_back(internal::invalid(at + ".operator", op, "not a valid selector operator"));
    }
    std::string key = types::text(expr, {"key"});
    internal::addInvalid(out, at + ".key", key, api::isQualifiedName(key));
    for (size_t j = 0; j < count; ++j) {
      std::string value = values[j].is_string() ? values[j].get<std::string>() : values[j].dump();
      internal::addInvalid(out, internal::index(at + ".values", j), value,
                           api::isValidLabelValue(value));
    }
  }
}

std::map<std::string, std::string> templateLabels(const json& object) {
  std::map<std::string, std::string> labels;
  const json* l = types::at(object, {"spec", "template", "metadata", "labels"});
  if (l && l->is_object()) {
    for (const auto& [k, v] : l->items()) {
      if (v.is_string()) {
        labels[k] = v.get<std::string>();
      }
    }
  }
  return labels;
}

void validateTemplatePod(const json& object, Errors& out) {
  json pod = templateAsPod(object);
  auto decoded = api::decodePod(pod);
  if (!decoded) {
    // "spec.containers[0].ports: expected array, got string" -> a cause naming the field.
    std::string message = decoded.error().message();
    auto colon = message.find(": ");
    std::string field = colon == std::string::npos ? "" : message.substr(0, colon);
    auto mapped = templatePath(field);
    out.push_back({mapped.value_or("spec.template"), "Invalid value", "",
                   colon == std::string::npos ? message : message.substr(colon + 2)});
    return;
  }
  for (auto& e : api::validatePod(*decoded)) {
    if (auto mapped = templatePath(e.field)) {
      e.field = *mapped;
      out.push_back(std::move(e));
    }
  }
  const json& spec = pod["spec"];
  std::string restartPolicy = types::text(spec, {"restartPolicy"});
  if (restartPolicy != "Always") {
    out.push_back(
        internal::notSupported("spec.template.spec.restartPolicy", restartPolicy, {"Always"}));
  }
  if (spec.contains("activeDeadlineSeconds") && !spec["activeDeadlineSeconds"].is_null()) {
    out.push_back(internal::forbidden("spec.template.spec.activeDeadlineSeconds",
                                      "activeDeadlineSeconds in ReplicaSet is not Supported"));
  }
}

std::vector<std::string> containerField(const json& object, const char* field) {
  std::vector<std::string> out;
  const json* containers = types::at(object, {"spec", "template", "spec", "containers"});
  if (containers && containers->is_array()) {
    for (const auto& c : *containers) {
      out.push_back(types::text(c, {field}));
    }
  }
  return out;
}

}  // namespace

std::string goStringMap(const json* labels) {
  if (labels == nullptr || labels->is_null()) {
    return "map[string]string(nil)";
  }
  if (!labels->is_object()) {
    return labels->dump();
  }
  std::vector<std::string> items;
  for (const auto& [k, v] : labels->items()) {  // nlohmann objects iterate in key order
    items.push_back(internal::goQuote(k) + ":" + goScalar(v));
  }
  return fmt::format("map[string]string{{{}}}", fmt::join(items, ", "));
}

std::string goLabelSelector(const json& selector) {
  const json& matchLabels = member(selector, "matchLabels");
  const json& expressions = member(selector, "matchExpressions");
  std::string exprs = "[]v1.LabelSelectorRequirement(nil)";
  if (expressions.is_array()) {
    std::vector<std::string> items;
    for (const auto& e : expressions) {
      std::string values = "[]string(nil)";
      const json& v = member(e, "values");
      if (v.is_array()) {
        std::vector<std::string> quoted;
        for (const auto& s : v) {
          quoted.push_back(goScalar(s));
        }
        values = fmt::format("[]string{{{}}}", fmt::join(quoted, ", "));
      }
      items.push_back(fmt::format("v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{}}}",
                                  internal::goQuote(types::text(e, {"key"})),
                                  internal::goQuote(types::text(e, {"operator"})), values));
    }
    exprs = fmt::format("[]v1.LabelSelectorRequirement{{{}}}", fmt::join(items, ", "));
  }
  return fmt::format("v1.LabelSelector{{MatchLabels:{}, MatchExpressions:{}}}",
                     goStringMap(matchLabels.is_null() ? nullptr : &matchLabels), exprs);
}

std::string IntOrString::goString() const {
  return fmt::format("intstr.IntOrString{{Type:{}, IntVal:{}, StrVal:{}}}", type, intVal,
                     internal::goQuote(strVal));
}

std::optional<IntOrString> readIntOrString(const json& value) {
  if (value.is_string()) {
    return IntOrString{1, 0, value.get<std::string>()};
  }
  if (value.is_number_integer()) {
    return IntOrString{0, value.get<int64_t>(), ""};
  }
  if (value.is_number_float()) {
    auto d = value.get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d))) {
      return IntOrString{0, static_cast<int64_t>(d), ""};
    }
  }
  return std::nullopt;
}

namespace {

// The number of a valid percent string ("[0-9]+%"), else nullopt.
std::optional<int64_t> percentOf(const IntOrString& value) {
  const std::string& s = value.strVal;
  if (value.type != 1 || s.size() < 2 || s.back() != '%' || s.size() > 12) {
    return std::nullopt;
  }
  int64_t n = 0;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return std::nullopt;
    }
    n = n * 10 + (s[i] - '0');
  }
  return n;
}

}  // namespace

void validatePositiveIntOrPercent(const IntOrString& value, const std::string& field, Errors& out) {
  if (value.type == 1) {
    if (!percentOf(value)) {
      out.push_back({field, "Invalid value", value.goString(),
                     "a valid percent string must be a numeric string followed by an ending '%' "
                     "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"});
    }
    return;
  }
  internal::addNonNegative(out, field, value.intVal);
}

int64_t intOrPercentValue(const IntOrString& value) {
  if (auto p = percentOf(value)) {
    return *p;
  }
  if (value.type == 0) {
    return value.intVal;
  }
  // IntValue() of a string: strconv.Atoi, 0 on error.
  const std::string& s = value.strVal;
  size_t start = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (s.size() == start || s.size() > 10) {
    return 0;
  }
  for (size_t i = start; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return 0;
    }
  }
  return std::stoll(s);
}

void validateNotMoreThan100Percent(const IntOrString& value, const std::string& field,
                                   Errors& out) {
  auto p = percentOf(value);
  if (p && *p > 100) {
    out.push_back({field, "Invalid value", value.goString(), "must not be greater than 100%"});
  }
}

std::optional<int64_t> readInteger(const json& object, const char* key, const std::string& field,
                                   Errors& out) {
  const json& v = member(object, key);
  if (v.is_null()) {
    return std::nullopt;
  }
  if (v.is_number_integer()) {
    return v.get<int64_t>();
  }
  if (v.is_number_float()) {
    auto d = v.get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d))) {
      return static_cast<int64_t>(d);
    }
  }
  out.push_back({field, "Invalid value", goScalar(v), "must be an integer"});
  return std::nullopt;
}

void applyTemplateDefaults(json& object) {
  json* tmpl = object.is_object() && object.contains("spec") && object["spec"].is_object()
                   ? &object["spec"]
                   : nullptr;
  if (tmpl == nullptr || !tmpl->contains("template") || !(*tmpl)["template"].is_object()) {
    return;
  }
  json& t = (*tmpl)["template"];
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", json::object()},
              {"spec", t.contains("spec") && t["spec"].is_object() ? t["spec"] : json::object()}};
  applyPodDefaults(pod);
  t["spec"] = std::move(pod["spec"]);
}

void validateSelectorAndTemplate(const json& object, Errors& out) {
  const json& spec = member(object, "spec");
  const json& selector = member(spec, "selector");
  if (selector.is_null()) {
    out.push_back(internal::required("spec.selector"));
  } else if (!selector.is_object()) {
    out.push_back({"spec.selector", "Invalid value", goScalar(selector), "must be an object"});
  } else {
    validateSelector(selector, out);
    size_t terms = member(selector, "matchLabels").is_object() ? selector["matchLabels"].size() : 0;
    terms +=
        member(selector, "matchExpressions").is_array() ? selector["matchExpressions"].size() : 0;
    if (terms == 0) {
      out.push_back({"spec.selector", "Invalid value", goLabelSelector(selector),
                     "empty selector is invalid for deployment"});
    }
  }
  auto parsed =
      selector.is_object() || selector.is_null()
          ? api::LabelSelector::fromJson(selector)
          : Result<api::LabelSelector>(std::unexpected(Error(ErrorCode::kInvalidArgument, "")));
  if (!parsed) {
    if (selector.is_object()) {
      out.push_back(
          {"spec.selector", "Invalid value", goLabelSelector(selector), "invalid label selector"});
    }
    return;
  }
  if (!parsed->empty() && !parsed->matches(templateLabels(object))) {
    out.push_back({"spec.template.metadata.labels", "Invalid value",
                   goStringMap(types::at(object, {"spec", "template", "metadata", "labels"})),
                   "`selector` does not match template `labels`"});
  }
  validateTemplatePod(object, out);
}

void validateSelectorUnchanged(const json& object, const json& old, Errors& out) {
  const json& now = member(member(object, "spec"), "selector");
  const json& before = member(member(old, "spec"), "selector");
  if (now != before) {
    out.push_back({"spec.selector", "Invalid value",
                   now.is_null() ? std::string("null") : goLabelSelector(now),
                   "field is immutable"});
  }
}

std::vector<std::string> unknownTemplateFields(const json& object) {
  const json* tmpl = types::at(object, {"spec", "template"});
  if (!tmpl || !tmpl->is_object()) {
    return {};
  }
  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
  std::vector<std::string> out;
  for (const auto& [k, v] : tmpl->items()) {
    if (k == "metadata" || k == "spec") {
      pod[k] = v;
    } else {
      out.push_back("spec.template." + k);
    }
  }
  for (const auto& field : api::unknownPodFields(pod)) {
    out.push_back("spec.template." + field);
  }
  return out;
}

std::string templateContainerNames(const json& object) {
  return fmt::format("{}", fmt::join(containerField(object, "name"), ","));
}

std::string templateImages(const json& object) {
  return fmt::format("{}", fmt::join(containerField(object, "image"), ","));
}

std::string selectorString(const json& object) {
  const json* selector = types::at(object, {"spec", "selector"});
  if (!selector) {
    return "";
  }
  auto parsed = api::LabelSelector::fromJson(*selector);
  return parsed ? parsed->toString() : "<invalid>";
}

int64_t count(const json& object, const char* section, const char* key) {
  const json* v = types::at(object, {section, key});
  return v && v->is_number() ? v->get<int64_t>() : 0;
}

void validateReplicaCounts(const json& object, std::initializer_list<const char*> counts,
                           std::initializer_list<const char*> boundedByReplicas, Errors& out) {
  const json* s = types::at(object, {"status"});
  if (!s || !s->is_object()) {
    return;
  }
  std::map<std::string, int64_t> v;
  for (const char* key : counts) {
    v[key] = readInteger(*s, key, std::string("status.") + key, out).value_or(0);
    internal::addNonNegative(out, std::string("status.") + key, v[key]);
  }
  for (const char* key : boundedByReplicas) {
    if (v[key] > v["replicas"]) {
      out.push_back(internal::invalid(std::string("status.") + key, v[key],
                                      "cannot be greater than status.replicas"));
    }
  }
  if (v["availableReplicas"] > v["readyReplicas"]) {
    out.push_back(internal::invalid("status.availableReplicas", v["availableReplicas"],
                                    "cannot be greater than readyReplicas"));
  }
}

}  // namespace berth::apiserver::workload
