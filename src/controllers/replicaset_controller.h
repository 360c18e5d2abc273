#pragma once

// The ReplicaSet controller (Kubernetes' pkg/controller/replicaset): keeps spec.replicas active
// pods matching each ReplicaSet's selector and controlled by it.
//
// A sync of "ns/name":
//   - claims pods: adopts orphans (no controller ref) matching the selector, by patching an
//     ownerReference in, after a live GET of the ReplicaSet confirms it (same uid, not
//     deleting); releases owned pods that no longer match by patching the reference out;
//   - when its expectations are satisfied and it is not being deleted: creates missing pods
//     from spec.template in slow-start batches (1, 2, 4, ...; at most 500 a sync) or deletes
//     the surplus, best candidates first (replicaset_logic.h), with events SuccessfulCreate /
//     FailedCreate / SuccessfulDelete / FailedDelete from "replicaset-controller";
//   - writes the status (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas,
//     observedGeneration, the ReplicaFailure condition) through the status subresource when it
//     changed, and requeues when a ready pod is about to become available (minReadySeconds).
//
// Pods being deleted, Succeeded and Failed pods are not active. A failed sync is retried with
// back-off (5 ms doubling to 1000 s per key, as client-go's default rate limiter).
//
// Thread safety: the handlers run on the informers' threads, syncs on `workers` threads; a key
// is synced by one worker at a time (client::WorkQueue).

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "client/api_client.h"
#include "client/work_queue.h"
#include "controllers/controller.h"
#include "controllers/event_recorder.h"
#include "controllers/expectations.h"
#include "controllers/informer_factory.h"
#include "controllers/sync_workers.h"

namespace berth::controllers {

using nlohmann::json;

class ReplicaSetController final : public Controller {
 public:
  // Registers its handlers on the pods and replicasets informers of `informers`.
  ReplicaSetController(client::ApiClient& client, Clock& clock, InformerFactory& informers,
                       int workers);
  ~ReplicaSetController() override;  // stops

  std::string name() const override { return "replicaset"; }
  void start() override;
  void stop() override;

  // One sync of "ns/name" (tests call it directly). kNotFound is not an error: the ReplicaSet
  // is gone.
  Status sync(const std::string& key);

  const Expectations& expectations() const { return expectations_; }

 private:
  // Keeps byOwner_ and orphans_ in step with the pod cache.
  void indexPod(const json* oldPod, const json* newPod);
  // The cached pods of namespace `ns` controlled by one of `ownerUids`, and the orphans.
  std::vector<json> podsFor(const std::set<std::string>& ownerUids, const std::string& ns,
                            bool withOrphans) const;
  void onPodAdd(const json& pod);
  void onPodUpdate(const json& oldPod, const json& newPod);
  void onPodDelete(const json& pod);
  // The key of the ReplicaSet named by `pod`'s controller ref, if it is one cached with the
  // same uid.
  std::optional<std::string> ownerKey(const json& pod) const;
  // Enqueues every cached ReplicaSet of the pod's namespace whose selector matches it.
  void enqueueMatching(const json& pod);

  // Adopts and releases; returns the active pods the ReplicaSet controls.
  Result<std::vector<json>> claimPods(const json& rs, const std::vector<json>& candidates);
  Status adopt(const json& rs, const json& pod);
  Status release(const json& rs, const json& pod);
  Status manageReplicas(const json& rs, const std::vector<json>& pods, int diff);
  Status updateStatus(const json& rs, const json& status);

  client::ApiClient& client_;
  Clock& clock_;
  int workerCount_;
  client::Informer& pods_;
  client::Informer& replicaSets_;
  EventRecorder events_;
  Expectations expectations_;
  client::WorkQueue queue_;
  mutable std::mutex indexMu_;
  std::map<std::string, std::set<std::string>> byOwner_;  // controller uid -> pod keys
  std::map<std::string, std::set<std::string>> orphans_;  // namespace -> pod keys
  SyncWorkers workers_;
  bool started_ = false;
};

}  // namespace berth::controllers
