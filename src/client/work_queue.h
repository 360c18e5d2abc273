#pragma once

// A keyed work queue in the manner of client-go's: a key is processed by at most one worker at a
// time; adding a key that is queued does nothing; adding a key that is being processed marks it
// dirty so it is processed again once. addAfter() schedules a key for later (back-off,
// periodic resync) without any thread sleeping per key.
//
// Thread safety: all methods may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace berth::client {

class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;

  void add(const std::string& key);
  void addAfter(const std::string& key, std::chrono::milliseconds delay);

  // Blocks until a key is ready or the queue shuts down (nullopt). The caller must call done()
  // with the key when finished with it.
  std::optional<std::string> get();
  void done(const std::string& key);

  // Wakes every get() with nullopt; later adds are ignored.
  void shutDown();

  size_t size() const;

 private:
  void addLocked(const std::string& key);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::set<std::string> queued_;
  std::set<std::string> processing_;
  std::set<std::string> dirty_;
  std::multimap<Clock::time_point, std::string> delayed_;
  std::map<std::string, Clock::time_point> delayedAt_;  // each key delayed once, earliest wins
  bool shutDown_ = false;
};

}  // namespace berth::client
