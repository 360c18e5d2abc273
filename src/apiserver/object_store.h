#pragma once

// Kubernetes objects (JSON) in the Storage: keys, revisions as resourceVersions, reads from
// the watch cache. No policy here: admission and the HTTP semantics live in the handlers.
//
// Thread safety: all members may be called from any thread.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "apiserver/resource_type.h"
#include "apiserver/watch_cache.h"
#include "base/error.h"
#include "store/storage.h"

namespace berth::apiserver {

class ObjectStore {
 public:
  ObjectStore(store::Storage& storage, WatchCache& cache) : storage_(storage), cache_(cache) {}

  // "/registry/pods/default/web", "/registry/nodes/n1".
  static std::string key(const ResourceType& type, const std::string& namespace_,
                         const std::string& name);
  // The prefix of a collection: one namespace, or all of them when `namespace_` is empty.
  static std::string collectionPrefix(const ResourceType& type, const std::string& namespace_);

  // Reads and writes convert between the type's version and the storage version when the
  // type has conversion hooks (see ResourceType::toStorage); results are in the type's version.
  std::optional<CachedObject> get(const ResourceType& type, const std::string& namespace_,
                                  const std::string& name) const;
  WatchCache::Snapshot list(const ResourceType& type, const std::string& namespace_) const;

  // Stores a new object (its metadata.resourceVersion is not stored) and returns it with its
  // resourceVersion. kAlreadyExists.
  Result<nlohmann::json> create(const ResourceType& type, nlohmann::json object);
  // Replaces the object if it is still at `revision`. kConflict, kNotFound.
  Result<nlohmann::json> replace(const ResourceType& type, nlohmann::json object, int64_t revision);
  // Deletes the object if it is still at `revision`; returns its last state.
  Result<nlohmann::json> remove(const ResourceType& type, const nlohmann::json& object,
                                int64_t revision);

  WatchCache& cache() { return cache_; }

  // A stored object (from the cache, e.g. a watch event's) in `type`'s version: the same
  // pointer when the type is the storage version, else a converted copy. Null stays null.
  static ObjectPtr present(const ResourceType& type, const ObjectPtr& stored);

 private:
  store::Storage& storage_;
  WatchCache& cache_;
};

}  // namespace berth::apiserver
