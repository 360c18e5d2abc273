#pragma once

// The state of the control plane: a revisioned key-value store with watches, shaped like
// etcd's v3 API so that the etcd backend is a second implementation, not a redesign.
//
// Every successful write (create, update, remove) advances the store's single revision
// counter by one and stamps the written key with it (its modRevision); the revision a key was
// created at is its createRevision. History of writes is kept until compact() drops it, so a
// watch can start at any revision after the compacted one and sees every change from there on,
// in revision order, exactly once.
//
// Durability: a write returns only once it is on disk (a crash or `kill -9` right after the
// call returned loses nothing).
//
// Thread safety: every method may be called from any thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::store {

struct KeyValue {
  std::string key;
  std::string value;
  int64_t createRevision = 0;
  int64_t modRevision = 0;

  bool operator==(const KeyValue&) const = default;
};

enum class EventType { kPut, kDelete };

struct Event {
  EventType type = EventType::kPut;
  // kPut: the key's new value and revisions. kDelete: the key, the value it had, its
  // createRevision, and modRevision = the revision of the deletion.
  KeyValue kv;
  // The previous value of the key (an update or a delete); nullopt for a create.
  std::optional<KeyValue> prev;
};

struct ListResult {
  std::vector<KeyValue> items;  // sorted by key
  int64_t revision = 0;         // the store's revision the list reflects
  bool more = false;            // `limit` cut the list short
};

// Receives batches of events in revision order. Called on a thread of the store, never
// concurrently with itself for one watch; it must return quickly and must not call back into
// the Storage (hand the events to a queue of your own).
using WatchCallback = std::function<void(const std::vector<Event>&)>;

// A running watch; destroying it cancels it. After the destructor returns the callback is
// not running and will not be called again.
class Watch {
 public:
  virtual ~Watch() = default;
};

using WatchPtr = std::unique_ptr<Watch>;

class Storage {
 public:
  virtual ~Storage() = default;

  // Creates `key`. Returns the new revision. kAlreadyExists when the key exists.
  virtual Result<int64_t> create(std::string_view key, std::string_view value) = 0;

  // Replaces the value of an existing key, only if its modRevision is `expectedModRevision`
  // (0: whatever it is). Returns the new revision. kNotFound when the key does not exist,
  // kConflict when its modRevision differs.
  virtual Result<int64_t> update(std::string_view key, std::string_view value,
                                 int64_t expectedModRevision) = 0;

  // Deletes `key`, only if its modRevision is `expectedModRevision` (0: whatever it is).
  // Returns the deleted entry with modRevision set to the revision of the deletion.
  // kNotFound, kConflict as for update().
  virtual Result<KeyValue> remove(std::string_view key, int64_t expectedModRevision) = 0;

  // The current value of `key`. kNotFound when absent.
  virtual Result<KeyValue> get(std::string_view key) = 0;

  // The keys starting with `prefix` whose key is >= `startKey` (empty: from the first), in key
  // order, at most `limit` of them (0: all), as of one revision (returned in the result).
  virtual Result<ListResult> list(std::string_view prefix, std::string_view startKey = "",
                                  int64_t limit = 0) = 0;

  // Watches the keys starting with `prefix`: first every recorded change with revision >=
  // `fromRevision` (0: only changes after now), then live changes as they commit. kGone when
  // `fromRevision` is at or below the compacted revision (that history is gone).
  virtual Result<WatchPtr> watch(std::string_view prefix, int64_t fromRevision,
                                 WatchCallback callback) = 0;

  // Drops the history of changes with revision < `revision` (current values are kept).
  // Watches from those revisions fail with kGone afterwards. kInvalidArgument when `revision`
  // is above the current revision.
  virtual Status compact(int64_t revision) = 0;

  // The revision of the latest write (0 for an empty, never-written store).
  virtual int64_t revision() = 0;
  // The revision compact() was last called with (0: nothing compacted).
  virtual int64_t compactedRevision() = 0;
};

using StoragePtr = std::shared_ptr<Storage>;

}  // namespace berth::store
