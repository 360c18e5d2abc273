#include "controllers/hpa_types.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <ctime>

#include "api/quantity.h"

namespace berth::controllers::hpa {
namespace {

constexpr int32_t kDefaultCpuUtilization = 80;

std::string stringAt(const json& object, const char* key) {
  if (!object.is_object()) {
    return "";
  }
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::optional<int64_t> intAt(const json& object, const char* key) {
  if (!object.is_object()) {
    return std::nullopt;
  }
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) {
    return std::nullopt;
  }
  return it->get<int64_t>();
}

const json& objectAt(const json& object, const char* key) {
  static const json kEmpty = json::object();
  if (!object.is_object()) {
    return kEmpty;
  }
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : kEmpty;
}

// A quantity given as a JSON string (or number) in milli-units.
Result<int64_t> quantityMilli(const json& value, std::string_view field) {
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  auto milli = api::parseQuantityMilli(text);
  if (!milli) {
    return fail(std::move(milli.error()).wrap(field));
  }
  return *milli;
}

ScalingRules defaultScaleUp() {
  return {0,
          SelectPolicy::kMax,
          {{ScalingPolicy::Type::kPods, 4, 15}, {ScalingPolicy::Type::kPercent, 100, 15}}};
}

ScalingRules defaultScaleDown(std::chrono::seconds window) {
  return {static_cast<int32_t>(window.count()),
          SelectPolicy::kMax,
          {{ScalingPolicy::Type::kPercent, 100, 15}}};
}

// Fills `rules` from the JSON HPAScalingRules, keeping the defaults for the fields it lacks
// (Kubernetes' copyHPAScalingRules).
void mergeRules(const json& in, ScalingRules& rules) {
  if (auto window = intAt(in, "stabilizationWindowSeconds")) {
    rules.stabilizationWindowSeconds = static_cast<int32_t>(*window);
  }
  std::string select = stringAt(in, "selectPolicy");
  if (select == "Min") {
    rules.selectPolicy = SelectPolicy::kMin;
  } else if (select == "Disabled") {
    rules.selectPolicy = SelectPolicy::kDisabled;
  } else if (select == "Max") {
    rules.selectPolicy = SelectPolicy::kMax;
  }
  auto policies = in.is_object() ? in.find("policies") : in.end();
  if (policies != in.end() && policies->is_array()) {
    rules.policies.clear();
    for (const json& p : *policies) {
      ScalingPolicy policy;
      policy.type = stringAt(p, "type") == "Percent" ? ScalingPolicy::Type::kPercent
                                                     : ScalingPolicy::Type::kPods;
      policy.value = static_cast<int32_t>(intAt(p, "value").value_or(0));
      policy.periodSeconds = static_cast<int32_t>(intAt(p, "periodSeconds").value_or(0));
      rules.policies.push_back(policy);
    }
  }
}

Result<MetricSpec> parseMetric(const json& in, size_t index) {
  MetricSpec metric;
  metric.type = stringAt(in, "type");
  if (metric.type != "Resource" && metric.type != "ContainerResource") {
    return metric;
  }
  const json& source = objectAt(in, metric.type == "Resource" ? "resource" : "containerResource");
  metric.resourceName = stringAt(source, "name");
  const json& target = objectAt(source, "target");
  if (auto it = target.find("averageValue"); it != target.end() && !it->is_null()) {
    BERTH_ASSIGN_OR_RETURN(metric.averageValueMilli,
                           quantityMilli(*it, fmt::format("spec.metrics[{}].resource.target."
                                                          "averageValue",
                                                          index)));
  }
  if (auto utilization = intAt(target, "averageUtilization")) {
    metric.averageUtilization = static_cast<int32_t>(*utilization);
  }
  return metric;
}

}  // namespace

Result<HpaSpec> parseHpaSpec(const json& spec, std::chrono::seconds defaultDownscaleWindow) {
  HpaSpec out;
  const json& ref = objectAt(spec, "scaleTargetRef");
  out.targetApiVersion = stringAt(ref, "apiVersion");
  out.targetKind = stringAt(ref, "kind");
  out.targetName = stringAt(ref, "name");
  if (out.targetName.empty() || out.targetKind.empty()) {
    return fail(ErrorCode::kInvalidArgument, "spec.scaleTargetRef: kind and name are required");
  }
  out.minReplicas = static_cast<int32_t>(intAt(spec, "minReplicas").value_or(1));
  out.maxReplicas = static_cast<int32_t>(intAt(spec, "maxReplicas").value_or(0));
  auto metrics = spec.is_object() ? spec.find("metrics") : spec.end();
  if (metrics != spec.end() && metrics->is_array()) {
    for (size_t i = 0; i < metrics->size(); ++i) {
      BERTH_ASSIGN_OR_RETURN(MetricSpec metric, parseMetric((*metrics)[i], i));
      out.metrics.push_back(std::move(metric));
    }
  }
  if (out.metrics.empty()) {
    out.metrics.push_back({"Resource", "cpu", kDefaultCpuUtilization, std::nullopt});
  }
  auto behavior = spec.is_object() ? spec.find("behavior") : spec.end();
  if (behavior != spec.end() && behavior->is_object()) {
    Behavior b{defaultScaleUp(), defaultScaleDown(defaultDownscaleWindow)};
    mergeRules(objectAt(*behavior, "scaleUp"), b.scaleUp);
    mergeRules(objectAt(*behavior, "scaleDown"), b.scaleDown);
    out.behavior = std::move(b);
  }
  return out;
}

PodSample parsePod(const json& pod) {
  PodSample out;
  const json& meta = objectAt(pod, "metadata");
  out.name = stringAt(meta, "name");
  for (const auto& [k, v] : objectAt(meta, "labels").items()) {
    if (v.is_string()) {
      out.labels[k] = v.get<std::string>();
    }
  }
  out.deleting = meta.contains("deletionTimestamp") && !meta["deletionTimestamp"].is_null();
  const json& status = objectAt(pod, "status");
  out.phase = stringAt(status, "phase");
  if (auto start = parseTime(stringAt(status, "startTime"))) {
    out.startTime = start;
  }
  if (auto conditions = status.find("conditions");
      conditions != status.end() && conditions->is_array()) {
    for (const json& c : *conditions) {
      if (stringAt(c, "type") != "Ready") {
        continue;
      }
      out.ready = stringAt(c, "status") == "True";
      out.readyTransition =
          parseTime(stringAt(c, "lastTransitionTime")).value_or(Clock::WallTime{});
    }
  }
  const json& spec = objectAt(pod, "spec");
  auto addContainers = [&](const char* key, bool restartableOnly) {
    auto list = spec.find(key);
    if (list == spec.end() || !list->is_array()) {
      return;
    }
    for (const json& c : *list) {
      if (restartableOnly && stringAt(c, "restartPolicy") != "Always") {
        continue;
      }
      PodSample::Container container{stringAt(c, "name"), {}};
      for (const auto& [resource, quantity] :
           objectAt(objectAt(c, "resources"), "requests").items()) {
        if (auto milli = quantityMilli(quantity, resource)) {
          container.requestsMilli[resource] = *milli;
        }
      }
      out.containers.push_back(std::move(container));
    }
  };
  addContainers("containers", false);
  addContainers("initContainers", true);
  return out;
}

Result<PodMetricsSample> parsePodMetrics(const json& item) {
  PodMetricsSample out;
  out.name = stringAt(objectAt(item, "metadata"), "name");
  if (out.name.empty()) {
    return fail(ErrorCode::kInvalidArgument, "pod metrics without 'metadata.name'");
  }
  out.timestamp = parseTime(stringAt(item, "timestamp")).value_or(Clock::WallTime{});
  out.window = parseGoDuration(stringAt(item, "window")).value_or(std::chrono::milliseconds(0));
  auto containers = item.find("containers");
  if (containers != item.end() && containers->is_array()) {
    for (const json& c : *containers) {
      PodMetricsSample::Container container{stringAt(c, "name"), {}};
      for (const auto& [resource, quantity] : objectAt(c, "usage").items()) {
        BERTH_ASSIGN_OR_RETURN(container.usageMilli[resource], quantityMilli(quantity, resource));
      }
      out.containers.push_back(std::move(container));
    }
  }
  return out;
}

std::optional<Clock::WallTime> parseTime(std::string_view text) {
  if (text.size() < 20) {
    return std::nullopt;
  }
  std::tm tm{};
  std::string head(text.substr(0, 19));
  const char* end = strptime(head.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr || *end != '\0') {
    return std::nullopt;
  }
  auto t = std::chrono::system_clock::from_time_t(timegm(&tm));
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    size_t digits = 1;
    int64_t nanos = 0;
    int scale = 100000000;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') {
      nanos += (rest[digits] - '0') * static_cast<int64_t>(scale);
      scale /= 10;
      ++digits;
    }
    t += std::chrono::duration_cast<Clock::WallTime::duration>(std::chrono::nanoseconds(nanos));
    rest = rest.substr(digits);
  }
  if (rest == "Z" || rest == "z") {
    return t;
  }
  if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int hours = (rest[1] - '0') * 10 + (rest[2] - '0');
    int minutes = (rest[4] - '0') * 10 + (rest[5] - '0');
    auto offset = std::chrono::hours(hours) + std::chrono::minutes(minutes);
    return rest[0] == '+' ? t - offset : t + offset;
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> parseGoDuration(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  double total = 0;  // milliseconds
  while (!text.empty()) {
    size_t n = 0;
    while (n < text.size() && ((text[n] >= '0' && text[n] <= '9') || text[n] == '.')) {
      ++n;
    }
    if (n == 0) {
      return std::nullopt;
    }
    double value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + n, value);
    if (ec != std::errc() || ptr != text.data() + n) {
      return std::nullopt;
    }
    text.remove_prefix(n);
    size_t u = 0;
    while (u < text.size() && !((text[u] >= '0' && text[u] <= '9') || text[u] == '.')) {
      ++u;
    }
    std::string_view unit = text.substr(0, u);
    text.remove_prefix(u);
    if (unit == "h") {
      total += value * 3600000;
    } else if (unit == "m") {
      total += value * 60000;
    } else if (unit == "s") {
      total += value * 1000;
    } else if (unit == "ms") {
      total += value;
    } else if (unit == "us" || unit == "\xC2\xB5s") {
      total += value / 1000;
    } else if (unit == "ns") {
      total += value / 1000000;
    } else {
      return std::nullopt;
    }
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(total)));
}

std::string milliQuantityString(int64_t milli) {
  std::string text = fmt::format("{}m", milli);
  auto canonical = api::canonicalQuantity(text);
  return canonical ? *canonical : text;
}

}  // namespace berth::controllers::hpa
