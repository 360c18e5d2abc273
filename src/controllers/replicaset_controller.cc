#include "controllers/replicaset_controller.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/selector.h"
#include "controllers/controller_utils.h"
#include "controllers/replicaset_logic.h"

namespace berth::controllers {

namespace {

using client::Resource;

constexpr const char* kComponent = "replicaset-controller";
constexpr std::chrono::milliseconds kMaxBackoff{1000 * 1000};

std::string keyOf(const json& object) {
  return client::Informer::keyOf(object);
}

// The ReplicaSet with apiVersion and kind set (list items may lack them): events and owner
// references name them.
json withKind(json rs) {
  rs["apiVersion"] = "apps/v1";
  rs["kind"] = "ReplicaSet";
  return rs;
}

int64_t specReplicas(const json& rs) {
  const json spec = rs.value("spec", json::object());
  auto it = spec.find("replicas");
  return it != spec.end() && it->is_number_integer() ? it->get<int64_t>() : 1;
}

Result<api::LabelSelector> selectorOf(const json& rs) {
  const json spec = rs.value("spec", json::object());
  auto it = spec.find("selector");
  // A missing selector selects nothing (validation requires one).
  return api::LabelSelector::fromJson(it == spec.end() ? json() : *it);
}

}  // namespace

ReplicaSetController::ReplicaSetController(client::ApiClient& client, Clock& clock,
                                           InformerFactory& informers, int workers)
    : client_(client),
      clock_(clock),
      workerCount_(std::max(workers, 1)),
      pods_(informers.informer(Resource::pods())),
      replicaSets_(informers.informer(Resource::replicaSets())),
      events_(client, clock, kComponent),
      expectations_(clock) {
  pods_.addHandler({
      .onAdd =
          [this](const json& pod) {
            indexPod(nullptr, &pod);
            onPodAdd(pod);
          },
      .onUpdate =
          [this](const json& o, const json& n) {
            indexPod(&o, &n);
            onPodUpdate(o, n);
          },
      .onDelete =
          [this](const json& pod) {
            indexPod(&pod, nullptr);
            onPodDelete(pod);
          },
  });
  replicaSets_.addHandler({
      .onAdd = [this](const json& rs) { queue_.add(keyOf(rs)); },
      .onUpdate = [this](const json&, const json& rs) { queue_.add(keyOf(rs)); },
      .onDelete =
          [this](const json& rs) {
            expectations_.remove(keyOf(rs));
            queue_.add(keyOf(rs));
          },
  });
}

ReplicaSetController::~ReplicaSetController() {
  stop();
}

void ReplicaSetController::start() {
  if (started_) {
    return;
  }
  started_ = true;
  events_.start();
  for (const auto& rs : replicaSets_.list()) {
    queue_.add(keyOf(rs));
  }
  workers_.start(queue_,
                 {.component = kComponent, .workers = workerCount_, .maxBackoff = kMaxBackoff},
                 [this](const std::string& key) { return sync(key); });
}

void ReplicaSetController::stop() {
  workers_.stop();
  events_.stop();
}

void ReplicaSetController::indexPod(const json* oldPod, const json* newPod) {
  auto slot = [](const json& pod) {
    auto ref = controllerRef(pod);
    return ref ? std::make_pair(true, ref->value("uid", ""))
               : std::make_pair(false, metaString(pod, "namespace"));
  };
  std::lock_guard lock(indexMu_);
  if (oldPod != nullptr) {
    auto [owned, id] = slot(*oldPod);
    auto& index = owned ? byOwner_ : orphans_;
    if (auto it = index.find(id); it != index.end()) {
      it->second.erase(keyOf(*oldPod));
      if (it->second.empty()) {
        index.erase(it);
      }
    }
  }
  if (newPod != nullptr) {
    auto [owned, id] = slot(*newPod);
    (owned ? byOwner_ : orphans_)[id].insert(keyOf(*newPod));
  }
}

std::vector<json> ReplicaSetController::podsFor(const std::set<std::string>& ownerUids,
                                                const std::string& ns, bool withOrphans) const {
  std::vector<std::string> keys;
  {
    std::lock_guard lock(indexMu_);
    for (const auto& uid : ownerUids) {
      if (auto it = byOwner_.find(uid); it != byOwner_.end()) {
        keys.insert(keys.end(), it->second.begin(), it->second.end());
      }
    }
    if (withOrphans) {
      if (auto it = orphans_.find(ns); it != orphans_.end()) {
        keys.insert(keys.end(), it->second.begin(), it->second.end());
      }
    }
  }
  std::vector<json> pods;
  for (const auto& key : keys) {
    if (auto pod = pods_.get(key); pod && metaString(*pod, "namespace") == ns) {
      pods.push_back(std::move(*pod));
    }
  }
  return pods;
}

std::optional<std::string> ReplicaSetController::ownerKey(const json& pod) const {
  auto ref = controllerRef(pod);
  if (!ref || ref->value("kind", "") != "ReplicaSet") {
    return std::nullopt;
  }
  std::string key = metaString(pod, "namespace") + "/" + ref->value("name", "");
  auto rs = replicaSets_.get(key);
  if (!rs || metaString(*rs, "uid") != ref->value("uid", "")) {
    return std::nullopt;
  }
  return key;
}

void ReplicaSetController::enqueueMatching(const json& pod) {
  std::string ns = metaString(pod, "namespace");
  auto labels = labelsOf(pod);
  for (const auto& rs : replicaSets_.list()) {
    if (metaString(rs, "namespace") != ns) {
      continue;
    }
    auto selector = selectorOf(rs);
    if (selector && !selector->empty() && selector->matches(labels)) {
      queue_.add(keyOf(rs));
    }
  }
}

void ReplicaSetController::onPodAdd(const json& pod) {
  if (isDeleting(pod)) {
    onPodDelete(pod);
    return;
  }
  if (controllerRef(pod)) {
    if (auto key = ownerKey(pod)) {
      expectations_.creationObserved(*key);
      queue_.add(*key);
    }
    return;
  }
  enqueueMatching(pod);
}

void ReplicaSetController::onPodUpdate(const json& oldPod, const json& newPod) {
  if (metaString(oldPod, "resourceVersion") == metaString(newPod, "resourceVersion")) {
    return;
  }
  bool labelsChanged = labelsOf(oldPod) != labelsOf(newPod);
  if (isDeleting(newPod)) {
    onPodDelete(newPod);
    if (labelsChanged) {
      onPodDelete(oldPod);
    }
    return;
  }
  auto oldRef = controllerRef(oldPod);
  auto newRef = controllerRef(newPod);
  bool refChanged = oldRef != newRef;
  if (refChanged && oldRef) {
    if (auto key = ownerKey(oldPod)) {
      queue_.add(*key);
    }
  }
  if (newRef) {
    auto key = ownerKey(newPod);
    if (!key) {
      return;
    }
    queue_.add(*key);
    if (!isPodReady(oldPod) && isPodReady(newPod)) {
      if (auto rs = replicaSets_.get(*key)) {
        int64_t minReady = rs->value("spec", json::object()).value("minReadySeconds", int64_t{0});
        if (minReady > 0) {
          queue_.addAfter(*key, std::chrono::seconds(minReady) + std::chrono::seconds(1));
        }
      }
    }
    return;
  }
  if (labelsChanged || refChanged) {
    enqueueMatching(newPod);
  }
}

void ReplicaSetController::onPodDelete(const json& pod) {
  if (auto key = ownerKey(pod)) {
    expectations_.deletionObserved(*key, keyOf(pod));
    queue_.add(*key);
  }
}

Status ReplicaSetController::sync(const std::string& key) {
  auto cached = replicaSets_.get(key);
  if (!cached) {
    expectations_.remove(key);
    return ok();
  }
  json rs = withKind(std::move(*cached));
  bool needsSync = expectations_.satisfied(key);
  auto selector = selectorOf(rs);
  if (!selector) {
    spdlog::warn("{}: '{}': invalid selector: {}", kComponent, key, selector.error().message());
    return ok();  // nothing to retry until the object changes
  }
  std::string ns = metaString(rs, "namespace");
  // Only the pods it controls and the orphans can be its: those of other controllers are
  // never claimed, so they are not even looked at (the index spares a scan of every pod).
  std::vector<json> candidates;
  for (auto& pod : podsFor({metaString(rs, "uid")}, ns, true)) {
    if (isPodActive(pod)) {
      candidates.push_back(std::move(pod));
    }
  }
  BERTH_ASSIGN_OR_RETURN(auto pods, claimPods(rs, candidates));

  int diff = static_cast<int>(pods.size()) - static_cast<int>(specReplicas(rs));
  std::optional<std::string> manageError;
  if (needsSync && !isDeleting(rs)) {
    if (auto s = manageReplicas(rs, pods, diff); !s) {
      manageError = s.error().message();
    }
  }
  auto now = clock_.now();
  json status = calculateReplicaSetStatus(rs, pods, manageError, diff, now);
  BERTH_TRY_STATUS(updateStatus(rs, status));
  int64_t minReady = rs.value("spec", json::object()).value("minReadySeconds", int64_t{0});
  if (!manageError) {
    if (auto wait = nextAvailableIn(pods, minReady, now)) {
      queue_.addAfter(key, *wait);
    }
    return ok();
  }
  return fail(ErrorCode::kUnavailable, "{}", *manageError);
}

Result<std::vector<json>> ReplicaSetController::claimPods(const json& rs,
                                                          const std::vector<json>& candidates) {
  BERTH_ASSIGN_OR_RETURN(auto selector, selectorOf(rs));
  std::string uid = metaString(rs, "uid");
  std::vector<json> claimed;
  std::optional<bool> canAdopt;  // asked once per sync, from a live read
  std::optional<Error> firstError;
  for (const auto& pod : candidates) {
    auto ref = controllerRef(pod);
    bool matches = !selector.empty() && selector.matches(labelsOf(pod));
    if (ref) {
      if (ref->value("uid", "") != uid) {
        continue;  // someone else's
      }
      if (matches) {
        claimed.push_back(pod);
        continue;
      }
      if (isDeleting(rs)) {
        continue;
      }
      if (auto s = release(rs, pod); !s && !firstError) {
        firstError = s.error();
      }
      continue;
    }
    if (!matches || isDeleting(rs) || isDeleting(pod)) {
      continue;
    }
    if (!canAdopt) {
      // The cache may be stale: adopt only for a ReplicaSet that still exists, is the same
      // one, and is not being deleted (RecheckDeletionTimestamp).
      auto live =
          client_.get(Resource::replicaSets(metaString(rs, "namespace")), metaString(rs, "name"));
      if (!live) {
        return fail(std::move(live.error()).wrap("recheck replicaset before adopting"));
      }
      canAdopt = metaString(*live, "uid") == uid && !isDeleting(*live);
    }
    if (!*canAdopt) {
      continue;
    }
    if (auto s = adopt(rs, pod); !s) {
      if (s.error().code() != ErrorCode::kNotFound && !firstError) {
        firstError = s.error();
      }
      continue;
    }
    claimed.push_back(pod);
  }
  if (firstError) {
    return fail(*firstError);
  }
  return claimed;
}

Status ReplicaSetController::adopt(const json& rs, const json& pod) {
  json refs = ownerReferences(pod);
  refs.push_back(newControllerRef(rs, "apps/v1", "ReplicaSet"));
  json patch = {
      {"metadata",
       {{"resourceVersion", metaString(pod, "resourceVersion")}, {"ownerReferences", refs}}}};
  auto r = client_.patch(Resource::pods(metaString(pod, "namespace")), metaString(pod, "name"),
                         client::PatchType::kMerge, patch);
  if (!r) {
    return fail(std::move(r.error()).wrap("adopt pod '" + metaString(pod, "name") + "'"));
  }
  spdlog::info("{}: '{}' adopted pod '{}'", kComponent, keyOf(rs), metaString(pod, "name"));
  return ok();
}

Status ReplicaSetController::release(const json& rs, const json& pod) {
  std::string uid = metaString(rs, "uid");
  json refs = json::array();
  for (const auto& ref : ownerReferences(pod)) {
    if (ref.value("uid", "") != uid) {
      refs.push_back(ref);
    }
  }
  json patch = {{"metadata",
                 {{"resourceVersion", metaString(pod, "resourceVersion")},
                  {"ownerReferences", refs.empty() ? json() : refs}}}};
  auto r = client_.patch(Resource::pods(metaString(pod, "namespace")), metaString(pod, "name"),
                         client::PatchType::kMerge, patch);
  if (!r && r.error().code() != ErrorCode::kNotFound &&
      r.error().code() != ErrorCode::kInvalidArgument) {
    return fail(std::move(r.error()).wrap("release pod '" + metaString(pod, "name") + "'"));
  }
  if (r) {
    spdlog::info("{}: '{}' released pod '{}'", kComponent, keyOf(rs), metaString(pod, "name"));
  }
  return ok();
}

Status ReplicaSetController::manageReplicas(const json& rs, const std::vector<json>& pods,
                                            int diff) {
  std::string key = keyOf(rs);
  std::string ns = metaString(rs, "namespace");
  if (diff < 0) {
    int count = std::min(-diff, kBurstReplicas);
    expectations_.expectCreations(key, count);
    json pod = podFromTemplate(rs);
    auto result = slowStartBatch(count, 1, [&]() -> Status {
      auto created = client_.create(Resource::pods(ns), pod);
      if (!created) {
        events_.record(rs, "Warning", "FailedCreate",
                       "Error creating: " + created.error().message());
        return fail(created.error());
      }
      events_.record(rs, "Normal", "SuccessfulCreate",
                     "Created pod: " + metaString(*created, "name"));
      return ok();
    });
    // What failed or was never tried will not arrive through the informer.
    for (int i = result.successes; i < count; ++i) {
      expectations_.creationObserved(key);
    }
    if (result.firstError) {
      return fail(*result.firstError);
    }
    return ok();
  }
  if (diff > 0) {
    size_t count = static_cast<size_t>(std::min(diff, kBurstReplicas));
    // Pods of the sibling ReplicaSets of the same owner count when ranking nodes.
    std::vector<json> related = pods;
    if (auto owner = controllerRef(rs)) {
      std::set<std::string> siblings;
      for (const auto& other : replicaSets_.list()) {
        auto otherRef = controllerRef(other);
        if (metaString(other, "namespace") == ns && otherRef &&
            otherRef->value("uid", "") == owner->value("uid", "") &&
            metaString(other, "uid") != metaString(rs, "uid")) {
          siblings.insert(metaString(other, "uid"));
        }
      }
      for (auto& pod : podsFor(siblings, ns, false)) {
        related.push_back(std::move(pod));
      }
    }
    auto victims = podsToDelete(pods, related, count, clock_.now());
    std::vector<std::string> victimKeys;
    for (const auto& pod : victims) {
      victimKeys.push_back(keyOf(pod));
    }
    expectations_.expectDeletions(key, victimKeys);
    std::mutex mu;
    std::optional<Error> firstError;
    auto remove = [&](const json& pod) {
      std::string name = metaString(pod, "name");
      client::DeleteOptions options;
      options.preconditionUid = metaString(pod, "uid");
      auto r = client_.remove(Resource::pods(ns), name, options);
      if (r) {
        events_.record(rs, "Normal", "SuccessfulDelete", "Deleted pod: " + name);
        return;
      }
      expectations_.deletionObserved(key, keyOf(pod));
      if (r.error().code() == ErrorCode::kNotFound) {
        return;
      }
      events_.record(rs, "Warning", "FailedDelete", "Error deleting: " + r.error().message());
      std::lock_guard lock(mu);
      if (!firstError) {
        firstError = r.error();
      }
    };
    if (victims.size() == 1) {
      remove(victims[0]);
    } else {
      std::atomic<size_t> next = 0;
      std::vector<std::thread> pool;
      size_t threads = std::min<size_t>(victims.size(), 32);
      for (size_t i = 0; i < threads; ++i) {
        pool.emplace_back([&] {
          for (size_t j = next++; j < victims.size(); j = next++) {
            remove(victims[j]);
          }
        });
      }
      for (auto& t : pool) {
        t.join();
      }
    }
    if (firstError) {
      return fail(*firstError);
    }
  }
  return ok();
}

Status ReplicaSetController::updateStatus(const json& rs, const json& status) {
  // The freshest copy: `rs`, or what a GET returned after a conflict.
  const json* current = &rs;
  json fetched;
  for (int attempt = 0;; ++attempt) {
    if (!replicaSetStatusChanged(current->value("status", json::object()), status)) {
      return ok();
    }
    json next = *current;
    // Keep the fields this controller does not own, from the freshest copy.
    json merged = current->value("status", json::object());
    for (const auto& [k, v] : status.items()) {
      merged[k] = v;
    }
    if (!status.contains("conditions")) {
      merged.erase("conditions");
    }
    next["status"] = merged;
    auto r = client_.update(Resource::replicaSets(metaString(rs, "namespace")), next, "status");
    if (r) {
      return ok();
    }
    if (r.error().code() == ErrorCode::kNotFound) {
      return ok();
    }
    if (r.error().code() != ErrorCode::kConflict || attempt >= 1) {
      return fail(std::move(r.error()).wrap("update status of replicaset '" + keyOf(rs) + "'"));
    }
    auto fresh =
        client_.get(Resource::replicaSets(metaString(rs, "namespace")), metaString(rs, "name"));
    if (!fresh) {
      return fresh.error().code() == ErrorCode::kNotFound
                 ? ok()
                 : fail(std::move(fresh.error()).wrap("get replicaset '" + keyOf(rs) + "'"));
    }
    if (metaString(*fresh, "uid") != metaString(rs, "uid")) {
      return ok();
    }
    fetched = withKind(std::move(*fresh));
    current = &fetched;
  }
}

}  // namespace berth::controllers
