// autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscaler conversion and defaults.

#include "apiserver/hpa_conversion.h"

#include <string>

namespace berth::apiserver::hpa {

using nlohmann::json;

namespace {

const json* child(const json& object, std::string_view key) {
  if (!object.is_object()) {
    return nullptr;
  }
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// The CPU Resource metric (spec or status entry), else nullptr.
const json* cpuResource(const json& metric) {
  if (!metric.is_object() || metric.value("type", "") != "Resource") {
    return nullptr;
  }
  const json* resource = child(metric, "resource");
  if (resource == nullptr || !resource->is_object() || resource->value("name", "") != "cpu") {
    return nullptr;
  }
  return resource;
}

// The integer at resource[section][field], if any.
const json* utilization(const json& resource, const char* section) {
  const json* s = child(resource, section);
  const json* u = s ? child(*s, "averageUtilization") : nullptr;
  return u != nullptr && u->is_number_integer() ? u : nullptr;
}

json cpuMetric(const json& target) {
  return {
      {"type", "Resource"},
      {"resource",
       {{"name", "cpu"}, {"target", {{"type", "Utilization"}, {"averageUtilization", target}}}}}};
}

// Takes annotation `key` out of `annotations` and parses it; null when absent or not JSON.
json takeAnnotation(json& annotations, std::string_view key) {
  if (!annotations.is_object()) {
    return nullptr;
  }
  auto it = annotations.find(key);
  if (it == annotations.end()) {
    return nullptr;
  }
  json parsed = it->is_string() ? json::parse(it->get<std::string>(), nullptr, false) : json();
  annotations.erase(it);
  return parsed.is_discarded() ? json() : parsed;
}

void copyField(const json& from, json& to, const char* key) {
  if (const json* v = child(from, key)) {
    to[key] = *v;
  }
}

// Fills the unset fields of scaling rules from `defaults` (copyHPAScalingRules).
json withDefaults(const json* rules, json defaults) {
  if (rules == nullptr || !rules->is_object()) {
    return defaults;
  }
  json out = *rules;
  for (const auto& [key, value] : defaults.items()) {
    if (!out.contains(key) || out[key].is_null()) {
      out[key] = value;
    }
  }
  return out;
}

}  // namespace

json toV1(const json& v2) {
  json out = v2.is_object() ? v2 : json::object();
  out["apiVersion"] = "autoscaling/v1";
  out["kind"] = "HorizontalPodAutoscaler";
  out.erase("spec");
  out.erase("status");
  json annotations = json::object();

  if (const json* spec = child(v2, "spec"); spec && spec->is_object()) {
    json s = json::object();
    copyField(*spec, s, "scaleTargetRef");
    copyField(*spec, s, "minReplicas");
    copyField(*spec, s, "maxReplicas");
    json others = json::array();
    bool cpuSeen = false;
    if (const json* metrics = child(*spec, "metrics"); metrics && metrics->is_array()) {
      for (const auto& metric : *metrics) {
        const json* cpu = cpuResource(metric);
        const json* target = cpu ? utilization(*cpu, "target") : nullptr;
        if (cpu && !cpuSeen) {
          cpuSeen = true;
          if (target) {
            s["targetCPUUtilizationPercentage"] = *target;
          }
        }
        if (target == nullptr) {
          others.push_back(metric);
        }
      }
    }
    if (!others.empty()) {
      annotations[std::string(kMetricsAnnotation)] = others.dump();
    }
    if (const json* behavior = child(*spec, "behavior"); behavior && !behavior->is_null()) {
      annotations[std::string(kBehaviorAnnotation)] = behavior->dump();
    }
    out["spec"] = std::move(s);
  }

  if (const json* status = child(v2, "status"); status && status->is_object()) {
    json s = json::object();
    for (const char* key :
         {"observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas"}) {
      copyField(*status, s, key);
    }
    const json* current = child(*status, "currentMetrics");
    if (current && current->is_array() && !current->empty()) {
      for (const auto& metric : *current) {
        const json* cpu = cpuResource(metric);
        if (const json* u = cpu ? utilization(*cpu, "current") : nullptr) {
          s["currentCPUUtilizationPercentage"] = *u;
        }
      }
      annotations[std::string(kCurrentMetricsAnnotation)] = current->dump();
    }
    const json* conditions = child(*status, "conditions");
    if (conditions && conditions->is_array() && !conditions->empty()) {
      annotations[std::string(kConditionsAnnotation)] = conditions->dump();
    }
    out["status"] = std::move(s);
  }

  if (!annotations.empty()) {
    json& meta = out["metadata"];
    if (!meta.is_object()) {
      meta = json::object();
    }
    json& existing = meta["annotations"];
    if (!existing.is_object()) {
      existing = json::object();
    }
    existing.update(annotations);
  }
  return out;
}

json toV2(const json& v1) {
  json out = v1.is_object() ? v1 : json::object();
  out["apiVersion"] = "autoscaling/v2";
  out["kind"] = "HorizontalPodAutoscaler";
  out.erase("spec");
  out.erase("status");

  json others;
  json behavior;
  json currentMetrics;
  json conditions;
  if (out.contains("metadata") && out["metadata"].is_object() &&
      out["metadata"].contains("annotations")) {
    json& annotations = out["metadata"]["annotations"];
    const bool had = annotations.is_object() && !annotations.empty();
    others = takeAnnotation(annotations, kMetricsAnnotation);
    behavior = takeAnnotation(annotations, kBehaviorAnnotation);
    currentMetrics = takeAnnotation(annotations, kCurrentMetricsAnnotation);
    conditions = takeAnnotation(annotations, kConditionsAnnotation);
    if (had && annotations.empty()) {
      out["metadata"].erase("annotations");
    }
  }

  const json* spec = child(v1, "spec");
  json s = json::object();
  if (spec && spec->is_object()) {
    copyField(*spec, s, "scaleTargetRef");
    copyField(*spec, s, "minReplicas");
    copyField(*spec, s, "maxReplicas");
  }
  json metrics = json::array();
  const json* cpu = spec ? child(*spec, "targetCPUUtilizationPercentage") : nullptr;
  if (cpu && !cpu->is_null()) {
    metrics.push_back(cpuMetric(*cpu));
  }
  if (others.is_array()) {
    for (const auto& metric : others) {
      metrics.push_back(metric);
    }
  }
  if (metrics.empty()) {
    metrics.push_back(cpuMetric(kDefaultCpuUtilization));
  }
  s["metrics"] = std::move(metrics);
  if (behavior.is_object()) {
    s["behavior"] = std::move(behavior);
  }
  if (spec || !s.empty()) {
    out["spec"] = std::move(s);
  }

  if (const json* status = child(v1, "status"); status && status->is_object()) {
    json st = json::object();
    for (const char* key :
         {"observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas"}) {
      copyField(*status, st, key);
    }
    if (currentMetrics.is_array()) {
      st["currentMetrics"] = std::move(currentMetrics);
    } else if (const json* u = child(*status, "currentCPUUtilizationPercentage");
               u && !u->is_null()) {
      st["currentMetrics"] = json::array(
          {{{"type", "Resource"},
            {"resource", {{"name", "cpu"}, {"current", {{"averageUtilization", *u}}}}}}});
    }
    if (conditions.is_array()) {
      st["conditions"] = std::move(conditions);
    }
    out["status"] = std::move(st);
  }
  return out;
}

void defaultV2(json& hpa) {
  if (!hpa.is_object()) {
    return;
  }
  json& spec = hpa["spec"];
  if (!spec.is_object()) {
    spec = json::object();
  }
  if (!spec.contains("minReplicas") || spec["minReplicas"].is_null()) {
    spec["minReplicas"] = 1;
  }
  if (!spec.contains("metrics") || !spec["metrics"].is_array() || spec["metrics"].empty()) {
    spec["metrics"] = json::array({cpuMetric(kDefaultCpuUtilization)});
  }
  if (spec.contains("behavior") && spec["behavior"].is_object()) {
    json& behavior = spec["behavior"];
    static const json kScaleUp = {{"stabilizationWindowSeconds", 0},
                                  {"selectPolicy", "Max"},
                                  {"policies",
                                   {{{"type", "Pods"}, {"value", 4}, {"periodSeconds", 15}},
                                    {{"type", "Percent"}, {"value", 100}, {"periodSeconds", 15}}}}};
    static const json kScaleDown = {
        {"selectPolicy", "Max"},
        {"policies", {{{"type", "Percent"}, {"value", 100}, {"periodSeconds", 15}}}}};
    const json* up = child(behavior, "scaleUp");
    const json* down = child(behavior, "scaleDown");
    json newUp = withDefaults(up, kScaleUp);
    json newDown = withDefaults(down, kScaleDown);
    behavior["scaleUp"] = std::move(newUp);
    behavior["scaleDown"] = std::move(newDown);
  }
}

void defaultV1(json& hpa) {
  if (!hpa.is_object()) {
    return;
  }
  json& spec = hpa["spec"];
  if (!spec.is_object()) {
    spec = json::object();
  }
  if (!spec.contains("minReplicas") || spec["minReplicas"].is_null()) {
    spec["minReplicas"] = 1;
  }
}

}  // namespace berth::apiserver::hpa
