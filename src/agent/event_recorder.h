#pragma once

// The EventSink of a joined agent: posts core/v1 Events about pods to the API server
// (POST /api/v1/namespaces/{ns}/events), as the kubelet's event recorder does.
//
// record() only queues (bounded: when `queueLimit` events wait, new ones are dropped with a
// warning), a thread of its own sends. Repeats are aggregated like client-go's event
// correlator: the same event (pod, fieldPath, type, reason, message) within `aggregateWindow`
// of the previous one becomes a merge PATCH of the stored event's count and lastTimestamp
// instead of a new object.
//
// Thread safety: all methods may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "agent/event_sink.h"
#include "base/clock.h"
#include "client/api_client.h"

namespace berth::agent {

struct EventRecorderOptions {
  std::string nodeName;  // source.host and reportingInstance
  size_t queueLimit = 1000;
  std::chrono::milliseconds aggregateWindow{10 * 60 * 1000};
};

// The Event object for `event` about `pod`, named `name`, first and last seen at `now`
// (RFC 3339), count 1, from component "kubelet" on `nodeName`.
nlohmann::json buildEvent(const api::Pod& pod, const PodEvent& event, const std::string& name,
                          const std::string& nodeName, const std::string& now);

class EventRecorder final : public EventSink {
 public:
  // `client` and `clock` must outlive the recorder.
  EventRecorder(client::ApiClient& client, EventRecorderOptions options, const Clock& clock);
  ~EventRecorder() override;  // stops
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  void start();
  // Stops the thread; queued events are dropped. Idempotent.
  void stop();

  void record(const api::Pod& pod, PodEvent event) override;

  // Events created and patched so far (tests, metrics).
  uint64_t created() const;
  uint64_t patched() const;

 private:
  struct Queued {
    api::Pod pod;  // metadata only
    PodEvent event;
    Clock::WallTime at;
  };
  struct Seen {  // an event already stored, for aggregation
    std::string namespace_;
    std::string name;
    int64_t count = 1;
    Clock::WallTime last;
  };

  void run();
  void send(const Queued& q);

  client::ApiClient& client_;
  EventRecorderOptions options_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Queued> queue_;
  bool stopping_ = false;
  uint64_t created_ = 0;
  uint64_t patched_ = 0;
  std::map<std::string, Seen> seen_;  // by aggregation key; used by the thread only
  int64_t lastNanos_ = 0;             // of the last event name; used by the thread only
  std::thread thread_;
};

}  // namespace berth::agent
