#pragma once

// The watchers of one Storage and the delivery of events to them, shared by backends that
// dispatch their own commits (the sqlite one).
//
// Ordering: deliveries are serialized by one delivery lock. A backend takes it *before*
// releasing the lock that serializes its writes (lock order: backend write lock, then delivery
// lock), and publishes the event of the commit while holding it. So events reach watchers in
// revision order even with concurrent writers, and a watch registered under the write lock
// (history read, then add()) neither misses nor repeats an event: every commit before it is in
// the history, every commit after it is published to it.
//
// Callbacks run on the publishing (writing) thread with the delivery lock held; they must
// return quickly and must not call into the Storage.
//
// Cancelling: destroying a Watch returned by add() takes the delivery lock, so it waits for a
// callback running on another thread to return; afterwards the callback is never called again.
// A callback may destroy its own Watch (or another one): that is detected (the delivery lock is
// held by the same thread) and the watcher is dropped without waiting.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/storage.h"

namespace berth::store {

class WatchHub : public std::enable_shared_from_this<WatchHub> {
 public:
  // A WatchHub is always owned by a shared_ptr: Watches keep it alive, so a Watch may outlive
  // the Storage that created it.
  static std::shared_ptr<WatchHub> create();

  // Takes the delivery lock (see the ordering rules above).
  std::unique_lock<std::mutex> lockDelivery();

  // Delivers `event` to every watcher whose prefix matches its key and whose first revision is
  // at or below its revision. REQUIRES: `delivery` holds lockDelivery().
  void publish(const std::unique_lock<std::mutex>& delivery, const Event& event);
  // Delivers the events of one group commit (in revision order): each watcher gets the events
  // it matches in one callback call. REQUIRES: `delivery` holds lockDelivery().
  void publish(const std::unique_lock<std::mutex>& delivery, const std::vector<Event>& events);

  // Registers a watcher of keys starting with `prefix` that receives events of revision >=
  // `minRevision`: first `history` (recorded events, in revision order, in batches), then live
  // events from publish(). REQUIRES: `delivery` holds lockDelivery(), taken before the caller
  // released the write lock under which it read `history`.
  WatchPtr add(const std::unique_lock<std::mutex>& delivery, std::string prefix,
               int64_t minRevision, std::vector<Event> history, WatchCallback callback);

  // The most events a replay hands to one callback call.
  static constexpr size_t kReplayBatch = 512;

 private:
  struct Watcher {
    std::string prefix;
    int64_t minRevision = 0;
    WatchCallback callback;
    bool cancelled = false;
  };
  class Handle;

  WatchHub() = default;

  // Runs `watcher`'s callback, catching what it throws (it must not unwind into a writer).
  static void call(Watcher& watcher, const std::vector<Event>& events);
  // Unregisters watcher `id`; see "Cancelling" above.
  void remove(uint64_t id);
  // Drops cancelled watchers. REQUIRES: the delivery lock.
  void sweep();

  std::mutex deliveryMutex_;
  // The thread running callbacks, or none; tells remove() it is called from a callback.
  std::atomic<std::thread::id> deliveringThread_{};
  // Guarded by deliveryMutex_.
  std::map<uint64_t, std::shared_ptr<Watcher>> watchers_;
  uint64_t nextId_ = 1;
  bool needsSweep_ = false;
};

}  // namespace berth::store
