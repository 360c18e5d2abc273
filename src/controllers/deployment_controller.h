#pragma once

// The Deployment controller (Kubernetes' pkg/controller/deployment), plus Berth's automatic
// rollback.
//
// A sync of "ns/name":
//   - claims ReplicaSets: those with a controller reference to the Deployment (same uid) that
//     match its selector are owned; owned ones that stopped matching are released (reference
//     patched out); orphans that match are adopted (reference patched in) after a live GET of
//     the Deployment confirms it (same uid, not deleting);
//   - with `berth.io/auto-rollback: "true"`, checks the rollout (deployment_rollback.h): when it
//     failed, writes the last good template to spec.template (as `kubectl rollout undo`),
//     records a Warning event "RolledBack" and the condition `berth.io/RolledBack`, and ends the
//     sync (the template change brings the next one);
//   - otherwise executes deployment::planSync (deployment_sync.h): creates the new ReplicaSet
//     "<name>-<pod-template-hash>", scales ReplicaSets (spec.replicas, with events
//     "ScalingReplicaSet" from "deployment-controller"), deletes old ones past
//     revisionHistoryLimit, sets the Deployment's revision annotation and writes its status
//     through deployments/status when it changed; requeues itself for the progress deadline.
//
// A hash collision (a ReplicaSet of that name with another template) bumps
// status.collisionCount and retries. A failed sync is retried with back-off (5 ms doubling to
// 1000 s per key). Pods are read (from the shared pods informer) only for Recreate and for
// automatic rollback.
//
// Thread safety: handlers run on the informers' threads, syncs on the worker threads; a key is
// synced by one worker at a time (client::WorkQueue).

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "client/api_client.h"
#include "client/work_queue.h"
#include "controllers/controller.h"
#include "controllers/deployment_rollback.h"
#include "controllers/deployment_sync.h"
#include "controllers/event_recorder.h"
#include "controllers/informer_factory.h"
#include "controllers/sync_workers.h"

namespace berth::controllers {

using nlohmann::json;

struct DeploymentControllerOptions {
  int workers = 2;
  deployment::AutoRollbackOptions autoRollback;
};

class DeploymentController final : public Controller {
 public:
  // Registers handlers on the deployments, replicasets and pods informers of `informers`.
  // `client`, `informers` and `clock` must outlive the controller.
  DeploymentController(client::ApiClient& client, InformerFactory& informers, Clock& clock,
                       DeploymentControllerOptions options);
  ~DeploymentController() override;  // stops

  std::string name() const override { return "deployment"; }
  // Starts the workers and enqueues every cached Deployment. REQUIRES: informers synced.
  void start() override;
  void stop() override;

  // One sync of "ns/name" (tests call it directly). A Deployment that is gone is not an error.
  Status sync(const std::string& key);

 private:
  void enqueue(const json& deployment);
  void onReplicaSetAdd(const json& rs);
  void onReplicaSetUpdate(const json& oldRs, const json& newRs);
  void onReplicaSetDelete(const json& rs);
  void onPodChange(const json& pod);
  // The cached Deployment controlling `rs` (by controller reference, same uid).
  std::optional<json> ownerOf(const json& rs) const;
  void enqueueMatching(const json& rs);

  Result<std::vector<json>> claimReplicaSets(const json& d);
  std::map<std::string, std::vector<json>> podsByReplicaSet(const json& d,
                                                            const std::vector<json>& owned) const;
  Status execute(const std::string& key, const json& d, deployment::SyncPlan plan);
  Status createReplicaSet(const json& d, const json& rs);
  Status rollBack(const json& d, const deployment::RollbackDecision& decision);
  Status writeStatus(const json& d, const json& status,
                     const std::optional<std::string>& revision = std::nullopt);

  client::ApiClient& client_;
  Clock& clock_;
  DeploymentControllerOptions options_;
  client::Informer& deployments_;
  client::Informer& replicaSets_;
  client::Informer& pods_;
  EventRecorder events_;
  client::WorkQueue queue_;
  SyncWorkers workers_;
  bool started_ = false;
};

}  // namespace berth::controllers
