#pragma once

// An informer: list + watch of one resource (optionally filtered by selectors), a local cache
// of the objects, and handlers told about every change. It relists when the watch ends with
// kGone (410) and re-watches with back-off after errors, so handlers see a consistent stream:
// after a relist, objects that vanished meanwhile are reported deleted and changed ones
// updated. Every controller, the scheduler and the agent build on it; nothing polls.
//
//   Informer pods(client, Resource::pods(), {.fieldSelector = "spec.nodeName=n1"});
//   pods.addHandler({.onAdd = ..., .onUpdate = ..., .onDelete = ...});
//   pods.start();
//   pods.waitForSync(std::chrono::seconds(10));
//
// Handlers run on the informer's thread, one at a time, in order; they must not block long
// (hand work to a WorkQueue). Cache reads (list/get) are thread-safe and may be called from
// handlers; the cache already holds the new state when a handler runs.
//
// Protocol: list in pages of 500 (limit/continue), onAdd for each object, then watch from the
// list's resourceVersion with allowWatchBookmarks and a timeoutSeconds of 5-10 minutes. Every
// event's (and bookmark's) resourceVersion is remembered; a watch that ends is renewed from
// it, after a back-off (200 ms doubling to 5 s, reset by news) when it failed. kGone relists
// and diffs: onAdd for new keys, onUpdate for changed objects, onDelete for vanished ones.
// A failed list is retried with the same back-off; waitForSync() waits for the first one.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/api_client.h"

namespace berth::client {

struct InformerHandler {
  std::function<void(const json& object)> onAdd;
  std::function<void(const json& oldObject, const json& newObject)> onUpdate;
  // The last known state of the deleted object (the DELETED event's object; after a relist,
  // the cached one). Only for objects that were in the cache.
  std::function<void(const json& object)> onDelete;
};

class Informer {
 public:
  // `options` carries the selectors; resourceVersion/limit/watch fields are managed here.
  Informer(ApiClient& client, Resource resource, ListOptions options = {});
  ~Informer();  // stops
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // REQUIRES: before start().
  void addHandler(InformerHandler handler);

  // Starts listing and watching on a thread of its own. Idempotent.
  void start();
  // Stops the watch and joins the thread; no handler runs afterwards. Idempotent. Returns
  // promptly (~100 ms) even during a list or a silent watch. From inside a handler it only
  // asks the thread to end (it cannot join itself). A stopped informer does not start again.
  void stop();

  // Whether the first list has been delivered to the handlers.
  bool hasSynced() const;
  // Waits until hasSynced() or the timeout; returns hasSynced().
  bool waitForSync(std::chrono::milliseconds timeout) const;

  // Snapshot of the cached objects.
  std::vector<json> list() const;
  // The cached object "namespace/name" (or "name" when cluster-scoped).
  std::optional<json> get(const std::string& key) const;

  // "ns/name" or "name" for an object.
  static std::string keyOf(const json& object);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::client
