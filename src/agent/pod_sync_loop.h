#pragma once

// The pod sync loop: makes the pods running on this node match the pods it is given.
//
// Sources (a manifest directory, the API server) call setPods() with their complete set; the
// loop works out what to start, restart and tear down. A pod that carries
// metadata.deletionTimestamp is terminated (its containers get deletionGracePeriodSeconds) and
// then forgotten, as is a pod its source no longer lists. Each pod is synced by one
// worker at a time from a keyed work queue; a sync is idempotent and driven by events
// (a changed set, a container that exited) plus a slow periodic resync, never a busy loop.
//
// State lives under `root`:
//   pods/<uid>/record.json     what the agent did (pod_record.h), written before each step
//   pods/<uid>/status.json     the pod with its latest status (read by `berth agent pods`)
//   pods/<uid>/ns, etc, volumes, containers/<name>-<attempt>/   sandbox, files, instances
//   logs/<namespace>_<pod>_<uid>/<container>/<restart>.log   CRI logs
//
// Probes (prober.h) run beside the workers: each sync tells the prober which instances run
// and takes its results into the status (ready, started, the Ready condition); a changed
// result queues a sync, and a failed liveness/startup probe has the next sync kill that
// instance (Normal Killing "Container c failed liveness probe, will be restarted") so it is
// restarted per restartPolicy like any other exit.
//
// Thread safety: all public methods may be called from any thread.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/container_locator.h"
#include "agent/event_sink.h"
#include "agent/image/image_store.h"
#include "agent/network/pod_network.h"
#include "agent/object_resolver.h"
#include "agent/pod_record.h"
#include "agent/probe_executor.h"
#include "agent/prober.h"
#include "agent/runtime/runtime.h"
#include "api/pod.h"
#include "base/clock.h"
#include "client/work_queue.h"

namespace berth::agent {

struct SyncOptions {
  std::filesystem::path root;
  std::string nodeName;
  std::string hostIP;
  // Restart back-off: the first restart is immediate, then `backoffInitial` doubling up to
  // `backoffMax`; reset when an instance ran for 10 minutes.
  std::chrono::milliseconds backoffInitial{10'000};
  std::chrono::milliseconds backoffMax{300'000};
  std::chrono::milliseconds resyncPeriod{10'000};
  int workers = 4;
  int64_t pidsLimit = 4096;  // per container; 0: unlimited
  int64_t logMaxBytes = int64_t{10} * 1024 * 1024;
  int logMaxFiles = 3;
};

// A pod as a source wants it. An invalid one (failed validation) is shown, never run.
struct DesiredPod {
  api::Pod pod;  // metadata.uid must be set
  std::string invalidMessage;
};

// Told about each status change of a pod from `source`, e.g. to report it to an API server.
// Called from workers; must not block.
using StatusListener = std::function<void(const api::Pod& pod, const std::string& source)>;
// Told when a pod from `source` has been torn down completely (no container, sandbox, volume
// or log left) and forgotten: gone from pods(). `pod` is its last state. Called from workers;
// must not block.
using RemovedListener = std::function<void(const api::Pod& pod, const std::string& source)>;

class PodSyncLoop : public ContainerLocator {
 public:
  PodSyncLoop(SyncOptions options, image::ImageStore& images, runtime::Runtime& runtime,
              network::PodNetwork& network, Clock& clock);
  ~PodSyncLoop() override;

  // Adopts the pods recorded under root (their containers keep running), removes debris no
  // record names, then starts the workers.
  Status start();
  // Stops the workers. Containers keep running under their monitors.
  void stop();

  // The complete set of pods from `source`; pods of that source not in it are torn down.
  void setPods(const std::string& source, std::vector<DesiredPod> pods);
  // A change to the set of pods from `source`: `changed` are added or updated, the pods with
  // the uids in `removed` are torn down (unknown uids are ignored). For sources that follow
  // changes one by one (an informer), so that a change costs O(changed), not O(all pods).
  void applyPods(const std::string& source, std::vector<DesiredPod> changed,
                 const std::vector<std::string>& removed);
  // Whether the loop has the pod (running, starting or still being torn down).
  bool hasPod(const std::string& uid) const;

  // Every pod with its latest status.
  std::vector<api::Pod> pods() const;
  // Image ids used by some container instance (for garbage collection).
  std::set<std::string> imagesInUse() const;

  void setStatusListener(StatusListener listener);
  void setRemovedListener(RemovedListener listener);
  // Where events about pods go (none by default). REQUIRES: before start().
  void setEventSink(EventSinkPtr sink);
  // Where ConfigMaps and Secrets of pods from source "api" come from (none by default: such
  // references fail). REQUIRES: before start().
  void setObjectResolver(ObjectResolverPtr resolver);

  Result<ContainerLocation> locate(const std::string& namespace_, const std::string& pod,
                                   const std::string& container) override;

 private:
  struct Entry {
    std::mutex mu;  // held by the worker during a sync
    PodRecord record;
    std::string source;  // set once at creation
    bool desired = true;
    // Grace period of a deletion the source asked for (deletionGracePeriodSeconds); guarded by
    // loop mu_.
    std::optional<int64_t> deletionGrace;
    api::Pod current;  // pod with its latest status; guarded by loop mu_
    // Found again after an agent restart (not persisted); guarded by mu.
    std::optional<network::Sandbox> sandbox;
    std::optional<std::map<std::string, std::filesystem::path>> volumes;
    // Instances a probe wants killed: container name -> (runtime id, probe kind); guarded by
    // loop mu_.
    std::map<std::string, std::pair<std::string, ProbeKind>> probeKills;
  };
  using EntryPtr = std::shared_ptr<Entry>;

  // setPods/applyPods for one pod; REQUIRE mu_.
  void upsertLocked(const std::string& source, DesiredPod& desired);
  void dropLocked(const std::string& uid, Entry& entry);

  void workerLoop();
  void exitWatchLoop();
  void watchContainer(const std::string& uid, const std::filesystem::path& dir);

  // One sync of one pod; returns when to look again (zero: only on events).
  std::chrono::milliseconds sync(const std::string& uid);
  std::chrono::milliseconds syncPod(Entry& entry);
  // Starts a new instance of container `index` unless its back-off forbids it; lowers `wake`
  // to when it should be looked at again.
  void startContainer(Entry& entry, size_t index, const api::Container& spec,
                      std::chrono::milliseconds& wake);
  // Stops an instance a liveness or startup probe failed (the caller restarts it per policy).
  void killForProbe(Entry& entry, const ContainerRecord& c, const api::Container& spec,
                    ProbeKind kind);
  // Stops every container within `grace` (default: the pod's terminationGracePeriodSeconds)
  // and removes all the pod has on the node.
  Status teardown(Entry& entry, std::optional<int64_t> grace);
  void emit(const api::Pod& pod, PodEvent event);
  void publish(const EntryPtr& entry);
  Status saveRecord(const Entry& entry);
  std::filesystem::path podDir(const std::string& uid) const;
  std::map<size_t, runtime::ContainerState> liveStates(const PodRecord& record);
  void cleanupOrphans();
  // Tells the prober which instances of the entry's pod run; returns its results.
  std::map<std::string, ContainerProbeStatus> updateProbes(
      const Entry& entry, const std::map<size_t, runtime::ContainerState>& live);
  // The probe kind that asked for instance `runtimeId` of `container` to be killed, if one did
  // (the request is consumed).
  std::optional<ProbeKind> takeProbeKill(Entry& entry, const std::string& container,
                                         const std::string& runtimeId);

  SyncOptions options_;
  image::ImageStore& images_;
  runtime::Runtime& runtime_;
  network::PodNetwork& network_;
  Clock& clock_;

  mutable std::mutex mu_;
  std::map<std::string, EntryPtr> pods_;  // by uid
  StatusListener listener_;
  RemovedListener removedListener_;
  EventSinkPtr events_;
  ObjectResolverPtr resolver_;
  ProbeExecutorPtr probeExecutor_;
  std::unique_ptr<Prober> prober_;

  client::WorkQueue queue_;
  std::vector<std::thread> workers_;
  std::thread exitWatcher_;
  int inotifyFd_ = -1;
  int stopFd_ = -1;
  std::mutex watchMu_;
  std::map<int, std::string> watches_;  // inotify wd -> pod uid
  std::atomic<bool> running_{false};
};

// Lazily unmounts every mount at or below `dir`, deepest first (clean-up of debris).
void unmountAllUnder(const std::filesystem::path& dir);

}  // namespace berth::agent
