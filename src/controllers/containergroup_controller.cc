#include "controllers/containergroup_controller.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "controllers/containergroup_logic.h"
#include "controllers/controller_utils.h"
#include "instances/meter_record.h"
#include "instances/pod_naming.h"

namespace berth::controllers {

namespace {

using client::Resource;

constexpr const char* kComponent = "containergroup-controller";
constexpr std::chrono::milliseconds kMaxBackoff{1000 * 1000};

std::string keyOf(const json& object) {
  return client::Informer::keyOf(object);
}

// The object with apiVersion and kind set (list items may lack them): events and owner
// references name them.
json withKind(json object) {
  object["apiVersion"] = kContainerGroupApiVersion;
  object["kind"] = kContainerGroupKind;
  return object;
}

// "ns/name" of the pod an event is about; "" for events about anything else.
std::string involvedPodKey(const json& event) {
  const json involved = event.value("involvedObject", json::object());
  if (involved.value("kind", "") != "Pod") {
    return "";
  }
  return involved.value("namespace", "") + "/" + involved.value("name", "");
}

}  // namespace

ContainerGroupController::ContainerGroupController(client::ApiClient& client, Clock& clock,
                                                   InformerFactory& informers, int workers)
    : client_(client),
      clock_(clock),
      workerCount_(std::max(workers, 1)),
      groups_(informers.informer(containerGroups())),
      pods_(informers.informer(Resource::pods())),
      events_(informers.informer(Resource::events())),
      recorder_(client, clock, kComponent),
      meter_(client) {
  groups_.addHandler({
      .onAdd = [this](const json& g) { queue_.add(keyOf(g)); },
      .onUpdate = [this](const json&, const json& g) { queue_.add(keyOf(g)); },
      .onDelete = [this](const json& g) { queue_.add(keyOf(g)); },
  });
  pods_.addHandler({
      .onAdd = [this](const json& pod) { onPod(pod); },
      .onUpdate =
          [this](const json& o, const json& n) {
            if (metaString(o, "resourceVersion") != metaString(n, "resourceVersion")) {
              onPod(n);
            }
          },
      .onDelete = [this](const json& pod) { onPod(pod); },
  });
  events_.addHandler({
      .onAdd = [this](const json& e) { indexEvent(nullptr, &e); },
      .onUpdate = [this](const json& o, const json& n) { indexEvent(&o, &n); },
      .onDelete = [this](const json& e) { indexEvent(&e, nullptr); },
  });
}

ContainerGroupController::~ContainerGroupController() {
  stop();
}

void ContainerGroupController::start() {
  if (started_) {
    return;
  }
  started_ = true;
  recorder_.start();
  for (const auto& g : groups_.list()) {
    queue_.add(keyOf(g));
  }
  // Groups deleted while no controller ran still have an open interval: their syncs close it.
  if (auto open = meter_.groupsWithOpenRecords()) {
    for (const auto& key : *open) {
      queue_.add(key);
    }
  } else {
    spdlog::warn("{}: list open meter records: {}", kComponent, open.error().message());
  }
  workers_.start(queue_,
                 {.component = kComponent, .workers = workerCount_, .maxBackoff = kMaxBackoff},
                 [this](const std::string& key) { return sync(key); });
}

void ContainerGroupController::stop() {
  workers_.stop();
  recorder_.stop();
}

void ContainerGroupController::onPod(const json& pod) {
  // The pod of a group has the group's name in the group's namespace.
  if (labelsOf(pod).contains(instances::kGroupLabel)) {
    queue_.add(keyOf(pod));
  }
}

void ContainerGroupController::indexEvent(const json* oldEvent, const json* newEvent) {
  std::string podKey;
  {
    std::lock_guard lock(eventsMu_);
    if (oldEvent != nullptr) {
      std::string key = involvedPodKey(*oldEvent);
      if (auto it = eventsByPod_.find(key); !key.empty() && it != eventsByPod_.end()) {
        it->second.erase(keyOf(*oldEvent));
        if (it->second.empty()) {
          eventsByPod_.erase(it);
        }
      }
      podKey = key;
    }
    if (newEvent != nullptr) {
      std::string key = involvedPodKey(*newEvent);
      if (!key.empty()) {
        eventsByPod_[key].insert(keyOf(*newEvent));
      }
      podKey = key;
    }
  }
  if (!podKey.empty() && groups_.get(podKey)) {
    queue_.add(podKey);
  }
}

std::vector<instances::PodEvent> ContainerGroupController::podEvents(
    const std::string& podKey, const std::string& podUid) const {
  std::vector<std::string> keys;
  {
    std::lock_guard lock(eventsMu_);
    if (auto it = eventsByPod_.find(podKey); it != eventsByPod_.end()) {
      keys.assign(it->second.begin(), it->second.end());
    }
  }
  std::vector<instances::PodEvent> out;
  for (const auto& key : keys) {
    auto event = events_.get(key);
    if (!event) {
      continue;
    }
    // An earlier pod of the same name (before a restart) had other events.
    std::string uid = event->value("involvedObject", json::object()).value("uid", "");
    if (!uid.empty() && uid != podUid) {
      continue;
    }
    out.push_back(instances::podEventFromJson(*event));
  }
  std::ranges::stable_sort(out, [](const instances::PodEvent& a, const instances::PodEvent& b) {
    return std::tie(a.firstTimestamp, a.lastTimestamp, a.reason) <
           std::tie(b.firstTimestamp, b.lastTimestamp, b.reason);
  });
  return out;
}

Status ContainerGroupController::sync(const std::string& key) {
  auto cached = groups_.get(key);
  if (!cached) {
    return closeIfGone(key);  // the garbage collector deletes its pod
  }
  json object = withKind(std::move(*cached));
  std::string ns = metaString(object, "namespace");
  auto group = readGroupObject(object);
  if (!group) {
    return markFailed(object, group.error().message());
  }
  auto desired = desiredPod(object, *group);
  if (!desired) {
    return markFailed(object, desired.error().message());
  }
  std::optional<json> pod = pods_.get(key);
  if (!isDeleting(object)) {
    PodDecision decision = decidePod(object, *group, *desired, pod);
    if (decision.action == PodAction::kCreate) {
      // Billing starts with the image pull, which the pod's creation starts.
      BERTH_ASSIGN_OR_RETURN(bool metered,
                             meter_.ensureOpen(object, *group, toMillis(clock_.now())));
      if (!metered) {
        return ok();  // stale: the group is stopped or gone; its change brings the key back
      }
      auto created = client_.create(Resource::pods(ns), *desired);
      if (!created && created.error().code() != ErrorCode::kAlreadyExists) {
        recorder_.record(object, "Warning", "FailedCreate",
                         "Error creating: " + created.error().message());
        // No pod, no bill: the interval opened for it ends now; the retry opens another.
        if (auto closed = meter_.closeOpen(ns, metaString(object, "name"), toMillis(clock_.now()),
                                           instances::kMeterEndCreateFailed);
            !closed) {
          spdlog::warn("{}: '{}': {}", kComponent, key, closed.error().message());
        }
        return fail(std::move(created.error()).wrap("create pod '" + key + "'"));
      }
      if (created) {
        recorder_.record(object, "Normal", "SuccessfulCreate",
                         "Created pod: " + metaString(*created, "name"));
        spdlog::info("{}: '{}': created pod", kComponent, key);
        pod = std::move(*created);
      }
      // kAlreadyExists: the cache is behind; the pod's add event brings the key back.
    } else if (decision.action == PodAction::kDelete) {
      client::DeleteOptions options;
      options.preconditionUid = metaString(*pod, "uid");
      auto removed = client_.remove(Resource::pods(ns), metaString(*pod, "name"), options);
      if (!removed && removed.error().code() != ErrorCode::kNotFound &&
          removed.error().code() != ErrorCode::kConflict) {
        recorder_.record(object, "Warning", "FailedDelete",
                         "Error deleting: " + removed.error().message());
        return fail(std::move(removed.error()).wrap("delete pod '" + key + "'"));
      }
      if (removed) {
        recorder_.record(object, "Normal", "SuccessfulDelete",
                         "Deleted pod: " + metaString(*pod, "name") + " (" + decision.reason + ")");
        spdlog::info("{}: '{}': deleted pod ({})", kComponent, key, decision.reason);
      }
      pod.reset();
    }
  }
  if (!isCurrentPod(object, *group, *desired, pod)) {
    pod.reset();
  }
  if (!isDeleting(object)) {
    BERTH_TRY_STATUS(meter(object, *group, pod));
  }
  std::vector<instances::PodEvent> events;
  if (pod) {
    events = podEvents(key, metaString(*pod, "uid"));
  }
  auto now = clock_.now();
  json status = groupStatus(object, *group, pod, events, now);
  BERTH_TRY_STATUS(writeStatus(object, status));
  if (pod) {
    if (auto deadline = provisioningDeadline(status, *pod); deadline && *deadline > now) {
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - now);
      queue_.addAfter(key, wait + std::chrono::seconds(1));
    }
  }
  return ok();
}

Status ContainerGroupController::meter(const json& object, const GroupObject& group,
                                       const std::optional<json>& pod) {
  std::string ns = metaString(object, "namespace");
  std::string name = metaString(object, "name");
  auto now = toMillis(clock_.now());
  if (!group.running) {
    return meter_.closeOpen(ns, name, now, instances::kMeterEndStopped);
  }
  if (!pod) {
    return ok();  // being replaced, or not made yet: the interval stays as it is
  }
  if (podFinished(*pod)) {
    return meter_.closeOpen(ns, name, podFinishedAt(*pod).value_or(now),
                            instances::kMeterEndFinished);
  }
  // A running pod without an interval (made before metering existed): bill it from now.
  auto metered = meter_.ensureOpen(object, group, now);
  if (!metered) {
    return fail(std::move(metered.error()));
  }
  return ok();
}

Status ContainerGroupController::closeIfGone(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) {
    return ok();
  }
  std::string ns = key.substr(0, slash);
  std::string name = key.substr(slash + 1);
  BERTH_ASSIGN_OR_RETURN(auto open, meter_.openRecords(ns, name));
  if (open.empty()) {
    return ok();
  }
  // The cache may be behind a group just made: ask the server.
  auto current = client_.get(containerGroups(ns), name);
  if (current) {
    return ok();
  }
  if (current.error().code() != ErrorCode::kNotFound) {
    return fail(std::move(current.error()).wrap("read containergroup '" + key + "'"));
  }
  return meter_.closeOpen(ns, name, toMillis(clock_.now()), instances::kMeterEndDeleted);
}

Status ContainerGroupController::markFailed(const json& object, const std::string& message) {
  spdlog::warn("{}: '{}': {}", kComponent, keyOf(object), message);
  json status = object.value("status", json::object());
  status["provisioningState"] = "Failed";
  status["message"] = message;
  status["observedGeneration"] = object.value("metadata", json::object()).value("generation", 0);
  // Nothing to retry until the object changes.
  return writeStatus(object, status);
}

Status ContainerGroupController::writeStatus(const json& object, const json& status) {
  if (object.value("status", json::object()) == status) {
    return ok();
  }
  json next = object;
  next["status"] = status;
  auto r = client_.update(containerGroups(metaString(object, "namespace")), next, "status");
  // kConflict: the object changed (a new spec, or the cache was behind this controller's own
  // last write); the change's event brings the key back, to be synced from the newer object.
  if (r || r.error().code() == ErrorCode::kNotFound || r.error().code() == ErrorCode::kConflict) {
    return ok();
  }
  return fail(std::move(r.error()).wrap("update status of containergroup '" + keyOf(object) + "'"));
}

}  // namespace berth::controllers
