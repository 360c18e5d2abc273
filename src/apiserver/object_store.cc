#include "apiserver/object_store.h"

namespace berth::apiserver {

using nlohmann::json;

namespace {

std::string nameOf(const json& object, const char* field) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) {
    return "";
  }
  auto it = meta->find(field);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : "";
}

std::string serialize(json object) {
  if (object.contains("metadata")) {
    object["metadata"].erase("resourceVersion");
  }
  return object.dump();
}

}  // namespace

std::string ObjectStore::key(const ResourceType& type, const std::string& namespace_,
                             const std::string& name) {
  return type.namespaced ? type.keyPrefix() + namespace_ + "/" + name : type.keyPrefix() + name;
}

std::string ObjectStore::collectionPrefix(const ResourceType& type, const std::string& namespace_) {
  return type.namespaced && !namespace_.empty() ? type.keyPrefix() + namespace_ + "/"
                                                : type.keyPrefix();
}

ObjectPtr ObjectStore::present(const ResourceType& type, const ObjectPtr& stored) {
  if (!type.fromStorage || !stored) {
    return stored;
  }
  return std::make_shared<const json>(type.fromStorage(*stored));
}

std::optional<CachedObject> ObjectStore::get(const ResourceType& type,
                                             const std::string& namespace_,
                                             const std::string& name) const {
  auto found = cache_.get(key(type, namespace_, name));
  if (found) {
    found->object = present(type, found->object);
  }
  return found;
}

WatchCache::Snapshot ObjectStore::list(const ResourceType& type,
                                       const std::string& namespace_) const {
  auto snapshot = cache_.list(collectionPrefix(type, namespace_));
  if (type.fromStorage) {
    for (auto& item : snapshot.items) {
      item.object = present(type, item.object);
    }
  }
  return snapshot;
}

namespace {

// `object` (in `type`'s version) as the storage version, serialized.
std::string toStored(const ResourceType& type, const json& object) {
  return serialize(type.toStorage ? type.toStorage(object) : object);
}

// What a read of the written object in `type`'s version gives, with `revision` as its
// resourceVersion.
json written(const ResourceType& type, json object, int64_t revision) {
  if (type.toStorage && type.fromStorage) {
    object = type.fromStorage(type.toStorage(object));
  }
  object["metadata"]["resourceVersion"] = std::to_string(revision);
  return object;
}

}  // namespace

Result<json> ObjectStore::create(const ResourceType& type, json object) {
  auto k = key(type, nameOf(object, "namespace"), nameOf(object, "name"));
  BERTH_ASSIGN_OR_RETURN(int64_t revision, storage_.create(k, toStored(type, object)));
  return written(type, std::move(object), revision);
}

Result<json> ObjectStore::replace(const ResourceType& type, json object, int64_t revision) {
  auto k = key(type, nameOf(object, "namespace"), nameOf(object, "name"));
  BERTH_ASSIGN_OR_RETURN(int64_t next, storage_.update(k, toStored(type, object), revision));
  return written(type, std::move(object), next);
}

Result<json> ObjectStore::remove(const ResourceType& type, const json& object, int64_t revision) {
  auto k = key(type, nameOf(object, "namespace"), nameOf(object, "name"));
  BERTH_ASSIGN_OR_RETURN(auto removed, storage_.remove(k, revision));
  json last = object;
  last["metadata"]["resourceVersion"] = std::to_string(removed.modRevision);
  return last;
}

}  // namespace berth::apiserver
