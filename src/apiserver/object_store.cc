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

std::optional<CachedObject> ObjectStore::get(const ResourceType& type,
                                             const std::string& namespace_,
                                             const std::string& name) const {
  return cache_.get(key(type, namespace_, name));
}

WatchCache::Snapshot ObjectStore::list(const ResourceType& type,
                                       const std::string& namespace_) const {
  return cache_.list(collectionPrefix(type, namespace_));
}

Result<json> ObjectStore::create(const ResourceType& type, json object) {
  auto k = key(type, nameOf(object, "namespace"), nameOf(object, "name"));
  BERTH_ASSIGN_OR_RETURN(int64_t revision, storage_.create(k, serialize(object)));
  object["metadata"]["resourceVersion"] = std::to_string(revision);
  return object;
}

Result<json> ObjectStore::replace(const ResourceType& type, json object, int64_t revision) {
  auto k = key(type, nameOf(object, "namespace"), nameOf(object, "name"));
  BERTH_ASSIGN_OR_RETURN(int64_t next, storage_.update(k, serialize(object), revision));
  object["metadata"]["resourceVersion"] = std::to_string(next);
  return object;
}

Result<json> ObjectStore::remove(const ResourceType& type, const json& object, int64_t revision) {
  auto k = key(type, nameOf(object, "namespace"), nameOf(object, "name"));
  BERTH_ASSIGN_OR_RETURN(auto removed, storage_.remove(k, revision));
  json last = object;
  last["metadata"]["resourceVersion"] = std::to_string(removed.modRevision);
  return last;
}

}  // namespace berth::apiserver
