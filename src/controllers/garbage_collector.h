#pragma once

// The garbage collector (Kubernetes' pkg/controller/garbagecollector), over the shared
// informers of the kinds in gcResources(). It keeps a graph of objects by uid (who owns whom,
// from metadata.ownerReferences) and:
//
//   - deletes, with propagation Background, an object all of whose owners are gone. An owner
//     missing from the graph is looked up live by name before deciding (the informers may lag);
//     one found under another uid (re-created under the same name) counts as gone. When some
//     owners are gone and others are not, the references to the gone ones are removed;
//   - for an object being deleted with finalizer "foregroundDeletion": deletes its dependents
//     (Foreground when they have dependents of their own, else Background; a dependent with
//     another live owner only loses its reference), waits until no dependent with
//     blockOwnerDeletion is left, then removes the finalizer (the API server then removes the
//     object);
//   - for an object being deleted with finalizer "orphan": removes the references to it from
//     all its dependents, then removes the finalizer.
//
// An owner of a kind not in the table is treated as present (never collected by mistake).
// Failed steps are retried with back-off. Thread safety: the handlers run on the informers'
// threads, work on `workers` threads.

#include <atomic>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "client/api_client.h"
#include "client/work_queue.h"
#include "controllers/controller.h"
#include "controllers/informer_factory.h"
#include "controllers/sync_workers.h"

namespace berth::controllers {

// A kind the collector watches and can look up.
struct GcResource {
  std::string group;
  std::string version;
  std::string resource;  // plural
  std::string kind;
  bool namespaced = true;

  std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
  client::Resource clientResource(const std::string& ns) const {
    return {group, version, resource, namespaced ? ns : ""};
  }
};

// Pods, ReplicaSets, Deployments, ConfigMaps, Secrets and ContainerGroups.
const std::vector<GcResource>& gcResources();

class GarbageCollector final : public Controller {
 public:
  inline static const std::string kForegroundFinalizer = "foregroundDeletion";
  inline static const std::string kOrphanFinalizer = "orphan";

  // Registers its handlers on the informers of `resources` (default: gcResources()).
  GarbageCollector(client::ApiClient& client, InformerFactory& informers, int workers,
                   std::vector<GcResource> resources = gcResources());
  ~GarbageCollector() override;  // stops

  std::string name() const override { return "garbagecollector"; }
  void start() override;
  void stop() override;

  // Objects in the graph (tests).
  size_t graphSize() const;

 private:
  struct Node {
    size_t resource = 0;  // index into resources_
    std::string namespace_;
    std::string name;
    std::string uid;
    nlohmann::json ownerReferences = nlohmann::json::array();
    bool deleting = false;
    bool foreground = false;  // deleting with the foregroundDeletion finalizer
    bool orphan = false;      // deleting with the orphan finalizer
  };
  enum class OwnerState { kSolid, kDangling, kWaiting };

  void upsert(size_t resource, const nlohmann::json& object);
  void erase(const nlohmann::json& object);
  void linkLocked(const Node& node);
  void unlinkLocked(const Node& node);
  Status processKey(const std::string& key);

  // "d/<uid>": is the object garbage?  "o/<uid>": a deleting owner with a finalizer to serve
  // ("r/<uid>": the same, as a timed re-check).
  Status processDependent(const std::string& uid);
  Status processOwner(const std::string& uid);
  Result<OwnerState> ownerState(const Node& dependent, const nlohmann::json& ref);
  const GcResource* resourceFor(const std::string& apiVersion, const std::string& kind) const;
  // Removes the references with `uids` from the live object (merge patch with its
  // resourceVersion; retried on conflict).
  Status removeOwnerRefs(const Node& node, const std::set<std::string>& uids);
  // Removes `finalizer` from the live object of `node` (merge patch with its resourceVersion;
  // retried on conflict).
  Status removeFinalizer(const Node& node, const std::string& finalizer);
  Result<std::optional<nlohmann::json>> liveObject(const Node& node);

  client::ApiClient& client_;
  int workerCount_;
  std::vector<GcResource> resources_;
  mutable std::mutex mu_;
  std::map<std::string, Node> nodes_;                        // by uid
  std::map<std::string, std::set<std::string>> dependents_;  // owner uid -> dependent uids
  std::set<std::string> rechecks_;                           // owners with an "r/" key pending
  client::WorkQueue queue_;
  SyncWorkers workers_;
  bool started_ = false;
};

}  // namespace berth::controllers
