#pragma once

// Reports the status of the pods the API server gave this node back to it
// (PUT /api/v1/namespaces/{ns}/pods/{name}/status), as the kubelet's status manager does.
//
// update() is the sync loop's StatusListener: it only records the latest status of the pod and
// wakes the reporter's threads, so the loop's workers never wait for the network. `senders`
// threads send at once (one request per pod at a time), the pod waiting longest first, so that
// a burst of starts reaches the server in parallel and in order. Statuses are coalesced: a pod
// whose status changed five times while a request was in flight is sent once more, with its
// latest status. A failed send is retried with back-off (doubling from
// `retryInitial` to `retryMax`), with the pod's latest status at that time.
// Pods of other sources (static pods) are ignored; a pod the server no longer has (404, or a
// 409 for a pod recreated under the same name) is dropped.
//
// Thread safety: all methods may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/pod.h"
#include "base/error.h"
#include "client/api_client.h"

namespace berth::agent {

struct StatusReporterOptions {
  std::string source = "api";  // only pods of this source are reported
  std::chrono::milliseconds retryInitial{500};
  std::chrono::milliseconds retryMax{30'000};
  int senders = 4;  // requests in flight at most
};

class PodStatusReporter {
 public:
  // Sends one pod's status; its result decides between done, retry and drop.
  using Sender = std::function<Status(const api::Pod& pod)>;

  PodStatusReporter(Sender sender, StatusReporterOptions options = {});
  ~PodStatusReporter();  // stops
  PodStatusReporter(const PodStatusReporter&) = delete;
  PodStatusReporter& operator=(const PodStatusReporter&) = delete;

  // PUTs {apiVersion, kind, metadata {name, namespace, uid}, status} to pods/{name}/status.
  // The uid makes the server refuse the write for a newer pod of the same name.
  static Sender apiSender(client::ApiClient& client);

  void start();
  // Stops the threads; statuses not sent yet are dropped. Idempotent.
  void stop();

  // The StatusListener: records `pod`'s status if it is of the reported source. Never blocks on
  // the network.
  void update(const api::Pod& pod, const std::string& source);
  // Drops what is pending for pod `uid` (torn down and deleted).
  void forget(const std::string& uid);

  // Statuses sent successfully so far (tests, metrics).
  uint64_t sent() const;
  // Whether nothing is waiting to be sent (tests).
  bool idle() const;

 private:
  struct Pending {
    api::Pod pod;
    bool dirty = false;                                // holds a status not sent yet
    std::chrono::steady_clock::time_point dirtySince;  // when it last became dirty
    std::chrono::steady_clock::time_point notBefore;   // retry back-off
    std::chrono::milliseconds delay{0};
    api::PodStatus lastSent;  // to skip sending what the server already has
    bool everSent = false;
  };

  void run();

  Sender sender_;
  StatusReporterOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Pending> pods_;  // by uid
  // Uids being sent; kept apart from pods_ so that a pod forgotten and reported again during a
  // send is not sent a second time at once (two requests for one pod could land out of order).
  std::set<std::string> inFlight_;
  bool stopping_ = false;
  uint64_t sent_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace berth::agent
