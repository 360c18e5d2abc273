// The HorizontalPodAutoscaler resource types: autoscaling/v2 (stored) and autoscaling/v1
// (converted, see hpa_conversion.h). Validation after pkg/apis/autoscaling/validation (on the
// v2 form, as Kubernetes validates the internal form); Table after kubectl's
// printHorizontalPodAutoscaler.

#include <fmt/format.h>

#include <utility>

#include "api/quantity.h"
#include "api/validation_internal.h"
#include "apiserver/builtin_types.h"
#include "apiserver/hpa_conversion.h"
#include "apiserver/type_support.h"

namespace berth::apiserver {

using nlohmann::json;
using types::text;
namespace internal = api::internal;

namespace {

constexpr int64_t kMaxPeriodSeconds = 1800;
constexpr int64_t kMaxStabilizationWindowSeconds = 3600;

const json* field(const json& object, std::string_view key) {
  if (!object.is_object()) {
    return nullptr;
  }
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::optional<int64_t> integer(const json& object, std::string_view key) {
  const json* v = field(object, key);
  if (v == nullptr || !v->is_number()) {
    return std::nullopt;
  }
  return v->get<int64_t>();
}

std::string str(const json& object, std::string_view key) {
  const json* v = field(object, key);
  return v && v->is_string() ? v->get<std::string>() : "";
}

// IsValidPathSegmentName.
void validatePathSegment(const std::string& path, const std::string& value, types::Errors& errors) {
  if (value == "." || value == "..") {
    errors.push_back(internal::invalid(path, value, fmt::format("may not be '{}'", value)));
    return;
  }
  for (const char* bad : {"/", "%"}) {
    if (value.find(bad) != std::string::npos) {
      errors.push_back(internal::invalid(path, value, fmt::format("may not contain '{}'", bad)));
    }
  }
}

void validateReference(const json* ref, const std::string& path, types::Errors& errors) {
  const json empty = json::object();
  const json& r = ref ? *ref : empty;
  for (const char* key : {"kind", "name"}) {
    std::string value = str(r, key);
    if (value.empty()) {
      errors.push_back(internal::required(path + "." + key));
    } else {
      validatePathSegment(path + "." + key, value, errors);
    }
  }
}

// A quantity field that must be positive ("must be positive").
void validatePositiveQuantity(const json& target, const char* key, const std::string& path,
                              types::Errors& errors) {
  const json* v = field(target, key);
  if (v == nullptr) {
    return;
  }
  std::string textValue = v->is_string() ? v->get<std::string>() : v->dump();
  auto milli = api::parseQuantityMilli(textValue);
  if (!milli || *milli <= 0) {
    errors.push_back(internal::invalid(path + "." + key, textValue, "must be positive"));
  }
}

void validateMetricTarget(const json& target, const std::string& path, types::Errors& errors) {
  std::string type = str(target, "type");
  if (type.empty()) {
    errors.push_back(internal::required(path + ".type", "must specify a metric target type"));
  }
  if (type != "Utilization" && type != "Value" && type != "AverageValue") {
    errors.push_back(internal::invalid(path + ".type", type,
                                       "must be either Utilization, Value, or AverageValue"));
  }
  validatePositiveQuantity(target, "value", path, errors);
  validatePositiveQuantity(target, "averageValue", path, errors);
  if (auto u = integer(target, "averageUtilization"); u && *u < 1) {
    errors.push_back(internal::invalid(path + ".averageUtilization", *u, "must be greater than 0"));
  }
}

void validateMetricIdentifier(const json& source, const std::string& path, types::Errors& errors) {
  const json* metric = field(source, "metric");
  std::string name = metric ? str(*metric, "name") : "";
  if (name.empty()) {
    errors.push_back(internal::required(path + ".name", "must specify a metric name"));
  } else {
    validatePathSegment(path + ".name", name, errors);
  }
}

// Resource and ContainerResource sources.
void validateResourceSource(const json& source, const std::string& path, bool container,
                            types::Errors& errors) {
  if (str(source, "name").empty()) {
    errors.push_back(internal::required(path + ".name", "must specify a resource name"));
  }
  if (container && str(source, "container").empty()) {
    errors.push_back(internal::required(path + ".container", "must specify a container"));
  }
  const json empty = json::object();
  const json* t = field(source, "target");
  const json& target = t ? *t : empty;
  validateMetricTarget(target, path + ".target", errors);
  const bool utilization = field(target, "averageUtilization") != nullptr;
  const bool average = field(target, "averageValue") != nullptr;
  if (!utilization && !average) {
    errors.push_back(internal::required(path + ".target.averageUtilization",
                                        "must set either a target raw value or a target "
                                        "utilization"));
  }
  if (utilization && average) {
    errors.push_back(internal::forbidden(path + ".target.averageValue",
                                         "may not set both a target raw value and a target "
                                         "utilization"));
  }
}

void validateMetricSpec(const json& metric, const std::string& path, types::Errors& errors) {
  const std::initializer_list<std::string_view> kTypes = {"ContainerResource", "External", "Object",
                                                          "Pods", "Resource"};
  std::string type = str(metric, "type");
  if (type.empty()) {
    errors.push_back(internal::required(path + ".type", "must specify a metric source type"));
  }
  bool known = false;
  for (auto t : kTypes) {
    known = known || t == type;
  }
  if (!known) {
    errors.push_back(internal::notSupported(path + ".type", type, kTypes));
  }
  // The sources present, in Kubernetes' order; only the first is validated.
  std::vector<std::string> present;
  const json empty = json::object();
  for (const char* key : {"object", "external", "pods", "resource", "containerResource"}) {
    const json* source = field(metric, key);
    if (source == nullptr) {
      continue;
    }
    present.push_back(key);
    if (present.size() > 1) {
      continue;
    }
    std::string p = path + "." + key;
    std::string k = key;
    if (k == "resource" || k == "containerResource") {
      validateResourceSource(*source, p, k == "containerResource", errors);
      continue;
    }
    if (k == "object") {
      validateReference(field(*source, "describedObject"), p + ".describedObject", errors);
    }
    validateMetricIdentifier(*source, p + ".metric", errors);
    const json* t = field(*source, "target");
    const json& target = t ? *t : empty;
    validateMetricTarget(target, p + ".target", errors);
    const bool value = field(target, "value") != nullptr;
    const bool average = field(target, "averageValue") != nullptr;
    if (k == "pods" && !average) {
      errors.push_back(internal::required(p + ".target.averageValue",
                                          "must specify a positive target averageValue"));
    } else if (k == "object" && !value && !average) {
      errors.push_back(internal::required(p + ".target.averageValue",
                                          "must set either a target value or averageValue"));
    } else if (k == "external" && !value && !average) {
      errors.push_back(
          internal::required(p + ".target.averageValue",
                             "must set either a target value for metric or a per-pod target"));
    } else if (k == "external" && value && average) {
      errors.push_back(internal::forbidden(
          p + ".target.value", "may not set both a target value for metric and a per-pod target"));
    }
  }
  std::string expected;
  if (type == "Object" || type == "Pods" || type == "Resource" || type == "External" ||
      type == "ContainerResource") {
    expected = type == "ContainerResource" ? "containerResource" : type;
    if (type != "ContainerResource") {
      expected[0] = static_cast<char>(std::tolower(expected[0]));
    }
    if (field(metric, expected) == nullptr) {
      errors.push_back(internal::required(path + "." + expected,
                                          "must populate information for the given metric "
                                          "source"));
    }
  } else {
    errors.push_back(internal::notSupported(path + ".type", type, kTypes));
  }
  if (present.size() != 1) {
    for (const auto& key : present) {
      if (key != expected) {
        errors.push_back(internal::forbidden(fmt::format("{}.{}", path, key),
                                             "must populate the given metric source only"));
      }
    }
  }
}

void validateScalingRules(const json* rules, const std::string& path, types::Errors& errors) {
  if (rules == nullptr || !rules->is_object()) {
    return;
  }
  if (auto w = integer(*rules, "stabilizationWindowSeconds")) {
    if (*w < 0) {
      errors.push_back(internal::invalid(path + ".stabilizationWindowSeconds", *w,
                                         "must be greater than or equal to zero"));
    }
    if (*w > kMaxStabilizationWindowSeconds) {
      errors.push_back(internal::invalid(
          path + ".stabilizationWindowSeconds", *w,
          fmt::format("must be less than or equal to {}", kMaxStabilizationWindowSeconds)));
    }
  }
  if (const json* select = field(*rules, "selectPolicy")) {
    std::string s = select->is_string() ? select->get<std::string>() : select->dump();
    if (s != "Max" && s != "Min" && s != "Disabled") {
      errors.push_back(
          internal::notSupported(path + ".selectPolicy", s, {"Disabled", "Max", "Min"}));
    }
  }
  const json* policies = field(*rules, "policies");
  if (policies == nullptr || !policies->is_array() || policies->empty()) {
    errors.push_back(internal::required(path + ".policies", "must specify at least one Policy"));
    return;
  }
  for (size_t i = 0; i < policies->size(); ++i) {
    const json& policy = (*policies)[i];
    std::string p = internal::index(path + ".policies", i);
    std::string type = str(policy, "type");
    if (type != "Pods" && type != "Percent") {
      errors.push_back(internal::notSupported(p + ".type", type, {"Percent", "Pods"}));
    }
    int64_t value = integer(policy, "value").value_or(0);
    if (value <= 0) {
      errors.push_back(internal::invalid(p + ".value", value, "must be greater than zero"));
    }
    int64_t period = integer(policy, "periodSeconds").value_or(0);
    if (period <= 0) {
      errors.push_back(
          internal::invalid(p + ".periodSeconds", period, "must be greater than zero"));
    }
    if (period > kMaxPeriodSeconds) {
      errors.push_back(
          internal::invalid(p + ".periodSeconds", period,
                            fmt::format("must be less than or equal to {}", kMaxPeriodSeconds)));
    }
  }
}

std::vector<Cause> validateV2(const json& hpa, const json* old) {
  types::Errors errors;
  if (old) {
    types::validateObjectMetaUpdate(hpa, *old, errors);
  }
  types::validateObjectMeta(hpa, true, types::NameRule::kDns1123Subdomain, errors);
  const json empty = json::object();
  const json* s = field(hpa, "spec");
  const json& spec = s ? *s : empty;
  int64_t lowerBound = 1;
  if (old) {
    const json* oldSpec = field(*old, "spec");
    if (oldSpec && integer(*oldSpec, "minReplicas") == 0) {
      lowerBound = 0;
    }
  }
  auto minReplicas = integer(spec, "minReplicas");
  int64_t maxReplicas = integer(spec, "maxReplicas").value_or(0);
  if (minReplicas && *minReplicas < lowerBound) {
    errors.push_back(
        internal::invalid("spec.minReplicas", *minReplicas,
                          fmt::format("must be greater than or equal to {}", lowerBound)));
  }
  if (maxReplicas < 1) {
    errors.push_back(internal::invalid("spec.maxReplicas", maxReplicas, "must be greater than 0"));
  }
  if (minReplicas && maxReplicas < *minReplicas) {
    errors.push_back(internal::invalid("spec.maxReplicas", maxReplicas,
                                       "must be greater than or equal to `minReplicas`"));
  }
  validateReference(field(spec, "scaleTargetRef"), "spec.scaleTargetRef", errors);
  bool objectOrExternal = false;
  if (const json* metrics = field(spec, "metrics"); metrics && metrics->is_array()) {
    for (size_t i = 0; i < metrics->size(); ++i) {
      const json& metric = (*metrics)[i];
      validateMetricSpec(metric, internal::index("spec.metrics", i), errors);
      std::string type = str(metric, "type");
      objectOrExternal = objectOrExternal || type == "Object" || type == "External";
    }
  }
  if (minReplicas == 0 && !objectOrExternal) {
    errors.push_back(internal::forbidden("spec.metrics",
                                         "must specify at least one Object or External metric "
                                         "to support scaling to zero replicas"));
  }
  if (const json* behavior = field(spec, "behavior")) {
    validateScalingRules(field(*behavior, "scaleUp"), "spec.behavior.scaleUp", errors);
    validateScalingRules(field(*behavior, "scaleDown"), "spec.behavior.scaleDown", errors);
  }
  if (const json* status = field(hpa, "status")) {
    for (const char* key : {"currentReplicas", "desiredReplicas"}) {
      if (auto v = integer(*status, key)) {
        internal::addNonNegative(errors, std::string("status.") + key, *v);
      }
    }
  }
  return types::toCauses(errors);
}

std::string quantityText(const json* value) {
  if (value == nullptr) {
    return "<unknown>";
  }
  std::string raw = value->is_string() ? value->get<std::string>() : value->dump();
  auto canonical = api::canonicalQuantity(raw);
  return canonical ? *canonical : raw;
}

const json* at(const json& object, std::initializer_list<std::string_view> path) {
  const json* v = &object;
  for (auto key : path) {
    v = field(*v, key);
    if (v == nullptr) {
      return nullptr;
    }
  }
  return v;
}

}  // namespace

std::string hpaTargets(const json& hpa) {
  const json empty = json::array();
  const json* s = at(hpa, {"spec", "metrics"});
  const json& specs = s && s->is_array() ? *s : empty;
  const json* c = at(hpa, {"status", "currentMetrics"});
  const json& statuses = c && c->is_array() ? *c : empty;
  if (specs.empty()) {
    return "<none>";
  }
  auto status = [&](size_t i, const char* source) -> const json* {
    return i < statuses.size() ? field(statuses[i], source) : nullptr;
  };
  std::vector<std::string> list;
  for (size_t i = 0; i < specs.size(); ++i) {
    const json& spec = specs[i];
    std::string type = str(spec, "type");
    if (type == "External" || type == "Object") {
      const char* source = type == "External" ? "external" : "object";
      const json* avg = at(spec, {source, "target", "averageValue"});
      const json* st = status(i, source);
      if (avg) {
        const json* cur = st ? at(*st, {"current", "averageValue"}) : nullptr;
        list.push_back(fmt::format("{}/{} (avg)", quantityText(cur), quantityText(avg)));
      } else {
        const json* cur = st ? at(*st, {"current", "value"}) : nullptr;
        list.push_back(fmt::format("{}/{}", quantityText(cur),
                                   quantityText(at(spec, {source, "target", "value"}))));
      }
    } else if (type == "Pods") {
      const json* st = status(i, "pods");
      const json* cur = st ? at(*st, {"current", "averageValue"}) : nullptr;
      list.push_back(fmt::format("{}/{}", quantityText(cur),
                                 quantityText(at(spec, {"pods", "target", "averageValue"}))));
    } else if (type == "Resource" || type == "ContainerResource") {
      const char* source = type == "Resource" ? "resource" : "containerResource";
      std::string name = text(spec, {source, "name"});
      const json* avg = at(spec, {source, "target", "averageValue"});
      const json* st = status(i, source);
      if (avg) {
        const json* cur = st ? at(*st, {"current", "averageValue"}) : nullptr;
        list.push_back(fmt::format("{}: {}/{}", name, quantityText(cur), quantityText(avg)));
      } else {
        const json* u = st ? at(*st, {"current", "averageUtilization"}) : nullptr;
        std::string current =
            u && u->is_number() ? fmt::format("{}%", u->get<int64_t>()) : std::string("<unknown>");
        const json* t = at(spec, {source, "target", "averageUtilization"});
        std::string target =
            t && t->is_number() ? fmt::format("{}%", t->get<int64_t>()) : std::string("<auto>");
        list.push_back(fmt::format("{}: {}/{}", name, current, target));
      }
    } else {
      list.push_back("<unknown type>");
    }
  }
  constexpr size_t kMax = 2;
  if (list.size() > kMax) {
    size_t more = list.size() - kMax;
    list.resize(kMax);
    return fmt::format("{} + {} more...", fmt::join(list, ", "), more);
  }
  return fmt::format("{}", fmt::join(list, ", "));
}

namespace {

std::vector<TableColumn> hpaColumns() {
  return {types::nameColumn(),
          {"Reference", "string", "", "reference to the target resource", 0},
          {"Targets", "string", "", "the current and target metrics", 0},
          {"MinPods", "string", "", "the lower limit for the number of pods", 0},
          {"MaxPods", "integer", "", "the upper limit for the number of pods", 0},
          {"Replicas", "integer", "", "the current number of replicas", 0},
          types::ageColumn()};
}

std::vector<json> hpaRow(const json& hpa, const NowFn& now) {
  const json empty = json::object();
  const json* s = field(hpa, "spec");
  const json& spec = s ? *s : empty;
  const json* ref = field(spec, "scaleTargetRef");
  std::string reference =
      fmt::format("{}/{}", ref ? str(*ref, "kind") : "", ref ? str(*ref, "name") : "");
  auto minReplicas = integer(spec, "minReplicas");
  const json* st = field(hpa, "status");
  int64_t replicas = st ? integer(*st, "currentReplicas").value_or(0) : 0;
  return {types::nameOf(hpa),
          reference,
          hpaTargets(hpa),
          minReplicas ? std::to_string(*minReplicas) : std::string("<unset>"),
          integer(spec, "maxReplicas").value_or(0),
          replicas,
          types::ageOf(hpa, now)};
}

// The v2 form of a v1 object, defaulted as a v2 read of it would be.
json storedForm(const json& v1) {
  json v2 = hpa::toV2(v1);
  hpa::defaultV2(v2);
  return v2;
}

void fillCommon(ResourceType& t) {
  t.group = "autoscaling";
  t.resource = "horizontalpodautoscalers";
  t.kind = "HorizontalPodAutoscaler";
  t.singular = "horizontalpodautoscaler";
  t.namespaced = true;
  t.shortNames = {"hpa"};
  t.categories = {"all"};
  t.subresources = {"status"};
  t.hasGeneration = true;
  t.hasStatus = true;
  t.columns = hpaColumns();
}

const json& referenceSchema() {
  static const json schema = {{"kind", true}, {"name", true}, {"apiVersion", true}};
  return schema;
}

}  // namespace

ResourceType horizontalPodAutoscalerType(NowFn now) {
  ResourceType t;
  fillCommon(t);
  t.version = "v2";
  t.defaults = hpa::defaultV2;
  t.validate = validateV2;
  t.unknownFields = [](const json& object) {
    static const json schema = types::objectSchema({{"spec",
                                                     {{"scaleTargetRef", referenceSchema()},
                                                      {"minReplicas", true},
                                                      {"maxReplicas", true},
                                                      {"metrics", true},
                                                      {"behavior", true}}},
                                                    {"status", true}});
    return types::unknownFieldsBySchema(object, schema);
  };
  t.row = [now = std::move(now)](const json& object) { return hpaRow(object, now); };
  return t;
}

ResourceType horizontalPodAutoscalerV1Type(NowFn now) {
  ResourceType t;
  fillCommon(t);
  t.version = "v1";
  t.defaults = hpa::defaultV1;
  t.validate = [](const json& object, const json* old) {
    json oldV2 = old ? storedForm(*old) : json();
    return validateV2(storedForm(object), old ? &oldV2 : nullptr);
  };
  t.unknownFields = [](const json& object) {
    static const json schema = types::objectSchema({{"spec",
                                                     {{"scaleTargetRef", referenceSchema()},
                                                      {"minReplicas", true},
                                                      {"maxReplicas", true},
                                                      {"targetCPUUtilizationPercentage", true}}},
                                                    {"status", true}});
    return types::unknownFieldsBySchema(object, schema);
  };
  t.row = [now = std::move(now)](const json& object) { return hpaRow(storedForm(object), now); };
  t.toStorage = storedForm;
  t.fromStorage = hpa::toV1;
  return t;
}

}  // namespace berth::apiserver
