#include "controllers/garbage_collector.h"

#include <spdlog/spdlog.h>

#include "controllers/controller_utils.h"

namespace berth::controllers {

using nlohmann::json;

namespace {

constexpr const char* kComponent = "garbage-collector-controller";
constexpr std::chrono::milliseconds kMaxBackoff{60 * 1000};
// A foreground owner re-checks its dependents this often even without news.
constexpr std::chrono::seconds kForegroundRecheck{5};
constexpr int kWriteAttempts = 5;

std::string groupOf(const std::string& apiVersion) {
  auto slash = apiVersion.find('/');
  return slash == std::string::npos ? "" : apiVersion.substr(0, slash);
}

}  // namespace

const std::vector<GcResource>& gcResources() {
  static const std::vector<GcResource> resources = {
      {"", "v1", "pods", "Pod", true},
      {"apps", "v1", "replicasets", "ReplicaSet", true},
      {"apps", "v1", "deployments", "Deployment", true},
      {"", "v1", "configmaps", "ConfigMap", true},
      {"", "v1", "secrets", "Secret", true},
      {"instances.berth.io", "v1", "containergroups", "ContainerGroup", true},
  };
  return resources;
}

GarbageCollector::GarbageCollector(client::ApiClient& client, InformerFactory& informers,
                                   int workers, std::vector<GcResource> resources)
    : client_(client), workerCount_(std::max(workers, 1)), resources_(std::move(resources)) {
  for (size_t i = 0; i < resources_.size(); ++i) {
    const GcResource& r = resources_[i];
    informers.informer(r.clientResource(""))
        .addHandler({
            .onAdd = [this, i](const json& object) { upsert(i, object); },
            .onUpdate = [this, i](const json&, const json& object) { upsert(i, object); },
            .onDelete = [this](const json& object) { erase(object); },
        });
  }
}

GarbageCollector::~GarbageCollector() {
  stop();
}

void GarbageCollector::start() {
  if (started_) {
    return;
  }
  started_ = true;
  {
    // What the first lists delivered: objects with owners, and owners being deleted.
    std::lock_guard lock(mu_);
    for (const auto& [uid, node] : nodes_) {
      if (!node.ownerReferences.empty()) {
        queue_.add("d/" + uid);
      }
      if (node.foreground || node.orphan) {
        queue_.add("o/" + uid);
      }
    }
  }
  workers_.start(queue_,
                 {.component = kComponent, .workers = workerCount_, .maxBackoff = kMaxBackoff},
                 [this](const std::string& key) { return processKey(key); });
}

void GarbageCollector::stop() {
  workers_.stop();
}

size_t GarbageCollector::graphSize() const {
  std::lock_guard lock(mu_);
  return nodes_.size();
}

void GarbageCollector::linkLocked(const Node& node) {
  for (const auto& ref : node.ownerReferences) {
    if (ref.is_object()) {
      dependents_[ref.value("uid", "")].insert(node.uid);
    }
  }
}

void GarbageCollector::unlinkLocked(const Node& node) {
  for (const auto& ref : node.ownerReferences) {
    if (!ref.is_object()) {
      continue;
    }
    auto it = dependents_.find(ref.value("uid", ""));
    if (it != dependents_.end()) {
      it->second.erase(node.uid);
      if (it->second.empty()) {
        dependents_.erase(it);
      }
    }
  }
}

void GarbageCollector::upsert(size_t resource, const json& object) {
  Node node;
  node.resource = resource;
  node.namespace_ = metaString(object, "namespace");
  node.name = metaString(object, "name");
  node.uid = metaString(object, "uid");
  if (node.uid.empty()) {
    return;
  }
  node.ownerReferences = ownerReferences(object);
  node.deleting = isDeleting(object);
  node.foreground = node.deleting && hasFinalizer(object, kForegroundFinalizer);
  node.orphan = node.deleting && hasFinalizer(object, kOrphanFinalizer);

  std::lock_guard lock(mu_);
  auto it = nodes_.find(node.uid);
  bool refsChanged = true;
  if (it != nodes_.end()) {
    refsChanged = it->second.ownerReferences != node.ownerReferences;
    if (refsChanged) {
      unlinkLocked(it->second);
      // An owner waiting for this dependent may be done now.
      for (const auto& ref : it->second.ownerReferences) {
        auto owner = nodes_.find(ref.value("uid", ""));
        if (owner != nodes_.end() && owner->second.deleting) {
          queue_.add("o/" + owner->first);
        }
      }
    }
  }
  if (refsChanged) {
    linkLocked(node);
  }
  if (refsChanged && !node.ownerReferences.empty()) {
    queue_.add("d/" + node.uid);
  }
  if (node.foreground || node.orphan) {
    queue_.add("o/" + node.uid);
  }
  nodes_[node.uid] = std::move(node);
}

void GarbageCollector::erase(const json& object) {
  std::string uid = metaString(object, "uid");
  std::lock_guard lock(mu_);
  auto it = nodes_.find(uid);
  if (it == nodes_.end()) {
    return;
  }
  Node node = std::move(it->second);
  nodes_.erase(it);
  unlinkLocked(node);
  // Its dependents may be garbage now; its owners may be waiting for it.
  if (auto deps = dependents_.find(uid); deps != dependents_.end()) {
    for (const auto& dep : deps->second) {
      queue_.add("d/" + dep);
    }
  }
  for (const auto& ref : node.ownerReferences) {
    auto owner = nodes_.find(ref.value("uid", ""));
    if (owner != nodes_.end() && owner->second.deleting) {
      queue_.add("o/" + owner->first);
    }
  }
}

Status GarbageCollector::processKey(const std::string& key) {
  std::string uid = key.substr(2);
  if (key[0] == 'r') {
    std::lock_guard lock(mu_);
    rechecks_.erase(uid);
  }
  return key[0] == 'd' ? processDependent(uid) : processOwner(uid);
}

const GcResource* GarbageCollector::resourceFor(const std::string& apiVersion,
                                                const std::string& kind) const {
  const GcResource* sameGroup = nullptr;
  for (const auto& r : resources_) {
    if (r.kind != kind) {
      continue;
    }
    if (r.apiVersion() == apiVersion) {
      return &r;
    }
    if (r.group == groupOf(apiVersion)) {
      sameGroup = &r;  // another version of the same kind: the same object
    }
  }
  return sameGroup;
}

Result<std::optional<json>> GarbageCollector::liveObject(const Node& node) {
  const GcResource& r = resources_[node.resource];
  auto live = client_.get(r.clientResource(node.namespace_), node.name);
  if (!live) {
    if (live.error().code() == ErrorCode::kNotFound) {
      return std::optional<json>();
    }
    return fail(std::move(live.error()).wrap(fmt::format("get {} '{}'", r.resource, node.name)));
  }
  if (metaString(*live, "uid") != node.uid) {
    return std::optional<json>();
  }
  return std::optional<json>(std::move(*live));
}

Result<GarbageCollector::OwnerState> GarbageCollector::ownerState(const Node& dependent,
                                                                  const json& ref) {
  std::string uid = ref.value("uid", "");
  {
    std::lock_guard lock(mu_);
    auto it = nodes_.find(uid);
    if (it != nodes_.end()) {
      return it->second.foreground ? OwnerState::kWaiting : OwnerState::kSolid;
    }
  }
  const GcResource* r = resourceFor(ref.value("apiVersion", ""), ref.value("kind", ""));
  if (r == nullptr) {
    return OwnerState::kSolid;  // a kind we cannot look up: never collect by mistake
  }
  // Absent from the graph: maybe the informer lags. Ask the server (by name).
  auto live = client_.get(r->clientResource(dependent.namespace_), ref.value("name", ""));
  if (!live) {
    if (live.error().code() == ErrorCode::kNotFound) {
      return OwnerState::kDangling;
    }
    return fail(std::move(live.error())
                    .wrap(fmt::format("get owner {} '{}'", r->resource, ref.value("name", ""))));
  }
  if (metaString(*live, "uid") != uid) {
    return OwnerState::kDangling;  // re-created under the same name: not our owner
  }
  if (isDeleting(*live) && hasFinalizer(*live, kForegroundFinalizer)) {
    return OwnerState::kWaiting;
  }
  return OwnerState::kSolid;
}

Status GarbageCollector::processDependent(const std::string& uid) {
  Node node;
  bool hasDependents = false;
  {
    std::lock_guard lock(mu_);
    auto it = nodes_.find(uid);
    if (it == nodes_.end()) {
      return ok();
    }
    node = it->second;
    auto deps = dependents_.find(uid);
    hasDependents = deps != dependents_.end() && !deps->second.empty();
    // The common case costs no request: every owner is in the graph and not going away.
    bool allSolid = true;
    for (const auto& ref : node.ownerReferences) {
      auto owner = nodes_.find(ref.value("uid", ""));
      allSolid = allSolid && owner != nodes_.end() && !owner->second.foreground;
    }
    if (allSolid) {
      return ok();
    }
  }
  if (node.deleting || node.ownerReferences.empty()) {
    return ok();  // being deleted already (a foreground one is served as an owner)
  }
  BERTH_ASSIGN_OR_RETURN(auto live, liveObject(node));
  if (!live) {
    return ok();
  }
  if (isDeleting(*live)) {
    return ok();
  }
  json refs = ownerReferences(*live);
  if (refs.empty()) {
    return ok();
  }
  std::set<std::string> dangling;
  std::set<std::string> waiting;
  int solid = 0;
  for (const auto& ref : refs) {
    BERTH_ASSIGN_OR_RETURN(auto state, ownerState(node, ref));
    switch (state) {
      case OwnerState::kSolid:
        ++solid;
        break;
      case OwnerState::kDangling:
        dangling.insert(ref.value("uid", ""));
        break;
      case OwnerState::kWaiting:
        waiting.insert(ref.value("uid", ""));
        break;
    }
  }
  const GcResource& r = resources_[node.resource];
  if (solid > 0) {
    if (dangling.empty() && waiting.empty()) {
      return ok();
    }
    // Still owned: only the references to gone (or going) owners are dropped.
    std::set<std::string> drop = dangling;
    drop.insert(waiting.begin(), waiting.end());
    return removeOwnerRefs(node, drop);
  }
  client::DeleteOptions options;
  options.preconditionUid = node.uid;
  bool orphan = hasFinalizer(*live, kOrphanFinalizer);
  if ((!waiting.empty() && hasDependents) ||
      (!orphan && hasFinalizer(*live, kForegroundFinalizer))) {
    options.propagationPolicy = "Foreground";
  } else if (orphan) {
    options.propagationPolicy = "Orphan";
  } else {
    options.propagationPolicy = "Background";
  }
  spdlog::info(
      "{}: deleting {} '{}/{}' (uid '{}'): its owners are gone or being deleted, propagation {}",
      kComponent, r.resource, node.namespace_, node.name, node.uid, options.propagationPolicy);
  auto removed = client_.remove(r.clientResource(node.namespace_), node.name, options);
  if (!removed && removed.error().code() != ErrorCode::kNotFound &&
      removed.error().code() != ErrorCode::kConflict) {
    return fail(
        std::move(removed.error()).wrap(fmt::format("delete {} '{}'", r.resource, node.name)));
  }
  return ok();
}

Status GarbageCollector::processOwner(const std::string& uid) {
  Node node;
  std::vector<Node> deps;
  {
    std::lock_guard lock(mu_);
    auto it = nodes_.find(uid);
    if (it == nodes_.end() || !it->second.deleting) {
      return ok();
    }
    node = it->second;
    if (auto d = dependents_.find(uid); d != dependents_.end()) {
      for (const auto& depUid : d->second) {
        if (auto dep = nodes_.find(depUid); dep != nodes_.end()) {
          deps.push_back(dep->second);
        }
      }
    }
  }
  BERTH_ASSIGN_OR_RETURN(auto live, liveObject(node));
  if (!live || !isDeleting(*live)) {
    return ok();
  }
  if (hasFinalizer(*live, kOrphanFinalizer)) {
    for (const auto& dep : deps) {
      BERTH_TRY_STATUS(removeOwnerRefs(dep, {uid}));
    }
    return removeFinalizer(node, kOrphanFinalizer);
  }
  if (!hasFinalizer(*live, kForegroundFinalizer)) {
    return ok();
  }
  int blocking = 0;
  for (const auto& dep : deps) {
    for (const auto& ref : dep.ownerReferences) {
      if (ref.value("uid", "") == uid && ref.value("blockOwnerDeletion", false)) {
        ++blocking;
        break;
      }
    }
    if (!dep.deleting) {
      queue_.add("d/" + dep.uid);
    }
  }
  if (blocking > 0) {
    // The dependents' deletions bring it back; this is the safety net, one pending at a time.
    bool schedule = false;
    {
      std::lock_guard lock(mu_);
      schedule = rechecks_.insert(uid).second;
    }
    if (schedule) {
      queue_.addAfter("r/" + uid, kForegroundRecheck);
    }
    return ok();
  }
  return removeFinalizer(node, kForegroundFinalizer);
}

Status GarbageCollector::removeOwnerRefs(const Node& node, const std::set<std::string>& uids) {
  const GcResource& r = resources_[node.resource];
  for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
    BERTH_ASSIGN_OR_RETURN(auto live, liveObject(node));
    if (!live) {
      return ok();
    }
    json kept = json::array();
    for (const auto& ref : ownerReferences(*live)) {
      if (!uids.contains(ref.value("uid", ""))) {
        kept.push_back(ref);
      }
    }
    if (kept.size() == ownerReferences(*live).size()) {
      return ok();
    }
    json patch = {{"metadata",
                   {{"resourceVersion", metaString(*live, "resourceVersion")},
                    {"ownerReferences", kept.empty() ? json() : kept}}}};
    auto patched = client_.patch(r.clientResource(node.namespace_), node.name,
                                 client::PatchType::kMerge, patch);
    if (patched || patched.error().code() == ErrorCode::kNotFound) {
      return ok();
    }
    if (patched.error().code() != ErrorCode::kConflict) {
      return fail(
          std::move(patched.error())
              .wrap(fmt::format("remove owner references of {} '{}'", r.resource, node.name)));
    }
  }
  return fail(ErrorCode::kConflict, "remove owner references of {} '{}': too many conflicts",
              r.resource, node.name);
}

Status GarbageCollector::removeFinalizer(const Node& node, const std::string& finalizer) {
  const GcResource& r = resources_[node.resource];
  for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
    BERTH_ASSIGN_OR_RETURN(auto live, liveObject(node));
    if (!live || !hasFinalizer(*live, finalizer)) {
      return ok();
    }
    json kept = json::array();
    for (const auto& f : (*live)["metadata"]["finalizers"]) {
      if (f != finalizer) {
        kept.push_back(f);
      }
    }
    json patch = {{"metadata",
                   {{"resourceVersion", metaString(*live, "resourceVersion")},
                    {"finalizers", kept.empty() ? json() : kept}}}};
    auto patched = client_.patch(r.clientResource(node.namespace_), node.name,
                                 client::PatchType::kMerge, patch);
    if (patched || patched.error().code() == ErrorCode::kNotFound) {
      spdlog::info("{}: removed finalizer '{}' from {} '{}/{}'", kComponent, finalizer, r.resource,
                   node.namespace_, node.name);
      return ok();
    }
    if (patched.error().code() != ErrorCode::kConflict) {
      return fail(std::move(patched.error())
                      .wrap(fmt::format("remove finalizer '{}' of {} '{}'", finalizer, r.resource,
                                        node.name)));
    }
  }
  return fail(ErrorCode::kConflict, "remove finalizer '{}' of {} '{}': too many conflicts",
              finalizer, r.resource, node.name);
}

}  // namespace berth::controllers
