#include "scheduler/taints.h"

namespace berth::scheduler {

using nlohmann::json;

bool toleratesTaint(const Toleration& toleration, const Taint& taint) {
  if (!toleration.effect.empty() && toleration.effect != taint.effect) {
    return false;
  }
  if (!toleration.key.empty() && toleration.key != taint.key) {
    return false;
  }
  if (toleration.op.empty() || toleration.op == "Equal") {
    return toleration.value == taint.value;
  }
  return toleration.op == "Exists";
}

bool tolerationsTolerateTaint(const std::vector<Toleration>& tolerations, const Taint& taint) {
  for (const auto& t : tolerations) {
    if (toleratesTaint(t, taint)) {
      return true;
    }
  }
  return false;
}

std::optional<Taint> findUntoleratedTaint(const std::vector<Taint>& taints,
                                          const std::vector<Toleration>& tolerations,
                                          const std::function<bool(const Taint&)>& filter) {
  for (const auto& taint : taints) {
    if (filter && !filter(taint)) {
      continue;
    }
    if (!tolerationsTolerateTaint(tolerations, taint)) {
      return taint;
    }
  }
  return std::nullopt;
}

namespace {

std::string str(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::vector<Taint> parseTaints(const json& list) {
  std::vector<Taint> out;
  if (!list.is_array()) {
    return out;
  }
  for (const auto& t : list) {
    if (t.is_object()) {
      out.push_back({str(t, "key"), str(t, "value"), str(t, "effect")});
    }
  }
  return out;
}

std::vector<Toleration> parseTolerations(const json& list) {
  std::vector<Toleration> out;
  if (!list.is_array()) {
    return out;
  }
  for (const auto& t : list) {
    if (t.is_object()) {
      out.push_back({str(t, "key"), str(t, "operator"), str(t, "value"), str(t, "effect")});
    }
  }
  return out;
}

}  // namespace berth::scheduler
