// ValidatePodUpdate's spec rules on JSON: what a pod update may change.

#include <limits>

#include "api/validation_internal.h"
#include "apiserver/pod_strategy.h"
#include "apiserver/type_support.h"

namespace berth::apiserver {

using nlohmann::json;
namespace internal = api::internal;

namespace {

// updatablePodSpecFields joined with ",", as ValidatePodUpdate words the error.
constexpr const char* kPodUpdateMessage =
    "pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
    "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be "
    "set to 1 if it was previously negative)";

// Drops nulls and empty lists, which Go decodes to the same zero values as absent fields.
json normalized(const json& value) {
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [k, v] : value.items()) {
      if (v.is_null() || (v.is_array() && v.empty())) {
        continue;
      }
      out[k] = normalized(v);
    }
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& v : value) {
      out.push_back(normalized(v));
    }
    return out;
  }
  return value;
}

const json& listOf(const json& spec, const char* key) {
  static const json kEmpty = json::array();
  auto it = spec.find(key);
  return it != spec.end() && it->is_array() ? *it : kEmpty;
}

std::optional<int64_t> integer(const json& spec, const char* key) {
  auto it = spec.find(key);
  if (it == spec.end() || !it->is_number()) {
    return std::nullopt;
  }
  return it->get<int64_t>();
}

void setOrErase(json& spec, const char* key, const json& from) {
  auto it = from.find(key);
  if (it == from.end()) {
    spec.erase(key);
  } else {
    spec[key] = *it;
  }
}

// validateOnlyAddedTolerations: every old toleration is still there (tolerationSeconds may
// change).
bool onlyAddedTolerations(const json& next, const json& old) {
  for (const auto& before : listOf(old, "tolerations")) {
    bool found = false;
    for (const auto& now : listOf(next, "tolerations")) {
      json a = normalized(before);
      json b = normalized(now);
      a.erase("tolerationSeconds");
      b.erase("tolerationSeconds");
      if (a == b) {
        found = true;
        break;
      }
    }
    if (!found) {
      return false;
    }
  }
  return true;
}

}  // namespace

void validatePodUpdateRules(const json& pod, const json& old, std::vector<api::FieldError>& out) {
  static const json kEmpty = json::object();
  const json* nextPtr = types::at(pod, {"spec"});
  const json* oldPtr = types::at(old, {"spec"});
  const json& next = nextPtr && nextPtr->is_object() ? *nextPtr : kEmpty;
  const json& before = oldPtr && oldPtr->is_object() ? *oldPtr : kEmpty;

  for (const char* list : {"containers", "initContainers"}) {
    if (listOf(next, list).size() != listOf(before, list).size()) {
      out.push_back(internal::forbidden(std::string("spec.") + list,
                                        "pod updates may not add or remove containers"));
      return;
    }
  }

  auto newDeadline = integer(next, "activeDeadlineSeconds");
  auto oldDeadline = integer(before, "activeDeadlineSeconds");
  if (newDeadline) {
    if (*newDeadline < 0 || *newDeadline > std::numeric_limits<int32_t>::max()) {
      out.push_back(internal::invalid("spec.activeDeadlineSeconds", *newDeadline,
                                      "must be between 0 and 2147483647, inclusive"));
      return;
    }
    if (oldDeadline && *oldDeadline < *newDeadline) {
      out.push_back(internal::invalid("spec.activeDeadlineSeconds", *newDeadline,
                                      "must be less than or equal to previous value"));
      return;
    }
  } else if (oldDeadline) {
    out.push_back(api::FieldError{"spec.activeDeadlineSeconds", "Invalid value", "null",
                                  "must not update from a positive integer to nil value"});
  }

  // The spec with every updatable field taken from the old one must equal the old spec.
  json munged = next;
  for (const char* list : {"containers", "initContainers"}) {
    if (!munged.contains(list) || !munged[list].is_array()) {
      continue;
    }
    const json& oldList = listOf(before, list);
    for (size_t i = 0; i < munged[list].size() && i < oldList.size(); ++i) {
      if (munged[list][i].is_object() && oldList[i].is_object()) {
        setOrErase(munged[list][i], "image", oldList[i]);
      }
    }
  }
  setOrErase(munged, "activeDeadlineSeconds", before);
  setOrErase(munged, "tolerations", before);
  auto oldGrace = integer(before, "terminationGracePeriodSeconds");
  auto newGrace = integer(next, "terminationGracePeriodSeconds");
  if (oldGrace && *oldGrace < 0 && newGrace && *newGrace == 1) {
    munged["terminationGracePeriodSeconds"] = *oldGrace;
  }
  if (normalized(munged) != normalized(before)) {
    out.push_back(internal::forbidden("spec", kPodUpdateMessage));
  }

  if (!onlyAddedTolerations(next, before)) {
    out.push_back(internal::forbidden("spec.tolerations",
                                      "existing toleration can not be modified except its "
                                      "tolerationSeconds"));
  }
}

}  // namespace berth::apiserver
