#include "apiserver/instance_pool_view.h"

#include "instances/pod_naming.h"

namespace berth::apiserver {

using nlohmann::json;

namespace {

bool mentions(const api::LabelSelector& selector, const std::string& key) {
  for (const auto& requirement : selector.requirements()) {
    if (requirement.key == key) {
      return true;
    }
  }
  return false;
}

// object[a][b], or null.
const json* member(const json& object, const char* a, const char* b) {
  auto outer = object.find(a);
  if (outer == object.end() || !outer->is_object()) {
    return nullptr;
  }
  auto inner = outer->find(b);
  return inner == outer->end() ? nullptr : &*inner;
}

bool hasInstanceTaint(const json& node) {
  const json* taints = member(node, "spec", "taints");
  if (!taints || !taints->is_array()) {
    return false;
  }
  for (const json& taint : *taints) {
    if (taint.is_object() && taint.value("key", "") == instances::kPoolLabel &&
        taint.value("value", "") == instances::kPoolValue &&
        taint.value("effect", "") == "NoSchedule") {
      return true;
    }
  }
  return false;
}

}  // namespace

InstancePoolView::InstancePoolView(const ResourceType& type, const std::string& namespace_,
                                   const api::LabelSelector& selector) {
  if (!type.group.empty()) {
    return;
  }
  if (type.resource == "nodes" && !mentions(selector, instances::kPoolLabel)) {
    what_ = What::kInstanceNodes;
  } else if (type.resource == "pods" && namespace_.empty() &&
             !mentions(selector, instances::kGroupLabel)) {
    what_ = What::kGroupPods;
  }
}

bool InstancePoolView::hides(const json& object) const {
  switch (what_) {
    case What::kNothing:
      return false;
    case What::kInstanceNodes:
      return hasInstanceTaint(object);
    case What::kGroupPods: {
      const json* labels = member(object, "metadata", "labels");
      return labels && labels->is_object() && labels->contains(instances::kGroupLabel);
    }
  }
  return false;
}

}  // namespace berth::apiserver
