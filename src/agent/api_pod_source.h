#pragma once

// Pods from the API server: an Informer on pods with fieldSelector spec.nodeName=<node>. Its
// handlers only note the changed objects (ApiPodChanges); a thread of this source turns them
// into desired pods and hands them to the PodSyncLoop ("api"), so the informer is never held
// up: the complete set once the first list arrived, then only what changed. Until the first
// list arrived nothing is handed over, so that the pods an agent adopted at a restart keep
// running while the server is unreachable.
//
// A pod that does not decode runs never: it is shown with its decoding error. A pod in a
// terminal phase (Succeeded, Failed) that the loop does not know is not started again.
//
// Graceful deletion: a pod carrying metadata.deletionTimestamp is passed on as it is; the loop
// stops it within deletionGracePeriodSeconds and tears it down. Once the loop reports it gone
// (podRemoved, wired to PodSyncLoop::setRemovedListener), this source DELETEs it with
// gracePeriodSeconds=0 and preconditions.uid, which removes the object; a failed DELETE is
// retried with back-off while the pod is still in the informer's cache.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/api_pod_changes.h"
#include "agent/pod_sync_loop.h"
#include "base/error.h"
#include "client/api_client.h"
#include "client/informer.h"

namespace berth::agent {

inline constexpr char kApiSource[] = "api";

class ApiPodSource {
 public:
  // `client` and `loop` must outlive the source.
  ApiPodSource(client::ApiClient& client, std::string nodeName, PodSyncLoop& loop);
  ~ApiPodSource();  // stops
  ApiPodSource(const ApiPodSource&) = delete;
  ApiPodSource& operator=(const ApiPodSource&) = delete;

  // Starts the informer and the thread. Does not wait for the first list.
  Status start();
  // Stops both; nothing is handed to the loop afterwards. Idempotent.
  void stop();

  // The loop's RemovedListener: `pod` of `source` is torn down.
  void podRemoved(const api::Pod& pod, const std::string& source);

  bool hasSynced() const;

 private:
  struct Deletion {
    std::string namespace_;
    std::string name;
    std::chrono::steady_clock::time_point notBefore;
    std::chrono::milliseconds delay{0};
  };

  void run();
  void handOver();
  void deleteDue();

  client::ApiClient& client_;
  std::string nodeName_;
  PodSyncLoop& loop_;
  std::unique_ptr<client::Informer> informer_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool dirty_ = true;
  bool stopping_ = false;
  ApiPodChanges changes_;
  std::map<std::string, Deletion> deletions_;  // by uid
  std::thread thread_;
};

}  // namespace berth::agent
