#pragma once

// Resource amounts as the scheduler counts them (framework.Resource in kube-scheduler): CPU in
// millicores, memory and ephemeral storage in bytes, the number of pods a node allows, and any
// other "scalar" resource (extended resources such as "example.com/gpu", hugepages-*) by name.
// Pure values; thread-compatible.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace berth::scheduler {

struct Resources {
  int64_t milliCpu = 0;
  int64_t memory = 0;
  int64_t ephemeralStorage = 0;
  int64_t allowedPods = 0;  // only meaningful for a node's allocatable ("pods")
  std::map<std::string, int64_t> scalar;

  void add(const Resources& other);
  void subtract(const Resources& other);
  // Each dimension becomes the larger of this and `other`.
  void setMax(const Resources& other);
  bool isZero() const;

  bool operator==(const Resources&) const = default;
};

// Whether `name` counts as a scalar resource (extended, hugepages-*, attachable-volumes-*,
// or a prefixed native one). cpu, memory, ephemeral-storage, pods and storage are not.
bool isScalarResourceName(const std::string& name);

// Reads a ResourceList (an object of name -> quantity, as in status.allocatable or
// resources.requests). cpu is read in millicores, everything else as a whole number rounded
// up; "pods" goes to allowedPods. Quantities that do not parse are ignored (the API server
// validated them).
Resources parseResourceList(const nlohmann::json& list);

// The requests of a pod as kube-scheduler computes them (resource.PodRequests): the sum over
// containers, then the maximum with each init container (restartable "sidecar" init
// containers add to the sum and to every later init container), plus spec.overhead. A
// container's limit stands in for a missing request, as API defaulting does.
// With `nonZero`, a container with no cpu request counts 100m and one with no memory request
// 200Mi (the defaults used for scoring, GetNonzeroRequests).
Resources podRequests(const nlohmann::json& pod, bool nonZero);

inline constexpr int64_t kDefaultMilliCpuRequest = 100;
inline constexpr int64_t kDefaultMemoryRequest = int64_t{200} * 1024 * 1024;

}  // namespace berth::scheduler
