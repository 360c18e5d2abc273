#include "agent/hollow_nodes.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "agent/node_lease.h"
#include "agent/node_registration.h"

namespace berth::agent {

using nlohmann::json;

namespace {

json condition(const char* type, const std::string& now) {
  return {
      {"type", type}, {"status", "True"}, {"lastProbeTime", nullptr}, {"lastTransitionTime", now}};
}

// A pod the hollow nodes must act on: bound to one of them, and either being deleted or not yet
// reported running.
bool needsWork(const json& pod, const std::set<std::string>& names) {
  const json* spec = pod.contains("spec") ? &pod["spec"] : nullptr;
  if (!spec || !spec->contains("nodeName") ||
      !names.contains((*spec)["nodeName"].get<std::string>())) {
    return false;
  }
  if (pod["metadata"].contains("deletionTimestamp")) {
    return true;
  }
  return pod.value("/status/phase"_json_pointer, std::string()) != "Running";
}

}  // namespace

json hollowPodStatus(const json& pod, const std::string& now, const std::string& hostIP,
                     const std::string& podIP) {
  json statuses = json::array();
  const json& spec = pod["spec"];
  const std::string uid = pod["metadata"].value("uid", "");
  for (const auto& c : spec.value("containers", json::array())) {
    std::string name = c.value("name", "");
    statuses.push_back({{"name", name},
                        {"image", c.value("image", "")},
                        {"imageID", ""},
                        {"containerID", fmt::format("hollow://{}/{}", uid, name)},
                        {"ready", true},
                        {"started", true},
                        {"restartCount", 0},
                        {"state", {{"running", {{"startedAt", now}}}}}});
  }
  return {{"phase", "Running"},
          {"conditions",
           json::array({condition("PodReadyToStartContainers", now), condition("Initialized", now),
                        condition("Ready", now), condition("ContainersReady", now),
                        condition("PodScheduled", now)})},
          {"hostIP", hostIP},
          {"hostIPs", json::array({{{"ip", hostIP}}})},
          {"podIP", podIP},
          {"podIPs", json::array({{{"ip", podIP}}})},
          {"startTime", now},
          {"qosClass", "BestEffort"},
          {"containerStatuses", std::move(statuses)}};
}

HollowNodes::HollowNodes(client::ApiClient& client, HollowNodesOptions options, const Clock& clock)
    : client_(client), options_(std::move(options)), clock_(clock) {
  for (int i = 0; i < options_.count; i++) {
    names_.insert(options_.namePrefix + std::to_string(i));
  }
}

HollowNodes::~HollowNodes() {
  stop();
}

void HollowNodes::start() {
  if (started_) {
    return;
  }
  started_ = true;
  int i = 0;
  for (const auto& name : names_) {
    NodeInputs in;
    in.nodeName = name;
    in.cpuCores = options_.cpuCores;
    in.memoryKi = options_.memoryKi;
    in.internalIP = fmt::format("10.255.{}.{}", i / 250, i % 250 + 1);
    in.hostname = name;
    in.osImage = "hollow";
    in.containerRuntimeVersion = "hollow://0";
    hostIPs_[name] = in.internalIP;
    i++;
    registrations_.push_back(std::make_unique<NodeRegistration>(
        client_, in, NodeRegistrationOptions{.statusPeriod = options_.statusPeriod}, clock_));
    leases_.push_back(std::make_unique<NodeLease>(
        client_, NodeLeaseOptions{.nodeName = name, .renewPeriod = options_.leasePeriod}, clock_));
    registrations_.back()->start();
    leases_.back()->start();
  }
  pods_ = std::make_unique<client::Informer>(client_, client::Resource::pods());
  auto enqueue = [this](const json& pod) {
    if (needsWork(pod, names_)) {
      queue_.add(client::Informer::keyOf(pod));
    }
  };
  pods_->addHandler({.onAdd = enqueue,
                     .onUpdate = [enqueue](const json&, const json& pod) { enqueue(pod); },
                     .onDelete = nullptr});
  pods_->start();
  for (int w = 0; w < options_.workers; w++) {
    workers_.emplace_back([this] { work(); });
  }
}

void HollowNodes::stop() {
  if (!started_) {
    return;
  }
  queue_.shutDown();
  for (auto& t : workers_) {
    t.join();
  }
  workers_.clear();
  if (pods_) {
    pods_->stop();
  }
  for (auto& l : leases_) {
    l->stop();
  }
  for (auto& r : registrations_) {
    r->stop();
  }
}

void HollowNodes::work() {
  while (auto key = queue_.get()) {
    sync(*key);
    queue_.done(*key);
  }
}

void HollowNodes::sync(const std::string& key) {
  auto pod = pods_->get(key);
  if (!pod || !needsWork(*pod, names_)) {
    return;
  }
  const json& meta = (*pod)["metadata"];
  std::string ns = meta.value("namespace", "");
  std::string name = meta.value("name", "");
  client::Resource pods = client::Resource::pods(ns);
  if (meta.contains("deletionTimestamp")) {
    // Nothing to stop: the pod is gone as soon as the API server lets it go.
    auto r = client_.remove(pods, name,
                            {.gracePeriodSeconds = 0, .preconditionUid = meta.value("uid", "")});
    if (r || r.error().code() == ErrorCode::kNotFound || r.error().code() == ErrorCode::kConflict) {
      writes_++;
    } else {
      queue_.addAfter(key, std::chrono::seconds(1));
    }
    return;
  }
  std::string now = rfc3339(clock_.now());
  uint32_t n = ++nextIp_;
  std::string podIP = fmt::format("10.{}.{}.{}", 128 + (n >> 16) % 64, (n >> 8) & 255, n & 255);
  std::string hostIP = hostIPs_.at((*pod)["spec"]["nodeName"].get<std::string>());
  json body = {{"apiVersion", "v1"},
               {"kind", "Pod"},
               {"metadata",
                {{"name", name},
                 {"namespace", ns},
                 {"uid", meta.value("uid", "")},
                 {"resourceVersion", meta.value("resourceVersion", "")}}},
               {"status", hollowPodStatus(*pod, now, hostIP, podIP)}};
  auto r = client_.update(pods, body, "status");
  if (r) {
    writes_++;
  } else if (r.error().code() == ErrorCode::kConflict) {
    // A newer version is on its way through the informer, which enqueues it again.
  } else if (r.error().code() != ErrorCode::kNotFound) {
    spdlog::warn("hollow node: status of pod {}: {}", key, r.error().message());
    queue_.addAfter(key, std::chrono::seconds(1));
  }
}

}  // namespace berth::agent
