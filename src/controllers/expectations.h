#pragma once

// What a controller is waiting to see through its informers after its own writes (Kubernetes'
// UIDTrackingControllerExpectations). A controller that created 3 pods must not create 3
// more on its next sync only because the informer has not delivered them yet: it expects 3
// creations, each pod ADDED event observes one, and it only manages replicas again once the
// expectations are satisfied (or have expired, in case an event was lost).
//
// Deletions are tracked by pod key ("ns/name"), so observing the same deletion twice (the
// deletionTimestamp update, then the DELETED event) counts once.
//
// Keys are the controller's object keys ("ns/name"). Thread safety: all methods may be
// called from any thread.

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"

namespace berth::controllers {

class Expectations {
 public:
  // Kubernetes' ExpectationsTimeout.
  static constexpr std::chrono::minutes kDefaultTimeout{5};

  explicit Expectations(const Clock& clock, std::chrono::milliseconds timeout = kDefaultTimeout)
      : clock_(clock), timeout_(timeout) {}

  // Whether `key` may be synced: nothing expected, all observed, or the record expired.
  bool satisfied(const std::string& key) const;

  // Records `adds` expected creations (replacing what was expected for `key`).
  void expectCreations(const std::string& key, int adds);
  // Records the deletions of `podKeys` (replacing what was expected for `key`).
  void expectDeletions(const std::string& key, const std::vector<std::string>& podKeys);

  // One expected creation seen (or given up: a failed or skipped create).
  void creationObserved(const std::string& key);
  // The deletion of `podKey` seen (or given up); no effect unless it was expected.
  void deletionObserved(const std::string& key, const std::string& podKey);

  // Forgets `key` (its object was deleted).
  void remove(const std::string& key);

  // Pending creations and deletions of `key` (tests, logs).
  int pendingCreations(const std::string& key) const;
  int pendingDeletions(const std::string& key) const;

 private:
  struct Record {
    int adds = 0;
    std::set<std::string> deletions;
    Clock::MonoTime at;
  };

  const Clock& clock_;
  std::chrono::milliseconds timeout_;
  mutable std::mutex mu_;
  std::map<std::string, Record> records_;
};

}  // namespace berth::controllers
