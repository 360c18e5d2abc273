#pragma once

// What ApiPodSource hands to the pod sync loop, kept apart from the informer and the loop so
// that it can be tested alone. The informer's handlers note() each changed object; take() turns
// what was noted into desired pods: the complete set the first time (PodSyncLoop::setPods: pods
// adopted at an agent restart that are gone from the server are torn down), afterwards only the
// changes (PodSyncLoop::applyPods), so that an event costs one decode, not one per pod on the
// node. A key whose pod was handed over and is now deleted, or whose name now belongs to a pod
// with another uid, yields that uid as removed.
//
// Thread safety: note() may be called from any thread; take() and reset() from one thread.

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/pod_sync_loop.h"

namespace berth::agent {

// The desired pod of an informer's `object`: decoded (an undecodable one carries its error as
// invalidMessage); nothing for an object without uid, or in a terminal phase unless `known`
// (the loop has it).
std::optional<DesiredPod> desiredPod(const nlohmann::json& object,
                                     const std::function<bool(const std::string&)>& known);

// desiredPod of each of `objects`, `known` being the uids the loop has.
std::vector<DesiredPod> desiredPods(const std::vector<nlohmann::json>& objects,
                                    const std::set<std::string>& known);

class ApiPodChanges {
 public:
  using Known = std::function<bool(const std::string& uid)>;
  using ListAll = std::function<std::vector<nlohmann::json>()>;

  struct HandOver {
    bool complete = false;  // `pods` is the complete set; `removed` is empty
    std::vector<DesiredPod> pods;
    std::vector<std::string> removed;  // uids
  };

  // The object under informer key `key` changed to `object`, or was deleted (nullopt).
  void note(const std::string& key, std::optional<nlohmann::json> object);

  // What was noted since the last take(). The first call (and the first after reset()) returns
  // the complete set of `listAll()` instead; a change noted meanwhile is applied again by the
  // next call, which is harmless.
  HandOver take(const ListAll& listAll, const Known& known);

  // Forgets everything: the next take() returns the complete set.
  void reset();

 private:
  std::mutex mu_;
  std::map<std::string, std::optional<nlohmann::json>> pending_;  // by key; guarded by mu_
  std::map<std::string, std::string> uidByKey_;                   // what went over for each key
  bool handedOverAll_ = false;
};

}  // namespace berth::agent
