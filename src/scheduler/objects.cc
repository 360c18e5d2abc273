#include "scheduler/objects.h"

namespace berth::scheduler {

using nlohmann::json;

namespace {

const json& child(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) {
    return kNull;
  }
  auto it = object.find(key);
  return it != object.end() ? *it : kNull;
}

std::string str(const json& object, const char* key) {
  const json& v = child(object, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::map<std::string, std::string> strMap(const json& object) {
  std::map<std::string, std::string> out;
  if (object.is_object()) {
    for (const auto& [k, v] : object.items()) {
      if (v.is_string()) {
        out[k] = v.get<std::string>();
      }
    }
  }
  return out;
}

void parseNodeAffinity(const json& nodeAffinity, PodInfo& info) {
  const json& required = child(nodeAffinity, "requiredDuringSchedulingIgnoredDuringExecution");
  if (required.is_object()) {
    std::vector<NodeSelectorTerm> terms;
    const json& list = child(required, "nodeSelectorTerms");
    if (list.is_array()) {
      for (const auto& t : list) {
        terms.push_back(parseNodeSelectorTerm(t));
      }
    }
    info.requiredNodeAffinity = std::move(terms);
  }
  const json& preferred = child(nodeAffinity, "preferredDuringSchedulingIgnoredDuringExecution");
  if (preferred.is_array()) {
    for (const auto& p : preferred) {
      const json& w = child(p, "weight");
      PreferredSchedulingTerm term;
      term.weight = w.is_number_integer() ? w.get<int64_t>() : 0;
      term.preference = parseNodeSelectorTerm(child(p, "preference"));
      info.preferredNodeAffinity.push_back(std::move(term));
    }
  }
}

}  // namespace

std::string podKey(const json& pod) {
  const json& meta = child(pod, "metadata");
  return str(meta, "namespace") + "/" + str(meta, "name");
}

PodInfoPtr parsePod(const json& pod) {
  auto info = std::make_shared<PodInfo>();
  const json& meta = child(pod, "metadata");
  const json& spec = child(pod, "spec");
  const json& status = child(pod, "status");
  info->namespace_ = str(meta, "namespace");
  info->name = str(meta, "name");
  info->uid = str(meta, "uid");
  info->key = info->namespace_ + "/" + info->name;
  info->creationTimestamp = str(meta, "creationTimestamp");
  info->deleting = !child(meta, "deletionTimestamp").is_null();
  info->nodeName = str(spec, "nodeName");
  info->schedulerName = str(spec, "schedulerName");
  if (info->schedulerName.empty()) {
    info->schedulerName = "default-scheduler";
  }
  if (const json& p = child(spec, "priority"); p.is_number_integer()) {
    info->priority = p.get<int32_t>();
  }
  info->preemptionPolicy = str(spec, "preemptionPolicy");
  info->phase = str(status, "phase");
  info->requests = podRequests(pod, false);
  info->nonZeroRequests = podRequests(pod, true);
  info->tolerations = parseTolerations(child(spec, "tolerations"));
  info->nodeSelector = strMap(child(spec, "nodeSelector"));
  parseNodeAffinity(child(child(spec, "affinity"), "nodeAffinity"), *info);
  if (const json& conds = child(status, "conditions"); conds.is_array()) {
    for (const auto& c : conds) {
      if (str(c, "type") == "PodScheduled") {
        info->scheduledConditionStatus = str(c, "status");
        info->scheduledConditionMessage = str(c, "message");
      }
    }
  }
  info->object = std::make_shared<const json>(pod);
  return info;
}

NodeSpecPtr parseNode(const json& node) {
  auto spec = std::make_shared<NodeSpec>();
  const json& meta = child(node, "metadata");
  const json& nodeSpec = child(node, "spec");
  spec->name = str(meta, "name");
  spec->labels = strMap(child(meta, "labels"));
  spec->taints = parseTaints(child(nodeSpec, "taints"));
  const json& unsched = child(nodeSpec, "unschedulable");
  spec->unschedulable = unsched.is_boolean() && unsched.get<bool>();
  spec->allocatable = parseResourceList(child(child(node, "status"), "allocatable"));
  spec->object = std::make_shared<const json>(node);
  return spec;
}

}  // namespace berth::scheduler
