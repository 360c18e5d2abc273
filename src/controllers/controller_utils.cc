#include "controllers/controller_utils.h"

#include <ctime>

namespace berth::controllers {

std::optional<Clock::WallTime> parseTimestamp(const json& value) {
  if (!value.is_string()) {
    return std::nullopt;
  }
  return parseRfc3339(value.get_ref<const std::string&>());
}

std::string metaString(const json& object, const char* field) {
  if (!object.is_object()) {
    return "";
  }
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) {
    return "";
  }
  auto it = meta->find(field);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : "";
}

std::map<std::string, std::string> labelsOf(const json& object) {
  std::map<std::string, std::string> labels;
  const json* meta =
      object.is_object() && object.contains("metadata") ? &object["metadata"] : nullptr;
  if (meta == nullptr || !meta->is_object() || !meta->contains("labels") ||
      !(*meta)["labels"].is_object()) {
    return labels;
  }
  for (const auto& [k, v] : (*meta)["labels"].items()) {
    if (v.is_string()) {
      labels[k] = v.get<std::string>();
    }
  }
  return labels;
}

bool isDeleting(const json& object) {
  return object.is_object() && object.contains("metadata") && object["metadata"].is_object() &&
         object["metadata"].contains("deletionTimestamp") &&
         !object["metadata"]["deletionTimestamp"].is_null();
}

bool hasFinalizer(const json& object, const std::string& finalizer) {
  if (!object.is_object() || !object.contains("metadata")) {
    return false;
  }
  const json& meta = object["metadata"];
  if (!meta.is_object() || !meta.contains("finalizers") || !meta["finalizers"].is_array()) {
    return false;
  }
  for (const auto& f : meta["finalizers"]) {
    if (f == finalizer) {
      return true;
    }
  }
  return false;
}

json ownerReferences(const json& object) {
  if (!object.is_object() || !object.contains("metadata")) {
    return json::array();
  }
  const json& meta = object["metadata"];
  if (!meta.is_object() || !meta.contains("ownerReferences") ||
      !meta["ownerReferences"].is_array()) {
    return json::array();
  }
  return meta["ownerReferences"];
}

std::optional<json> controllerRef(const json& object) {
  for (const auto& ref : ownerReferences(object)) {
    if (ref.is_object() && ref.value("controller", false)) {
      return ref;
    }
  }
  return std::nullopt;
}

json newControllerRef(const json& owner, const std::string& apiVersion, const std::string& kind) {
  return {
      {"apiVersion", apiVersion},        {"kind", kind},       {"name", metaString(owner, "name")},
      {"uid", metaString(owner, "uid")}, {"controller", true}, {"blockOwnerDeletion", true}};
}

std::string podPhase(const json& pod) {
  if (!pod.is_object() || !pod.contains("status") || !pod["status"].is_object()) {
    return "";
  }
  return pod["status"].value("phase", "");
}

std::optional<json> podReadyCondition(const json& pod) {
  if (!pod.is_object() || !pod.contains("status") || !pod["status"].is_object()) {
    return std::nullopt;
  }
  const json& status = pod["status"];
  if (!status.contains("conditions") || !status["conditions"].is_array()) {
    return std::nullopt;
  }
  for (const auto& c : status["conditions"]) {
    if (c.is_object() && c.value("type", "") == "Ready") {
      return c;
    }
  }
  return std::nullopt;
}

bool isPodReady(const json& pod) {
  auto c = podReadyCondition(pod);
  return c && c->value("status", "") == "True";
}

bool isPodAvailable(const json& pod, int64_t minReadySeconds, Clock::WallTime now) {
  auto c = podReadyCondition(pod);
  if (!c || c->value("status", "") != "True") {
    return false;
  }
  if (minReadySeconds <= 0) {
    return true;
  }
  auto since = parseTimestamp(c->value("lastTransitionTime", json()));
  return since && *since + std::chrono::seconds(minReadySeconds) <= now;
}

bool isPodActive(const json& pod) {
  std::string phase = podPhase(pod);
  return phase != "Succeeded" && phase != "Failed" && !isDeleting(pod);
}

int64_t maxContainerRestarts(const json& pod) {
  int64_t most = 0;
  if (!pod.is_object() || !pod.contains("status") || !pod["status"].is_object()) {
    return most;
  }
  const json& status = pod["status"];
  if (status.contains("containerStatuses") && status["containerStatuses"].is_array()) {
    for (const auto& cs : status["containerStatuses"]) {
      if (cs.is_object()) {
        most = std::max(most, cs.value("restartCount", int64_t{0}));
      }
    }
  }
  return most;
}

}  // namespace berth::controllers
