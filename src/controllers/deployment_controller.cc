#include "controllers/deployment_controller.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/selector.h"
#include "controllers/controller_utils.h"
#include "controllers/deployment_util.h"

namespace berth::controllers {

namespace {

using client::Resource;
namespace dep = deployment;

constexpr const char* kComponent = "deployment-controller";
constexpr std::chrono::milliseconds kMaxBackoff{1000 * 1000};

std::string keyOf(const json& object) {
  return client::Informer::keyOf(object);
}

json withKind(json object, const char* kind) {
  object["apiVersion"] = "apps/v1";
  object["kind"] = kind;
  return object;
}

Result<api::LabelSelector> selectorOf(const json& d) {
  const json spec = d.value("spec", json::object());
  auto it = spec.find("selector");
  return api::LabelSelector::fromJson(it == spec.end() ? json() : *it);
}

bool ownedBy(const json& object, const std::string& uid) {
  auto ref = controllerRef(object);
  return ref && ref->value("uid", "") == uid;
}

}  // namespace

DeploymentController::DeploymentController(client::ApiClient& client, InformerFactory& informers,
                                           Clock& clock, DeploymentControllerOptions options)
    : client_(client),
      clock_(clock),
      options_(options),
      deployments_(informers.informer(Resource::deployments())),
      replicaSets_(informers.informer(Resource::replicaSets())),
      pods_(informers.informer(Resource::pods())),
      events_(client, clock, kComponent) {
  options_.workers = std::max(options_.workers, 1);
  deployments_.addHandler({
      .onAdd = [this](const json& d) { enqueue(d); },
      .onUpdate = [this](const json&, const json& d) { enqueue(d); },
      .onDelete = [this](const json& d) { enqueue(d); },
  });
  replicaSets_.addHandler({
      .onAdd = [this](const json& rs) { onReplicaSetAdd(rs); },
      .onUpdate = [this](const json& o, const json& n) { onReplicaSetUpdate(o, n); },
      .onDelete = [this](const json& rs) { onReplicaSetDelete(rs); },
  });
  pods_.addHandler({
      .onAdd = [this](const json& pod) { onPodChange(pod); },
      .onUpdate = [this](const json&, const json& pod) { onPodChange(pod); },
      .onDelete = [this](const json& pod) { onPodChange(pod); },
  });
}

DeploymentController::~DeploymentController() {
  stop();
}

void DeploymentController::start() {
  if (started_) {
    return;
  }
  started_ = true;
  events_.start();
  for (const auto& d : deployments_.list()) {
    enqueue(d);
  }
  workers_.start(queue_,
                 {.component = kComponent, .workers = options_.workers, .maxBackoff = kMaxBackoff},
                 [this](const std::string& key) { return sync(key); });
}

void DeploymentController::stop() {
  workers_.stop();
  events_.stop();
}

void DeploymentController::enqueue(const json& deployment) {
  queue_.add(keyOf(deployment));
}

std::optional<json> DeploymentController::ownerOf(const json& rs) const {
  auto ref = controllerRef(rs);
  if (!ref || ref->value("kind", "") != "Deployment") {
    return std::nullopt;
  }
  auto d = deployments_.get(metaString(rs, "namespace") + "/" + ref->value("name", ""));
  if (!d || metaString(*d, "uid") != ref->value("uid", "")) {
    return std::nullopt;
  }
  return d;
}

void DeploymentController::enqueueMatching(const json& rs) {
  std::string ns = metaString(rs, "namespace");
  auto labels = labelsOf(rs);
  for (const auto& d : deployments_.list()) {
    if (metaString(d, "namespace") != ns) {
      continue;
    }
    auto selector = selectorOf(d);
    if (selector && !selector->empty() && selector->matches(labels)) {
      enqueue(d);
    }
  }
}

void DeploymentController::onReplicaSetAdd(const json& rs) {
  if (controllerRef(rs)) {
    if (auto d = ownerOf(rs)) {
      enqueue(*d);
    }
    return;
  }
  enqueueMatching(rs);  // an orphan: someone may adopt it
}

void DeploymentController::onReplicaSetUpdate(const json& oldRs, const json& newRs) {
  auto oldRef = controllerRef(oldRs);
  auto newRef = controllerRef(newRs);
  if (oldRef && (!newRef || oldRef->value("uid", "") != newRef->value("uid", ""))) {
    if (auto d = ownerOf(oldRs)) {
      enqueue(*d);
    }
  }
  if (newRef) {
    if (auto d = ownerOf(newRs)) {
      enqueue(*d);
    }
    return;
  }
  if (labelsOf(oldRs) != labelsOf(newRs) || oldRef) {
    enqueueMatching(newRs);
  }
}

void DeploymentController::onReplicaSetDelete(const json& rs) {
  if (auto d = ownerOf(rs)) {
    enqueue(*d);
  }
}

void DeploymentController::onPodChange(const json& pod) {
  auto ref = controllerRef(pod);
  if (!ref || ref->value("kind", "") != "ReplicaSet") {
    return;
  }
  auto rs = replicaSets_.get(metaString(pod, "namespace") + "/" + ref->value("name", ""));
  if (!rs || metaString(*rs, "uid") != ref->value("uid", "")) {
    return;
  }
  auto d = ownerOf(*rs);
  // Only Recreate (waits for old pods) and automatic rollback (watches new pods) read pods.
  if (d && (!dep::isRollingUpdate(*d) || dep::autoRollbackEnabled(*d))) {
    enqueue(*d);
  }
}

Result<std::vector<json>> DeploymentController::claimReplicaSets(const json& d) {
  BERTH_ASSIGN_OR_RETURN(auto selector, selectorOf(d));
  std::string ns = metaString(d, "namespace");
  std::string uid = metaString(d, "uid");
  Resource resource = Resource::replicaSets(ns);
  std::optional<bool> canAdopt;  // a live GET, once per sync, before the first adoption
  std::vector<json> owned;
  for (auto& rs : replicaSets_.list()) {
    if (metaString(rs, "namespace") != ns) {
      continue;
    }
    rs = withKind(std::move(rs), "ReplicaSet");
    auto ref = controllerRef(rs);
    bool matches = selector.matches(labelsOf(rs));
    std::string name = metaString(rs, "name");
    if (ref) {
      if (ref->value("uid", "") != uid) {
        continue;
      }
      if (matches) {
        owned.push_back(std::move(rs));
        continue;
      }
      if (isDeleting(d)) {
        continue;
      }
      json refs = json::array();
      for (const auto& r : ownerReferences(rs)) {
        if (r.value("uid", "") != uid) {
          refs.push_back(r);
        }
      }
      json patch = {
          {"metadata",
           {{"ownerReferences", refs}, {"resourceVersion", metaString(rs, "resourceVersion")}}}};
      auto r = client_.patch(resource, name, client::PatchType::kMerge, patch);
      if (!r && r.error().code() != ErrorCode::kNotFound) {
        return fail(std::move(r.error()).wrap("release replica set '" + name + "'"));
      }
      continue;
    }
    if (isDeleting(d) || !matches || isDeleting(rs)) {
      continue;
    }
    if (!canAdopt) {
      auto fresh = client_.get(Resource::deployments(ns), metaString(d, "name"));
      canAdopt = fresh && metaString(*fresh, "uid") == uid && !isDeleting(*fresh);
    }
    if (!*canAdopt) {
      continue;
    }
    json refs = ownerReferences(rs);
    refs.push_back(newControllerRef(d, "apps/v1", "Deployment"));
    json patch = {
        {"metadata",
         {{"ownerReferences", refs}, {"resourceVersion", metaString(rs, "resourceVersion")}}}};
    auto r = client_.patch(resource, name, client::PatchType::kMerge, patch);
    if (!r) {
      if (r.error().code() == ErrorCode::kNotFound) {
        continue;
      }
      return fail(std::move(r.error()).wrap("adopt replica set '" + name + "'"));
    }
    spdlog::info("{}: '{}' adopted replica set '{}'", kComponent, keyOf(d), name);
    owned.push_back(withKind(std::move(*r), "ReplicaSet"));
  }
  return owned;
}

std::map<std::string, std::vector<json>> DeploymentController::podsByReplicaSet(
    const json& d, const std::vector<json>& owned) const {
  std::map<std::string, std::vector<json>> byRs;
  if (dep::isRollingUpdate(d) && !dep::autoRollbackEnabled(d)) {
    return byRs;  // nobody looks at them
  }
  for (const auto& rs : owned) {
    byRs[metaString(rs, "uid")];
  }
  std::string ns = metaString(d, "namespace");
  for (auto& pod : pods_.list()) {
    if (metaString(pod, "namespace") != ns) {
      continue;
    }
    auto ref = controllerRef(pod);
    if (!ref) {
      continue;
    }
    auto it = byRs.find(ref->value("uid", ""));
    if (it != byRs.end()) {
      it->second.push_back(std::move(pod));
    }
  }
  return byRs;
}

Status DeploymentController::sync(const std::string& key) {
  auto cached = deployments_.get(key);
  if (!cached) {
    return ok();  // deleted: its ReplicaSets go with the garbage collector
  }
  json d = withKind(std::move(*cached), "Deployment");
  BERTH_ASSIGN_OR_RETURN(auto owned, claimReplicaSets(d));
  dep::SyncInput input{.deployment = d,
                       .replicaSets = std::move(owned),
                       .podsByReplicaSet = {},
                       .now = clock_.now()};
  input.podsByReplicaSet = podsByReplicaSet(d, input.replicaSets);

  auto check = dep::checkAutoRollback(input, options_.autoRollback);
  if (check.decision) {
    return rollBack(d, *check.decision);
  }
  dep::SyncPlan plan = dep::planSync(input);
  if (check.recheckAfter) {
    plan.requeueAfter =
        plan.requeueAfter ? std::min(*plan.requeueAfter, *check.recheckAfter) : check.recheckAfter;
  }
  return execute(key, d, std::move(plan));
}

Status DeploymentController::createReplicaSet(const json& d, const json& rs) {
  std::string ns = metaString(d, "namespace");
  std::string name = metaString(rs, "name");
  auto created = client_.create(Resource::replicaSets(ns), rs);
  if (created) {
    return ok();
  }
  if (created.error().code() == ErrorCode::kAlreadyExists) {
    // A slow cache, or a hash collision with a ReplicaSet of another template.
    auto existing = client_.get(Resource::replicaSets(ns), name);
    if (existing && ownedBy(*existing, metaString(d, "uid")) &&
        dep::equalIgnoreHash(d["spec"].value("template", json()),
                             existing->value("spec", json::object()).value("template", json()))) {
      return fail(ErrorCode::kConflict, "replica set '{}' exists, cache not synced yet", name);
    }
    json status = d.value("status", json::object());
    status["collisionCount"] = status.value("collisionCount", 0) + 1;
    BERTH_TRY_STATUS(writeStatus(d, status));
    return fail(ErrorCode::kConflict, "hash collision for replica set '{}'", name);
  }
  std::string message =
      fmt::format("Failed to create new replica set \"{}\": {}", name, created.error().message());
  if (dep::progressDeadline(d)) {
    json status = d.value("status", json::object());
    dep::setCondition(status, dep::newCondition(dep::kConditionProgressing, "False",
                                                dep::kReasonFailedRSCreate, message, clock_.now()));
    (void)writeStatus(d, status);
  }
  events_.record(d, "Warning", dep::kReasonFailedRSCreate, message);
  return fail(std::move(created.error()).wrap("create replica set '" + name + "'"));
}

Status DeploymentController::execute(const std::string& key, const json& d, dep::SyncPlan plan) {
  std::string ns = metaString(d, "namespace");
  Resource resource = Resource::replicaSets(ns);
  for (const auto& event : plan.events) {
    events_.record(d, event.type, event.reason, event.message);
  }
  for (auto& write : plan.writes) {
    std::string name = metaString(write.object, "name");
    switch (write.kind) {
      case dep::ReplicaSetWrite::Kind::kCreate:
        BERTH_TRY_STATUS(createReplicaSet(d, write.object));
        break;
      case dep::ReplicaSetWrite::Kind::kUpdate: {
        auto r = client_.update(resource, write.object);
        if (!r) {
          return fail(std::move(r.error()).wrap("update replica set '" + name + "'"));
        }
        break;
      }
      case dep::ReplicaSetWrite::Kind::kDelete: {
        client::DeleteOptions options;
        options.preconditionUid = metaString(write.object, "uid");
        auto r = client_.remove(resource, name, options);
        if (!r && r.error().code() != ErrorCode::kNotFound) {
          return fail(std::move(r.error()).wrap("delete replica set '" + name + "'"));
        }
        break;
      }
    }
    if (write.event) {
      events_.record(d, write.event->type, write.event->reason, write.event->message);
    }
  }
  if (plan.status || plan.revision) {
    // The revision annotation goes with the status, through the status subresource, as
    // Kubernetes does: an annotation change on the main resource would bump the generation.
    BERTH_TRY_STATUS(writeStatus(d, plan.status ? *plan.status : d.value("status", json::object()),
                                 plan.revision));
  }
  if (plan.requeueAfter) {
    queue_.addAfter(key, *plan.requeueAfter);
  }
  return ok();
}

Status DeploymentController::writeStatus(const json& d, const json& status,
                                         const std::optional<std::string>& revision) {
  // With the resourceVersion the sync read: a status computed from a stale cache (e.g. right
  // after this controller's own write) is refused with a conflict and the key retried, instead
  // of overwriting a newer status.
  json metadata = {{"name", metaString(d, "name")},
                   {"namespace", metaString(d, "namespace")},
                   {"resourceVersion", metaString(d, "resourceVersion")}};
  if (revision) {
    json annotations = d["metadata"].value("annotations", json::object());
    annotations[dep::kRevisionAnnotation] = *revision;
    metadata["annotations"] = std::move(annotations);
  }
  json object = {{"apiVersion", "apps/v1"},
                 {"kind", "Deployment"},
                 {"metadata", metadata},
                 {"status", status}};
  auto r = client_.update(Resource::deployments(metaString(d, "namespace")), object, "status");
  if (!r && r.error().code() != ErrorCode::kNotFound) {
    return fail(std::move(r.error()).wrap("update status of deployment"));
  }
  return ok();
}

Status DeploymentController::rollBack(const json& d, const dep::RollbackDecision& decision) {
  std::string ns = metaString(d, "namespace");
  // Optimistic: the update carries the resourceVersion the decision was made on.
  auto updated = client_.update(Resource::deployments(ns), decision.deployment);
  if (!updated) {
    return fail(std::move(updated.error()).wrap("roll back deployment"));
  }
  spdlog::warn("{}: '{}' {}", kComponent, keyOf(d), decision.message);
  events_.record(d, "Warning", "RolledBack", decision.message);
  json status = d.value("status", json::object());
  auto now = clock_.now();
  if (decision.reason == dep::kReasonTimedOut) {
    dep::setCondition(status,
                      dep::newCondition(dep::kConditionProgressing, "False", dep::kReasonTimedOut,
                                        fmt::format("ReplicaSet of revision {} has timed out "
                                                    "progressing.",
                                                    decision.failedRevision),
                                        now));
  }
  // Each rollback is news: replace the condition even when the reason repeats.
  dep::removeCondition(status, dep::kConditionRolledBack);
  dep::setCondition(status, dep::newCondition(dep::kConditionRolledBack, "True", decision.reason,
                                              decision.message, now));
  // On the object the update returned: its resourceVersion is the current one.
  return writeStatus(*updated, status);
}

}  // namespace berth::controllers
