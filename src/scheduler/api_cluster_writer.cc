#include "scheduler/api_cluster_writer.h"

#include "base/random.h"

namespace berth::scheduler {

using client::Resource;
using nlohmann::json;

namespace {

constexpr char kComponent[] = "default-scheduler";
constexpr int kStatusAttempts = 5;

}  // namespace

json bindingObject(const PodRef& pod, const std::string& nodeName) {
  json meta = {{"name", pod.name}, {"namespace", pod.namespace_}};
  if (!pod.uid.empty()) {
    meta["uid"] = pod.uid;
  }
  return {{"apiVersion", "v1"},
          {"kind", "Binding"},
          {"metadata", meta},
          {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", nodeName}}}};
}

bool setPodScheduledFalse(json& pod, const std::string& reason, const std::string& message,
                          Clock::WallTime now) {
  json& status = pod["status"];
  if (!status.is_object()) {
    status = json::object();
  }
  json& conditions = status["conditions"];
  if (!conditions.is_array()) {
    conditions = json::array();
  }
  json condition = {{"type", "PodScheduled"},   {"status", "False"},
                    {"reason", reason},         {"message", message},
                    {"lastProbeTime", nullptr}, {"lastTransitionTime", rfc3339(now)}};
  for (auto& c : conditions) {
    if (!c.is_object() || c.value("type", "") != "PodScheduled") {
      continue;
    }
    if (c.value("status", "") == "False") {
      if (c.value("reason", "") == reason && c.value("message", "") == message) {
        return false;
      }
      if (auto t = c.find("lastTransitionTime"); t != c.end() && t->is_string()) {
        condition["lastTransitionTime"] = *t;
      }
    }
    c = condition;
    return true;
  }
  conditions.push_back(condition);
  return true;
}

json schedulerEvent(const PodRef& pod, const std::string& type, const std::string& reason,
                    const std::string& message, const std::string& instance, Clock::WallTime now) {
  std::string time = rfc3339(now);
  return {{"apiVersion", "v1"},
          {"kind", "Event"},
          {"metadata", {{"name", pod.name + "." + randomHex(8)}, {"namespace", pod.namespace_}}},
          {"involvedObject",
           {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"namespace", pod.namespace_},
            {"name", pod.name},
            {"uid", pod.uid}}},
          {"reason", reason},
          {"message", message},
          {"type", type},
          {"action", reason == "Scheduled" ? "Binding" : "Scheduling"},
          {"source", {{"component", kComponent}}},
          {"firstTimestamp", time},
          {"lastTimestamp", time},
          {"count", 1},
          {"reportingComponent", kComponent},
          {"reportingInstance", instance}};
}

ApiClusterWriter::ApiClusterWriter(client::ApiClient& client, Clock& clock, std::string instance)
    : client_(client), clock_(clock), instance_(std::move(instance)) {}

Status ApiClusterWriter::bind(const PodRef& pod, const std::string& nodeName) {
  auto r = client_.createSubresource(Resource::pods(pod.namespace_), pod.name, "binding",
                                     bindingObject(pod, nodeName));
  if (!r) {
    return fail(std::move(r.error()).wrap(
        fmt::format("bind pod '{}/{}' to node '{}'", pod.namespace_, pod.name, nodeName)));
  }
  return ok();
}

Status ApiClusterWriter::setUnschedulable(const PodRef& pod, const std::string& reason,
                                          const std::string& message) {
  Resource pods = Resource::pods(pod.namespace_);
  for (int attempt = 1;; ++attempt) {
    auto current = client_.get(pods, pod.name);
    if (!current) {
      if (current.error().code() == ErrorCode::kNotFound) {
        return ok();
      }
      return fail(std::move(current.error()).wrap("get pod '" + pod.name + "'"));
    }
    if (!pod.uid.empty() && current->value("/metadata/uid"_json_pointer, "") != pod.uid) {
      return ok();  // a new pod of the same name
    }
    if (!setPodScheduledFalse(*current, reason, message, clock_.now())) {
      return ok();
    }
    auto updated = client_.update(pods, *current, "status");
    if (updated) {
      return ok();
    }
    if (updated.error().code() == ErrorCode::kNotFound) {
      return ok();
    }
    if (updated.error().code() != ErrorCode::kConflict || attempt >= kStatusAttempts) {
      return fail(std::move(updated.error()).wrap("update status of pod '" + pod.name + "'"));
    }
  }
}

Status ApiClusterWriter::recordEvent(const PodRef& pod, const std::string& type,
                                     const std::string& reason, const std::string& message) {
  auto r = client_.create(Resource::events(pod.namespace_),
                          schedulerEvent(pod, type, reason, message, instance_, clock_.now()));
  if (!r) {
    return fail(std::move(r.error()).wrap("post event for pod '" + pod.name + "'"));
  }
  return ok();
}

}  // namespace berth::scheduler
