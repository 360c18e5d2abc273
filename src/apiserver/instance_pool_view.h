#pragma once

// Keeps the container-instance machinery out of the orchestrator's ordinary views: what
// `kubectl get nodes` and `kubectl get pods -A` show (Table output). Machines (the scheduler,
// informers, controllers) ask for JSON and keep seeing everything; so does a person who asks
// for it:
//   nodes  a node tainted berth.io/pool=instances:NoSchedule (a dedicated instance node) is
//          left out, unless the labelSelector mentions berth.io/pool. `berth up`'s local node
//          serves both pools untainted and stays.
//   pods   across all namespaces, a pod labelled instances.berth.io/group (a container group,
//          instances/pod_naming.h) is left out, unless the labelSelector mentions that key.
//          A LIST in one namespace shows them all.
// Pure, thread-safe.

#include <nlohmann/json.hpp>
#include <string>

#include "api/selector.h"
#include "apiserver/resource_type.h"

namespace berth::apiserver {

class InstancePoolView {
 public:
  // For a Table LIST of `type` in `namespace_` ("": all namespaces) with `selector`.
  InstancePoolView(const ResourceType& type, const std::string& namespace_,
                   const api::LabelSelector& selector);

  // Whether the view leaves anything out at all.
  bool active() const { return what_ != What::kNothing; }
  // Whether `object` (of the type above) is left out.
  bool hides(const nlohmann::json& object) const;

 private:
  enum class What { kNothing, kInstanceNodes, kGroupPods };
  What what_ = What::kNothing;
};

}  // namespace berth::apiserver
