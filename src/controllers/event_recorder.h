#pragma once

// Events from a controller about the objects it manages (client-go's record.EventRecorder):
// core/v1 Events with source.component and reportingComponent set to the controller's name
// ("replicaset-controller", "deployment-controller", "horizontal-pod-autoscaler").
//
//   EventRecorder events(client, clock, "replicaset-controller");
//   events.start();
//   events.record(rs, "Normal", "SuccessfulCreate", "Created pod: web-x7k2p");
//
// record() only queues (bounded: past `queueLimit` waiting events new ones are dropped with a
// warning); a thread of its own POSTs them, so a slow API server does not hold up a sync.
// Failed posts are logged and dropped. Repeats are aggregated as client-go's EventCorrelator
// does: an event equal to one already posted (same object, type, reason, message, source)
// increments that Event's count and lastTimestamp (a merge PATCH) instead of creating another,
// so a controller failing every sync shows "(x12 over 3m)" in kubectl describe and does not
// fill the API server. The posted events are remembered in an LRU of `cacheSize` entries.
// Thread safety: all methods may be called from any thread.

#include <condition_variable>
#include <deque>
#include <list>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "base/clock.h"
#include "client/api_client.h"

namespace berth::controllers {

// The Event about `object` (any namespaced object with apiVersion, kind and metadata), named
// "<object name>.<random hex>", first and last seen at `now`, count 1.
nlohmann::json controllerEvent(const nlohmann::json& object, const std::string& type,
                               const std::string& reason, const std::string& message,
                               const std::string& component, Clock::WallTime now);

class EventRecorder {
 public:
  // `client` and `clock` must outlive the recorder.
  EventRecorder(client::ApiClient& client, const Clock& clock, std::string component,
                size_t queueLimit = 1000, size_t cacheSize = 4096);
  ~EventRecorder();  // stops
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  void start();
  // Sends what is queued (best effort, a few seconds at most), then stops the thread.
  // Idempotent.
  void stop();

  // `type` is "Normal" or "Warning".
  void record(const nlohmann::json& object, const std::string& type, const std::string& reason,
              const std::string& message);

 private:
  void run();
  // Posts `event`, or counts it on the Event it repeats. Only on the run() thread.
  void post(nlohmann::json event);

  struct Posted {
    std::string name;  // the Event's metadata.name
    int64_t count = 1;
    std::list<std::string>::iterator lru;
  };

  client::ApiClient& client_;
  const Clock& clock_;
  std::string component_;
  size_t queueLimit_;
  size_t cacheSize_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<nlohmann::json> queue_;
  bool started_ = false;
  bool stopping_ = false;
  std::thread thread_;
  // Aggregation key -> the Event posted for it; `lru_` holds the keys, most recent first.
  // Only touched by the run() thread.
  std::map<std::string, Posted> posted_;
  std::list<std::string> lru_;
};

}  // namespace berth::controllers
