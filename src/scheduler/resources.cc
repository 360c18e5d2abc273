#include "scheduler/resources.h"

#include <algorithm>

#include "api/quantity.h"

namespace berth::scheduler {

using nlohmann::json;

void Resources::add(const Resources& other) {
  milliCpu += other.milliCpu;
  memory += other.memory;
  ephemeralStorage += other.ephemeralStorage;
  allowedPods += other.allowedPods;
  for (const auto& [name, value] : other.scalar) {
    scalar[name] += value;
  }
}

void Resources::subtract(const Resources& other) {
  milliCpu -= other.milliCpu;
  memory -= other.memory;
  ephemeralStorage -= other.ephemeralStorage;
  allowedPods -= other.allowedPods;
  for (const auto& [name, value] : other.scalar) {
    scalar[name] -= value;
  }
}

void Resources::setMax(const Resources& other) {
  milliCpu = std::max(milliCpu, other.milliCpu);
  memory = std::max(memory, other.memory);
  ephemeralStorage = std::max(ephemeralStorage, other.ephemeralStorage);
  allowedPods = std::max(allowedPods, other.allowedPods);
  for (const auto& [name, value] : other.scalar) {
    auto& mine = scalar[name];
    mine = std::max(mine, value);
  }
}

bool Resources::isZero() const {
  if (milliCpu != 0 || memory != 0 || ephemeralStorage != 0 || allowedPods != 0) {
    return false;
  }
  return std::ranges::all_of(scalar, [](const auto& kv) { return kv.second == 0; });
}

bool isScalarResourceName(const std::string& name) {
  if (name == "cpu" || name == "memory" || name == "ephemeral-storage" || name == "pods" ||
      name == "storage") {
    return false;
  }
  return name.find('/') != std::string::npos || name.starts_with("hugepages-") ||
         name.starts_with("attachable-volumes-");
}

namespace {

std::string quantityText(const json& value) {
  if (value.is_string()) {
    return value.get<std::string>();
  }
  if (value.is_number()) {
    return value.dump();
  }
  return "";
}

void addQuantity(Resources& out, const std::string& name, const json& value) {
  std::string text = quantityText(value);
  if (text.empty()) {
    return;
  }
  if (name == "cpu") {
    if (auto v = api::parseQuantityMilli(text)) {
      out.milliCpu += *v;
    }
    return;
  }
  auto v = api::parseQuantity(text);
  if (!v) {
    return;
  }
  if (name == "memory") {
    out.memory += *v;
  } else if (name == "ephemeral-storage") {
    out.ephemeralStorage += *v;
  } else if (name == "pods") {
    out.allowedPods += *v;
  } else if (isScalarResourceName(name)) {
    out.scalar[name] += *v;
  }
}

// A container's requests: limits stand in for missing requests (SetDefaults_Pod).
Resources containerRequests(const json& container, bool nonZero) {
  json merged = json::object();
  if (auto res = container.find("resources"); res != container.end() && res->is_object()) {
    if (auto limits = res->find("limits"); limits != res->end() && limits->is_object()) {
      merged = *limits;
    }
    if (auto requests = res->find("requests"); requests != res->end() && requests->is_object()) {
      for (const auto& [name, value] : requests->items()) {
        merged[name] = value;
      }
    }
  }
  Resources out;
  for (const auto& [name, value] : merged.items()) {
    addQuantity(out, name, value);
  }
  if (nonZero) {
    if (!merged.contains("cpu")) {
      out.milliCpu = kDefaultMilliCpuRequest;
    }
    if (!merged.contains("memory")) {
      out.memory = kDefaultMemoryRequest;
    }
  }
  return out;
}

const json& arrayAt(const json& spec, const char* key) {
  static const json kEmpty = json::array();
  auto it = spec.find(key);
  return it != spec.end() && it->is_array() ? *it : kEmpty;
}

}  // namespace

Resources parseResourceList(const json& list) {
  Resources out;
  if (!list.is_object()) {
    return out;
  }
  for (const auto& [name, value] : list.items()) {
    addQuantity(out, name, value);
  }
  return out;
}

Resources podRequests(const json& pod, bool nonZero) {
  static const json kEmpty = json::object();
  auto specIt = pod.find("spec");
  const json& spec = specIt != pod.end() && specIt->is_object() ? *specIt : kEmpty;

  Resources reqs;
  for (const auto& c : arrayAt(spec, "containers")) {
    reqs.add(containerRequests(c, nonZero));
  }
  Resources restartable;  // cumulative requests of sidecar init containers
  Resources initMax;
  for (const auto& c : arrayAt(spec, "initContainers")) {
    Resources r = containerRequests(c, nonZero);
    if (c.value("restartPolicy", "") == "Always") {
      reqs.add(r);
      restartable.add(r);
      initMax.setMax(restartable);
    } else {
      r.add(restartable);
      initMax.setMax(r);
    }
  }
  reqs.setMax(initMax);
  if (auto overhead = spec.find("overhead"); overhead != spec.end()) {
    reqs.add(parseResourceList(*overhead));
  }
  return reqs;
}

}  // namespace berth::scheduler
