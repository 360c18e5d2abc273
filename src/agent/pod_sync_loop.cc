#include "agent/pod_sync_loop.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <sstream>

#include "agent/image/snapshot.h"
#include "api/pod_codec.h"
#include "base/files.h"

namespace berth::agent {
namespace fs = std::filesystem;

PodSyncLoop::PodSyncLoop(SyncOptions options, image::ImageStore& images, runtime::Runtime& runtime,
                         network::PodNetwork& network, Clock& clock)
    : options_(std::move(options)),
      images_(images),
      runtime_(runtime),
      network_(network),
      clock_(clock),
      probeExecutor_(makeProbeExecutor(runtime)),
      prober_(std::make_unique<Prober>(*probeExecutor_, clock)) {
  ProberCallbacks callbacks;
  callbacks.changed = [this](const std::string& uid) { queue_.add(uid); };
  callbacks.kill = [this](const std::string& uid, const std::string& container,
                          const std::string& runtimeId, ProbeKind kind) {
    std::lock_guard lock(mu_);
    auto it = pods_.find(uid);
    if (it != pods_.end()) {
      it->second->probeKills[container] = {runtimeId, kind};
      queue_.add(uid);
    }
  };
  prober_->setCallbacks(std::move(callbacks));
}

PodSyncLoop::~PodSyncLoop() {
  stop();
}

fs::path PodSyncLoop::podDir(const std::string& uid) const {
  return options_.root / "pods" / uid;
}

Status PodSyncLoop::start() {
  BERTH_TRY_STATUS(files::makeDirs(options_.root / "pods"));
  BERTH_TRY_STATUS(files::makeDirs(options_.root / "logs"));
  inotifyFd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  stopFd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (inotifyFd_ < 0 || stopFd_ < 0) {
    return fail(errnoError(errno, "inotify_init"));
  }
  // Adopt what a previous run of the agent left: every recorded pod comes back as it was; the
  // first sync reconciles it with the sources' wishes.
  BERTH_ASSIGN_OR_RETURN(auto uids, files::listDir(options_.root / "pods"));
  std::vector<fs::path> unrecorded;
  for (const auto& uid : uids) {
    auto record = loadRecord(podDir(uid) / "record.json");
    if (!record) {
      spdlog::warn("pod dir '{}' has no usable record ({}); removing it", uid,
                   record.error().message());
      unrecorded.push_back(podDir(uid));
      continue;
    }
    auto entry = std::make_shared<Entry>();
    entry->record = std::move(*record);
    entry->source = entry->record.source;
    entry->current = entry->record.pod;
    if (auto status = files::read(podDir(uid) / "status.json")) {
      auto j = nlohmann::json::parse(*status, nullptr, false);
      if (auto pod = api::decodePod(j); pod) {
        entry->current = std::move(*pod);
      }
    }
    for (const auto& c : entry->record.containers) {
      if (c.started) {
        watchContainer(uid, c.dir);
      }
    }
    spdlog::info("adopted pod '{}/{}' ({})", entry->record.pod.metadata.namespace_,
                 entry->record.pod.metadata.name, uid);
    std::lock_guard lock(mu_);
    pods_[uid] = entry;
  }
  cleanupOrphans();
  // Debris of pods without a record: their containers went with cleanupOrphans(); what is
  // still mounted under their directories (root filesystems, namespace files) goes now.
  for (const auto& dir : unrecorded) {
    unmountAllUnder(dir);
    if (auto s = files::removeAll(dir); !s) {
      spdlog::warn("{}", s.error().message());
    }
  }
  running_ = true;
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    workers_.emplace_back([this] { workerLoop(); });
  }
  exitWatcher_ = std::thread([this] { exitWatchLoop(); });
  prober_->start();
  std::lock_guard lock(mu_);
  for (const auto& [uid, entry] : pods_) {
    queue_.add(uid);
  }
  return ok();
}

void PodSyncLoop::stop() {
  if (!running_.exchange(false)) {
    return;
  }
  prober_->stop();
  queue_.shutDown();
  uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(stopFd_, &one, sizeof(one));
  for (auto& t : workers_) {
    t.join();
  }
  workers_.clear();
  if (exitWatcher_.joinable()) {
    exitWatcher_.join();
  }
  ::close(inotifyFd_);
  ::close(stopFd_);
  inotifyFd_ = stopFd_ = -1;
}

void PodSyncLoop::setPods(const std::string& source, std::vector<DesiredPod> pods) {
  std::lock_guard lock(mu_);
  std::set<std::string> wanted;
  for (auto& d : pods) {
    wanted.insert(d.pod.metadata.uid);
    upsertLocked(source, d);
  }
  for (auto& [uid, entry] : pods_) {
    if (entry->source == source && wanted.count(uid) == 0) {
      dropLocked(uid, *entry);
    }
  }
}

void PodSyncLoop::applyPods(const std::string& source, std::vector<DesiredPod> changed,
                            const std::vector<std::string>& removed) {
  std::lock_guard lock(mu_);
  for (const auto& uid : removed) {
    auto it = pods_.find(uid);
    if (it != pods_.end() && it->second->source == source) {
      dropLocked(uid, *it->second);
    }
  }
  for (auto& d : changed) {
    upsertLocked(source, d);
  }
}

bool PodSyncLoop::hasPod(const std::string& uid) const {
  std::lock_guard lock(mu_);
  return pods_.contains(uid);
}

void PodSyncLoop::upsertLocked(const std::string& source, DesiredPod& d) {
  const std::string uid = d.pod.metadata.uid;
  const auto& deletion = d.pod.metadata.deletionTimestamp;
  auto it = pods_.find(uid);
  if (it != pods_.end()) {
    Entry& e = *it->second;
    const auto& grace = d.pod.metadata.deletionGracePeriodSeconds;
    if (deletion && e.desired) {
      // Deleted at the source: terminate it with the deletion's grace period.
      e.desired = false;
      e.deletionGrace = grace;
      e.current.metadata.deletionTimestamp = deletion;
      e.current.metadata.deletionGracePeriodSeconds = grace;
      queue_.add(uid);
    } else if (deletion) {
      // A shorter grace period (a forced delete) applies if the teardown has not begun.
      if (grace && (!e.deletionGrace || *grace < *e.deletionGrace)) {
        e.deletionGrace = grace;
      }
    } else if (!e.desired) {
      e.desired = true;  // came back before its teardown ran
      queue_.add(uid);
    }
    return;
  }
  auto entry = std::make_shared<Entry>();
  entry->source = source;
  if (deletion) {
    entry->desired = false;
    entry->deletionGrace = d.pod.metadata.deletionGracePeriodSeconds;
  }
  entry->record.pod = std::move(d.pod);
  entry->record.source = source;
  if (!d.invalidMessage.empty()) {
    entry->record.invalidReason = "Invalid";
    entry->record.invalidMessage = d.invalidMessage;
  }
  entry->current = entry->record.pod;
  entry->current.status.phase = "Pending";
  pods_[uid] = entry;
  queue_.add(uid);
}

void PodSyncLoop::dropLocked(const std::string& uid, Entry& entry) {
  if (!entry.desired) {
    return;
  }
  entry.desired = false;
  // Shown as Terminating until its containers are gone.
  entry.current.metadata.deletionTimestamp = rfc3339(clock_.now());
  queue_.add(uid);
}

std::vector<api::Pod> PodSyncLoop::pods() const {
  std::lock_guard lock(mu_);
  std::vector<api::Pod> out;
  for (const auto& [uid, entry] : pods_) {
    out.push_back(entry->current);
  }
  return out;
}

std::set<std::string> PodSyncLoop::imagesInUse() const {
  std::lock_guard lock(mu_);
  std::set<std::string> out;
  for (const auto& [uid, entry] : pods_) {
    for (const auto& cs : entry->current.status.containerStatuses) {
      if (!cs.imageID.empty()) {
        out.insert(cs.imageID);
      }
    }
    for (const auto& cs : entry->current.status.initContainerStatuses) {
      if (!cs.imageID.empty()) {
        out.insert(cs.imageID);
      }
    }
  }
  return out;
}

void PodSyncLoop::setStatusListener(StatusListener listener) {
  std::lock_guard lock(mu_);
  listener_ = std::move(listener);
}

void PodSyncLoop::setRemovedListener(RemovedListener listener) {
  std::lock_guard lock(mu_);
  removedListener_ = std::move(listener);
}

void PodSyncLoop::setEventSink(EventSinkPtr sink) {
  std::lock_guard lock(mu_);
  events_ = sink;
  prober_->setEventSink(std::move(sink));
}

void PodSyncLoop::setObjectResolver(ObjectResolverPtr resolver) {
  std::lock_guard lock(mu_);
  resolver_ = std::move(resolver);
}

void PodSyncLoop::emit(const api::Pod& pod, PodEvent event) {
  // events_ is set before start() and never changes afterwards.
  if (events_) {
    events_->record(pod, std::move(event));
  }
}

Result<ContainerLocation> PodSyncLoop::locate(const std::string& namespace_, const std::string& pod,
                                              const std::string& container) {
  EntryPtr entry;
  {
    std::lock_guard lock(mu_);
    for (const auto& [uid, e] : pods_) {
      if (e->current.metadata.name == pod && e->current.metadata.namespace_ == namespace_ &&
          e->desired) {
        entry = e;
      }
    }
  }
  if (!entry) {
    return fail(ErrorCode::kNotFound, "pod '{}/{}' not found", namespace_, pod);
  }
  std::lock_guard lock(entry->mu);
  const PodRecord& rec = entry->record;
  const ContainerRecord* found = nullptr;
  for (const auto& c : rec.containers) {
    if ((container.empty() && !c.init) || c.name == container) {
      found = &c;
      break;
    }
  }
  if (!found) {
    return fail(ErrorCode::kNotFound, "container '{}' is not valid for pod '{}'", container, pod);
  }
  ContainerLocation loc;
  loc.podUid = rec.uid();
  loc.container = found->name;
  loc.dir = found->dir;
  loc.logPath = found->logPath;
  if (!found->previousLogPath.empty()) {
    loc.previousLogPath = found->previousLogPath;
  }
  loc.running =
      found->started && runtime_.state(found->dir).status == runtime::ContainerStatus::kRunning;
  return loc;
}

void PodSyncLoop::workerLoop() {
  while (auto uid = queue_.get()) {
    auto again = sync(*uid);
    queue_.done(*uid);
    if (again.count() > 0) {
      queue_.addAfter(*uid, again);
    }
  }
}

void PodSyncLoop::watchContainer(const std::string& uid, const fs::path& dir) {
  if (inotifyFd_ < 0 || dir.empty()) {
    return;
  }
  // The monitor renames exited.json into place when the container ends.
  int wd = ::inotify_add_watch(inotifyFd_, dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE);
  if (wd >= 0) {
    std::lock_guard lock(watchMu_);
    watches_[wd] = uid;
  }
}

void PodSyncLoop::exitWatchLoop() {
  alignas(inotify_event) char buf[8192];
  while (running_) {
    pollfd fds[2] = {{inotifyFd_, POLLIN, 0}, {stopFd_, POLLIN, 0}};
    int rc = ::poll(fds, 2, static_cast<int>(options_.resyncPeriod.count()));
    if (!running_) {
      return;
    }
    if (rc == 0) {
      // Periodic resync: catches what no event announced (e.g. a monitor killed by hand).
      std::lock_guard lock(mu_);
      for (const auto& [uid, entry] : pods_) {
        queue_.add(uid);
      }
      continue;
    }
    if (rc < 0 || !(fds[0].revents & POLLIN)) {
      continue;
    }
    ssize_t n = ::read(inotifyFd_, buf, sizeof(buf));
    for (ssize_t off = 0; off < n;) {
      auto* ev = reinterpret_cast<inotify_event*>(buf + off);
      off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
      std::string name = ev->len > 0 ? ev->name : "";
      std::lock_guard lock(watchMu_);
      auto it = watches_.find(ev->wd);
      if (it == watches_.end()) {
        continue;
      }
      if (ev->mask & IN_IGNORED) {
        watches_.erase(it);
        continue;
      }
      if (name == "exited.json") {
        queue_.add(it->second);
      }
    }
  }
}

void PodSyncLoop::publish(const EntryPtr& entry) {
  StatusListener listener;
  api::Pod pod;
  {
    std::lock_guard lock(mu_);
    pod = entry->current;
    listener = listener_;
  }
  // A view for `berth agent pods` and a head start after a restart; recomputed by every sync.
  auto written = files::writeAtomic(podDir(pod.metadata.uid) / "status.json",
                                    api::encodePod(pod).dump(), 0644, files::Durability::kVolatile);
  if (!written) {
    spdlog::warn("pod '{}': {}", pod.metadata.name, written.error().message());
  }
  if (listener) {
    listener(pod, entry->source);
  }
}

Status PodSyncLoop::saveRecord(const Entry& entry) {
  return agent::saveRecord(podDir(entry.record.uid()) / "record.json", entry.record);
}

std::map<size_t, runtime::ContainerState> PodSyncLoop::liveStates(const PodRecord& record) {
  std::map<size_t, runtime::ContainerState> out;
  for (size_t i = 0; i < record.containers.size(); ++i) {
    const auto& c = record.containers[i];
    if (c.started && !c.dir.empty()) {
      out[i] = runtime_.state(c.dir);
    }
  }
  return out;
}

std::map<std::string, ContainerProbeStatus> PodSyncLoop::updateProbes(
    const Entry& entry, const std::map<size_t, runtime::ContainerState>& live) {
  const PodRecord& rec = entry.record;
  std::vector<ProbeTarget> running;
  for (const auto& [index, state] : live) {
    const ContainerRecord& c = rec.containers[index];
    if (c.init || state.status != runtime::ContainerStatus::kRunning) {
      continue;
    }
    ProbeTarget t;
    t.container = c.name;
    t.runtimeId = c.runtimeId;
    t.dir = c.dir;
    t.podIP = rec.podIP;
    for (const auto& spec : rec.pod.spec.containers) {
      if (spec.name == c.name) {
        t.ports = spec.ports;
      }
    }
    t.startedAt = Clock::WallTime(std::chrono::milliseconds(c.startedAtMs));
    running.push_back(std::move(t));
  }
  prober_->update(rec.pod, running);
  return prober_->status(rec.uid());
}

std::optional<ProbeKind> PodSyncLoop::takeProbeKill(Entry& entry, const std::string& container,
                                                    const std::string& runtimeId) {
  std::lock_guard lock(mu_);
  auto it = entry.probeKills.find(container);
  if (it == entry.probeKills.end()) {
    return std::nullopt;
  }
  auto [id, kind] = it->second;
  entry.probeKills.erase(it);
  if (id != runtimeId) {
    return std::nullopt;  // about an instance that is gone already
  }
  return kind;
}

void unmountAllUnder(const fs::path& dir) {
  auto table = files::read("/proc/self/mountinfo");
  if (!table) {
    return;
  }
  std::vector<std::string> points;
  std::istringstream in(*table);
  std::string line;
  std::string prefix = dir.string() + "/";
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point;
    fields >> id >> parent >> dev >> root >> point;
    if (point.rfind(prefix, 0) == 0 || point == dir.string()) {
      points.push_back(point);
    }
  }
  // Deepest first, so that no mount hides another.
  std::sort(points.begin(), points.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& p : points) {
    if (::umount2(p.c_str(), MNT_DETACH) != 0) {
      spdlog::warn("unmount '{}': {}", p, std::strerror(errno));
    }
  }
}

void PodSyncLoop::cleanupOrphans() {
  // Runtime containers under our state root that no record names: a crash between starting
  // an instance and recording it cannot happen (records come first), but a record removed by
  // hand or a failed teardown can leave them.
  std::set<std::string> known;
  {
    std::lock_guard lock(mu_);
    for (const auto& [uid, entry] : pods_) {
      for (const auto& c : entry->record.containers) {
        known.insert(c.runtimeId);
      }
    }
  }
  if (auto ids = runtime_.listIds()) {
    for (const auto& id : *ids) {
      if (known.count(id) == 0) {
        spdlog::info("removing orphaned container '{}'", id);
        if (auto s = runtime_.forceDelete(id); !s) {
          spdlog::warn("{}", s.error().message());
        }
      }
    }
  }
}

}  // namespace berth::agent
