#pragma once

// Node taints and pod tolerations, matched exactly as Kubernetes does
// (v1.Toleration.ToleratesTaint, v1helper.FindMatchingUntoleratedTaint). Pure functions.

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace berth::scheduler {

struct Taint {
  std::string key;
  std::string value;
  std::string effect;  // NoSchedule, PreferNoSchedule, NoExecute

  bool operator==(const Taint&) const = default;
};

struct Toleration {
  std::string key;  // empty with operator Exists: tolerates every taint
  std::string op;   // "Exists", "Equal" or "" (Equal)
  std::string value;
  std::string effect;  // empty: every effect

  bool operator==(const Toleration&) const = default;
};

inline constexpr const char* kEffectNoSchedule = "NoSchedule";
inline constexpr const char* kEffectPreferNoSchedule = "PreferNoSchedule";
inline constexpr const char* kEffectNoExecute = "NoExecute";

// True when `toleration` tolerates `taint`: the effect matches (or the toleration's is empty),
// the key matches (or the toleration's is empty), and for Equal (or "") the values are equal,
// for Exists anything goes; any other operator tolerates nothing.
bool toleratesTaint(const Toleration& toleration, const Taint& taint);
bool tolerationsTolerateTaint(const std::vector<Toleration>& tolerations, const Taint& taint);

// The first taint that passes `filter` and no toleration tolerates, if any.
std::optional<Taint> findUntoleratedTaint(const std::vector<Taint>& taints,
                                          const std::vector<Toleration>& tolerations,
                                          const std::function<bool(const Taint&)>& filter);

// spec.taints of a node, spec.tolerations of a pod (missing fields read as empty).
std::vector<Taint> parseTaints(const nlohmann::json& list);
std::vector<Toleration> parseTolerations(const nlohmann::json& list);

}  // namespace berth::scheduler
