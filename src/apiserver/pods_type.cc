// The Pod resource type: defaults and validation from src/api applied losslessly to the JSON
// object, QoS class on create, field selector attributes.

#include <set>

#include "api/pod_codec.h"
#include "api/quantity.h"
#include "api/validation.h"
#include "apiserver/builtin_types.h"
#include "apiserver/pod_strategy.h"
#include "apiserver/type_support.h"

namespace berth::apiserver {

using nlohmann::json;

namespace {

// Adds to `target` what `source` has and `target` lacks; never overwrites.
void mergeMissing(json& target, const json& source) {
  if (target.is_object() && source.is_object()) {
    for (const auto& [k, v] : source.items()) {
      auto it = target.find(k);
      if (it == target.end() || it->is_null()) {
        target[k] = v;
      } else {
        mergeMissing(*it, v);
      }
    }
  } else if (target.is_array() && source.is_array() && target.size() == source.size()) {
    for (size_t i = 0; i < target.size(); ++i) {
      mergeMissing(target[i], source[i]);
    }
  }
}

// decodePod insists on kind/apiVersion, which a request body may leave to the URL.
Result<api::Pod> decode(const json& object) {
  if (!object.is_object()) {
    return api::decodePod(object);
  }
  json copy = object;
  copy["kind"] = "Pod";
  copy["apiVersion"] = "v1";
  return api::decodePod(copy);
}

// A decode error "spec.x: expected integer, got ..." as a cause naming spec.x.
Cause decodeCause(const std::string& message) {
  auto colon = message.find(": ");
  if (colon == std::string::npos) {
    return Cause{"FieldValueInvalid", message, ""};
  }
  return Cause{"FieldValueInvalid", "Invalid value: " + message.substr(colon + 2),
               message.substr(0, colon)};
}

}  // namespace

void applyPodDefaults(json& pod) {
  auto decoded = decode(pod);
  if (!decoded) {
    return;
  }
  api::setPodDefaults(*decoded);
  json encoded = api::encodePod(*decoded);
  mergeMissing(pod, encoded);
}

std::string podQosClass(const api::Pod& pod) {
  std::map<std::string, int64_t> requests;
  std::map<std::string, int64_t> limits;
  bool guaranteed = true;
  auto add = [](std::map<std::string, int64_t>& sums, const std::string& name,
                const std::string& quantity) {
    auto milli = api::parseQuantityMilli(quantity);
    if (milli && *milli > 0) {
      sums[name] += *milli;
      return true;
    }
    return false;
  };
  std::vector<const api::Container*> all;
  for (const auto& c : pod.spec.containers) {
    all.push_back(&c);
  }
  for (const auto& c : pod.spec.initContainers) {
    all.push_back(&c);
  }
  for (const auto* c : all) {
    for (const auto& [name, q] : c->resources.requests) {
      if (name == "cpu" || name == "memory") {
        add(requests, name, q);
      }
    }
    std::set<std::string> limitsFound;
    for (const auto& [name, q] : c->resources.limits) {
      if ((name == "cpu" || name == "memory") && add(limits, name, q)) {
        limitsFound.insert(name);
      }
    }
    if (limitsFound.size() != 2) {
      guaranteed = false;
    }
  }
  if (requests.empty() && limits.empty()) {
    return "BestEffort";
  }
  if (guaranteed) {
    for (const auto& [name, value] : requests) {
      auto it = limits.find(name);
      if (it == limits.end() || it->second != value) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size() == limits.size() ? "Guaranteed" : "Burstable";
}

void preparePodForCreate(json& pod) {
  if (!pod.is_object()) {
    return;
  }
  json status = {{"phase", "Pending"}};
  auto decoded = decode(pod);
  if (decoded) {
    api::setPodDefaults(*decoded);
    status["qosClass"] = podQosClass(*decoded);
  }
  pod["status"] = std::move(status);
}

std::map<std::string, std::string> podFields(const json& pod) {
  using types::text;
  std::string podIP;
  if (const json* ips = types::at(pod, {"status", "podIPs"}); ips && ips->is_array()) {
    if (!ips->empty()) {
      podIP = text((*ips)[0], {"ip"});
    }
  }
  if (podIP.empty()) {
    podIP = text(pod, {"status", "podIP"});
  }
  return {
      {"spec.nodeName", text(pod, {"spec", "nodeName"})},
      {"spec.restartPolicy", text(pod, {"spec", "restartPolicy"})},
      {"spec.schedulerName", text(pod, {"spec", "schedulerName"})},
      {"spec.serviceAccountName", text(pod, {"spec", "serviceAccountName"})},
      {"spec.hostNetwork", types::flag(pod, {"spec", "hostNetwork"}) ? "true" : "false"},
      {"status.phase", text(pod, {"status", "phase"})},
      {"status.podIP", podIP},
      {"status.nominatedNodeName", text(pod, {"status", "nominatedNodeName"})},
  };
}

std::vector<Cause> validatePodObject(const json& pod, const json* old) {
  auto decoded = decode(pod);
  if (!decoded) {
    return {decodeCause(decoded.error().message())};
  }
  types::Errors errors;
  if (old) {
    types::validateObjectMetaUpdate(pod, *old, errors);
  }
  for (auto& e : api::validatePod(*decoded)) {
    errors.push_back(std::move(e));
  }
  if (old) {
    validatePodUpdateRules(pod, *old, errors);
  }
  return types::toCauses(errors);
}

ResourceType podType(NowFn now) {
  ResourceType t;
  t.group = "";
  t.version = "v1";
  t.resource = "pods";
  t.kind = "Pod";
  t.singular = "pod";
  t.namespaced = true;
  t.shortNames = {"po"};
  t.categories = {"all"};
  t.subresources = {"status", "binding", "log", "exec", "eviction"};
  t.hasStatus = true;
  t.defaults = applyPodDefaults;
  t.validate = validatePodObject;
  t.unknownFields = [](const json& pod) { return api::unknownPodFields(pod); };
  t.prepareForCreate = preparePodForCreate;
  t.columns = podColumns();
  t.row = [now = std::move(now)](const json& pod) { return podRow(pod, currentTime(now)); };
  t.fields = podFields;
  return t;
}

}  // namespace berth::apiserver
