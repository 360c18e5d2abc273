#include "instances/pod_to_status.h"

#include <cstdio>

namespace berth::instances {
namespace {

// "2026-11-29T03:57:25Z" (fractions allowed, UTC only); nullopt if malformed.
std::optional<std::chrono::system_clock::time_point> parseTime(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6) {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo),
                                  std::chrono::day(d)};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  return std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
         std::chrono::seconds(s);
}

ContainerState toState(const api::ContainerState& s) {
  ContainerState out;
  if (s.running) {
    out.state = "Running";
    out.startTime = s.running->startedAt;
  } else if (s.terminated) {
    out.state = "Terminated";
    out.startTime = s.terminated->startedAt;
    out.finishTime = s.terminated->finishedAt;
    out.exitCode = s.terminated->exitCode;
    out.detailStatus = s.terminated->reason;
  } else {
    out.state = "Waiting";
    if (s.waiting) {
      out.detailStatus = s.waiting->reason;
      if (!s.waiting->message.empty()) {
        out.detailStatus += ": " + s.waiting->message;
      }
    }
  }
  return out;
}

bool isSet(const api::ContainerState& s) {
  return s.running || s.terminated || s.waiting;
}

bool hasStarted(const api::ContainerStatus& s) {
  return s.state.running || s.state.terminated || s.lastState.running || s.lastState.terminated ||
         s.restartCount > 0;
}

bool cannotStart(const api::ContainerStatus& s) {
  if (!s.state.waiting) {
    return false;
  }
  const std::string& r = s.state.waiting->reason;
  return r == "InvalidImageName" || r == "ErrImageNeverPull" || r == "CreateContainerConfigError";
}

Event toEvent(const PodEvent& e) {
  return Event{e.count, e.firstTimestamp, e.lastTimestamp, e.reason, e.message, e.type};
}

// "spec.containers{web}" / "spec.initContainers{init}" -> "web" / "init"; "" otherwise.
std::string containerOf(const std::string& fieldPath) {
  size_t open = fieldPath.find('{');
  if (open == std::string::npos || fieldPath.back() != '}') {
    return "";
  }
  std::string prefix = fieldPath.substr(0, open);
  if (prefix != "spec.containers" && prefix != "spec.initContainers") {
    return "";
  }
  return fieldPath.substr(open + 1, fieldPath.size() - open - 2);
}

std::string provisioningState(const api::Pod& pod, std::chrono::system_clock::time_point now) {
  const api::PodStatus& st = pod.status;
  bool anyStarted = false;
  bool allStarted =
      !st.containerStatuses.empty() && st.containerStatuses.size() >= pod.spec.containers.size();
  for (const auto* list : {&st.initContainerStatuses, &st.containerStatuses}) {
    for (const api::ContainerStatus& s : *list) {
      if (cannotStart(s)) {
        return "Failed";
      }
      anyStarted = anyStarted || hasStarted(s);
    }
  }
  for (const api::ContainerStatus& s : st.containerStatuses) {
    allStarted = allStarted && hasStarted(s);
  }
  if (st.phase == "Failed") {
    return anyStarted ? "Succeeded" : "Failed";
  }
  if (st.phase == "Running" || st.phase == "Succeeded" || allStarted) {
    return "Succeeded";
  }
  auto created = parseTime(pod.metadata.creationTimestamp);
  if (created && now - *created >= kProvisioningTimeout) {
    return "Failed";
  }
  return pod.spec.nodeName.empty() ? "Pending" : "Creating";
}

}  // namespace

PodEvent podEventFromJson(const nlohmann::json& event) {
  PodEvent out;
  auto str = [&](const nlohmann::json& obj, const char* key) -> std::string {
    if (obj.is_object()) {
      auto it = obj.find(key);
      if (it != obj.end() && it->is_string()) {
        return it->get<std::string>();
      }
    }
    return "";
  };
  if (auto it = event.find("involvedObject"); it != event.end()) {
    out.fieldPath = str(*it, "fieldPath");
  }
  out.reason = str(event, "reason");
  out.message = str(event, "message");
  out.type = str(event, "type");
  if (auto it = event.find("count"); it != event.end() && it->is_number_integer()) {
    out.count = std::max<int64_t>(1, it->get<int64_t>());
  }
  std::string eventTime = str(event, "eventTime");
  out.firstTimestamp = str(event, "firstTimestamp");
  out.lastTimestamp = str(event, "lastTimestamp");
  if (out.firstTimestamp.empty()) {
    out.firstTimestamp = eventTime;
  }
  if (out.lastTimestamp.empty()) {
    out.lastTimestamp = out.firstTimestamp;
  }
  return out;
}

GroupStatus statusFromPod(const api::Pod& pod, const std::vector<PodEvent>& events,
                          std::chrono::system_clock::time_point now) {
  GroupStatus out;
  out.podIP = pod.status.podIP;
  out.hostIP = pod.status.hostIP;
  const std::string& phase = pod.status.phase;
  out.instanceView.state =
      (phase == "Running" || phase == "Succeeded" || phase == "Failed") ? phase : "Pending";
  for (const auto* specs : {&pod.spec.initContainers, &pod.spec.containers}) {
    for (const api::Container& c : *specs) {
      out.containers[c.name] = ContainerInstanceView{};
    }
  }
  for (const auto* list : {&pod.status.initContainerStatuses, &pod.status.containerStatuses}) {
    for (const api::ContainerStatus& s : *list) {
      ContainerInstanceView& view = out.containers[s.name];
      view.restartCount = s.restartCount;
      if (isSet(s.state)) {
        view.currentState = toState(s.state);
      }
      if (isSet(s.lastState)) {
        view.previousState = toState(s.lastState);
      }
    }
  }
  for (const PodEvent& e : events) {
    std::string container = containerOf(e.fieldPath);
    auto it = out.containers.find(container);
    if (!container.empty() && it != out.containers.end()) {
      it->second.events.push_back(toEvent(e));
    } else {
      out.instanceView.events.push_back(toEvent(e));
    }
  }
  out.provisioningState = provisioningState(pod, now);
  return out;
}

void applyStatus(ContainerGroup& group, const GroupStatus& status) {
  ContainerGroupProperties& p = group.properties;
  p.provisioningState = status.provisioningState;
  p.instanceView = status.instanceView;
  auto viewOf = [&](const std::string& name) -> std::optional<ContainerInstanceView> {
    auto it = status.containers.find(name);
    return it == status.containers.end() ? std::nullopt : std::optional(it->second);
  };
  for (Container& c : p.containers) {
    c.instanceView = viewOf(c.name);
  }
  for (InitContainer& c : p.initContainers) {
    c.instanceView = viewOf(c.name);
  }
  if (p.ipAddress) {
    p.ipAddress->ip = p.ipAddress->type == "Public" ? status.hostIP : status.podIP;
  }
}

}  // namespace berth::instances
