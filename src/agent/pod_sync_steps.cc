// The steps of one pod sync: sandbox, volumes, init containers in order, then the containers,
// restarts with back-off, and teardown. See pod_sync_loop.h for the model.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>

#include "agent/config_sources.h"
#include "agent/container_builder.h"
#include "agent/image/snapshot.h"
#include "agent/pod_files.h"
#include "agent/pod_status.h"
#include "agent/pod_sync_loop.h"
#include "api/pod_codec.h"
#include "base/files.h"

namespace berth::agent {
namespace fs = std::filesystem;
using std::chrono::milliseconds;

namespace {

// An instance that ran this long resets the restart back-off, as the kubelet does.
constexpr int64_t kBackoffResetMs = int64_t{10} * 60 * 1000;
// Retry of a sandbox that could not be created.
constexpr milliseconds kSandboxRetry{2000};

int64_t epochMs(Clock::WallTime t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

const api::Container* findSpec(const std::vector<api::Container>& list, const std::string& name) {
  for (const auto& c : list) {
    if (c.name == name) {
      return &c;
    }
  }
  return nullptr;
}

std::vector<network::PortMapping> hostPorts(const api::Pod& pod) {
  std::vector<network::PortMapping> out;
  for (const auto& c : pod.spec.containers) {
    for (const auto& p : c.ports) {
      if (p.hostPort > 0) {
        network::PortMapping m;
        m.hostPort = p.hostPort;
        m.containerPort = p.containerPort;
        m.protocol = p.protocol.empty() ? "tcp" : p.protocol;
        std::transform(m.protocol.begin(), m.protocol.end(), m.protocol.begin(), ::tolower);
        m.hostIP = p.hostIP;
        out.push_back(m);
      }
    }
  }
  return out;
}

image::PullPolicy pullPolicy(const std::string& policy) {
  if (policy == "Always") {
    return image::PullPolicy::kAlways;
  }
  if (policy == "Never") {
    return image::PullPolicy::kNever;
  }
  return image::PullPolicy::kIfNotPresent;
}

void lower(milliseconds& wake, milliseconds d) {
  if (d.count() <= 0) {
    d = milliseconds(1);
  }
  if (wake.count() == 0 || d < wake) {
    wake = d;
  }
}

std::string hostnameOf(const api::Pod& pod) {
  std::string h = pod.spec.hostname.empty() ? pod.metadata.name : pod.spec.hostname;
  return h.substr(0, 63);
}

constexpr char kSandboxFailure[] = "failed to create pod sandbox: ";

// A sandbox exists after all: what an earlier failed attempt wrote is no longer true.
void clearSandboxFailure(PodRecord& rec) {
  for (auto& c : rec.containers) {
    if (c.waitingMessage.starts_with(kSandboxFailure)) {
      c.waitingMessage.clear();
      c.waitingReason.clear();
    }
  }
}

}  // namespace

milliseconds PodSyncLoop::sync(const std::string& uid) {
  EntryPtr entry;
  {
    std::lock_guard lock(mu_);
    auto it = pods_.find(uid);
    if (it == pods_.end()) {
      return milliseconds(0);
    }
    entry = it->second;
  }
  std::unique_lock elock(entry->mu);
  bool desired = true;
  std::optional<int64_t> grace;
  {
    std::lock_guard lock(mu_);
    desired = entry->desired;
    grace = entry->deletionGrace;
  }
  if (!desired) {
    prober_->remove(uid);
    publish(entry);  // Terminating
    if (auto s = teardown(*entry, grace); !s) {
      spdlog::warn("tear down pod '{}': {}", entry->record.pod.metadata.name, s.error().message());
      return kSandboxRetry;
    }
    spdlog::info("removed pod '{}/{}'", entry->record.pod.metadata.namespace_,
                 entry->record.pod.metadata.name);
    std::unique_lock lock(mu_);
    if (!entry->desired) {
      pods_.erase(uid);
      RemovedListener removed = removedListener_;
      api::Pod last = entry->current;
      lock.unlock();
      if (removed) {
        removed(last, entry->source);
      }
      return milliseconds(0);
    }
    // It was wanted again while being torn down: start over from a clean record.
    PodRecord fresh;
    fresh.pod = entry->record.pod;
    fresh.source = entry->record.source;
    entry->record = std::move(fresh);
    entry->sandbox.reset();
    entry->volumes.reset();
    return milliseconds(1);
  }

  milliseconds wake = syncPod(*entry);

  StatusInputs in;
  in.record = &entry->record;
  in.live = liveStates(entry->record);
  in.probes = updateProbes(*entry, in.live);
  in.hostIP = options_.hostIP;
  auto now = clock_.now();
  in.now = rfc3339(now);
  in.nowMs = epochMs(now);
  api::PodStatus previous;
  {
    std::lock_guard lock(mu_);
    previous = entry->current.status;
  }
  in.previous = &previous;
  api::PodStatus status = computePodStatus(in);
  api::Pod next = entry->record.pod;
  next.status = status;
  bool changed = true;
  {
    std::lock_guard lock(mu_);
    changed = api::encodePod(entry->current) != api::encodePod(next);
    if (changed) {
      entry->current = std::move(next);
    }
  }
  elock.unlock();
  if (changed) {
    publish(entry);
  }
  return wake;
}

milliseconds PodSyncLoop::syncPod(Entry& entry) {
  PodRecord& rec = entry.record;
  const api::Pod& pod = rec.pod;
  const std::string& uid = rec.uid();
  if (!rec.invalidReason.empty()) {
    return milliseconds(0);
  }
  milliseconds wake{0};
  fs::path dir = podDir(uid);
  if (rec.containers.empty()) {
    rec.startTime = rfc3339(clock_.now());
    for (const auto& c : pod.spec.initContainers) {
      rec.containers.push_back(ContainerRecord{.name = c.name, .init = true, .image = c.image});
    }
    for (const auto& c : pod.spec.containers) {
      rec.containers.push_back(ContainerRecord{.name = c.name, .image = c.image});
    }
  }

  // Sandbox: namespaces and network. Recorded before it is made, so a crash in between leaves
  // a record that teardown can clean from.
  if (rec.sandboxCreated && !entry.sandbox) {
    if (auto sb = network_.inspect(dir)) {
      entry.sandbox = *sb;
      if (rec.podIP.empty()) {
        rec.podIP = sb->ip;  // made just before a crash: the next record write keeps it
      }
      clearSandboxFailure(rec);
    } else {
      spdlog::warn("pod '{}': sandbox lost ({}); recreating", pod.metadata.name,
                   sb.error().message());
      (void)network_.destroy(uid, dir, hostPorts(pod));
      rec.sandboxCreated = false;
    }
  }
  if (!rec.sandboxCreated) {
    rec.sandboxCreated = true;
    if (auto s = saveRecord(entry); !s) {
      spdlog::warn("pod '{}': {}", pod.metadata.name, s.error().message());
      return kSandboxRetry;
    }
    auto sb = network_.create(uid, dir, hostnameOf(pod), hostPorts(pod));
    if (!sb) {
      rec.sandboxCreated = false;
      for (auto& c : rec.containers) {
        c.waitingReason = "ContainerCreating";
        c.waitingMessage = std::string(kSandboxFailure) + sb.error().message();
      }
      (void)saveRecord(entry);
      return kSandboxRetry;
    }
    entry.sandbox = *sb;
    rec.podIP = sb->ip;
    for (auto& c : rec.containers) {
      c.waitingMessage.clear();
      c.waitingReason.clear();
    }
    // Not saved here: the container start below writes the record (with the IP) before it
    // starts anything, and an agent that stops in between finds the IP again with inspect().
  }

  const std::string& policy = pod.spec.restartPolicy;
  // Init containers run one at a time, in order, each to success.
  for (size_t i = 0; i < rec.containers.size(); ++i) {
    ContainerRecord& c = rec.containers[i];
    if (!c.init) {
      continue;
    }
    const api::Container* spec = findSpec(pod.spec.initContainers, c.name);
    if (c.started) {
      auto st = runtime_.state(c.dir);
      if (st.status == runtime::ContainerStatus::kRunning) {
        return wake;  // its exit wakes us
      }
      if (st.exitCode == 0 && st.status == runtime::ContainerStatus::kExited) {
        continue;
      }
      if (!shouldRestart(policy, true, st.exitCode)) {
        return wake;  // the pod has failed
      }
    }
    if (spec) {
      startContainer(entry, i, *spec, wake);
    }
    return wake;
  }

  for (size_t i = 0; i < rec.containers.size(); ++i) {
    ContainerRecord& c = rec.containers[i];
    if (c.init) {
      continue;
    }
    const api::Container* spec = findSpec(pod.spec.containers, c.name);
    if (!spec) {
      continue;
    }
    if (c.started) {
      auto st = runtime_.state(c.dir);
      if (st.status == runtime::ContainerStatus::kRunning) {
        auto kind = takeProbeKill(entry, c.name, c.runtimeId);
        if (!kind) {
          continue;
        }
        killForProbe(entry, c, *spec, *kind);
        st = runtime_.state(c.dir);
        if (st.status == runtime::ContainerStatus::kRunning) {
          continue;  // it survived; the next sync looks again
        }
        // As the kubelet: a container killed for its probe restarts unless the policy is
        // Never, whatever its exit code (OnFailure included).
        if (policy == "Never") {
          continue;
        }
      } else if (!shouldRestart(policy, false, st.exitCode)) {
        continue;
      }
    }
    startContainer(entry, i, *spec, wake);
  }
  return wake;
}

void PodSyncLoop::killForProbe(Entry& entry, const ContainerRecord& c, const api::Container& spec,
                               ProbeKind kind) {
  const api::Pod& pod = entry.record.pod;
  // The probe's own grace period wins over the pod's, as in the kubelet.
  const auto& probe = kind == ProbeKind::kStartup ? spec.startupProbe : spec.livenessProbe;
  int64_t graceSec = pod.spec.terminationGracePeriodSeconds.value_or(30);
  if (probe && probe->terminationGracePeriodSeconds) {
    graceSec = *probe->terminationGracePeriodSeconds;
  }
  emit(pod, events::probeKilling(events::containerFieldPath(c.name, false), c.name,
                                 probeKindName(kind)));
  spdlog::info("pod '{}/{}': container '{}' failed its {} probe; killing it",
               pod.metadata.namespace_, pod.metadata.name, c.name, probeKindName(kind));
  if (auto s = runtime_.stop(c.dir, milliseconds(std::max<int64_t>(0, graceSec) * 1000)); !s) {
    spdlog::warn("pod '{}': stop container '{}': {}", pod.metadata.name, c.name,
                 s.error().message());
  }
}

void PodSyncLoop::startContainer(Entry& entry, size_t index, const api::Container& spec,
                                 milliseconds& wake) {
  PodRecord& rec = entry.record;
  ContainerRecord& c = rec.containers[index];
  const std::string& uid = rec.uid();
  int64_t nowMs = epochMs(clock_.now());
  const int64_t initial = options_.backoffInitial.count();
  const int64_t maxDelay = options_.backoffMax.count();

  // The end of an instance arms the back-off once: the first restart is immediate, later ones
  // wait initial, 2*initial, ... up to max; a long run resets it.
  if (c.started && c.backoffForAttempt != c.attempt) {
    if (c.startedAtMs > 0 && nowMs - c.startedAtMs > kBackoffResetMs) {
      c.backoffDelayMs = 0;
    }
    c.backoffUntilMs = nowMs + c.backoffDelayMs;
    c.backoffDelayMs = c.backoffDelayMs == 0 ? initial : std::min(c.backoffDelayMs * 2, maxDelay);
    c.backoffForAttempt = c.attempt;
    (void)saveRecord(entry);
  }
  const std::string fieldPath = events::containerFieldPath(c.name, c.init);
  if (nowMs < c.backoffUntilMs) {
    if (c.waitingReason == "ErrImagePull") {
      c.waitingReason = "ImagePullBackOff";
      c.waitingMessage = fmt::format("Back-off pulling image \"{}\"", spec.image);
    }
    if (c.waitingReason == "ImagePullBackOff") {
      emit(rec.pod, events::pullBackOff(fieldPath, spec.image));
      emit(rec.pod, events::failed(fieldPath, "ImagePullBackOff"));
    } else if (c.waitingReason.empty() && c.started) {
      emit(rec.pod, events::crashBackOff(fieldPath, c.name, rec.pod));
    }
    lower(wake, milliseconds(c.backoffUntilMs - nowMs));
    return;
  }
  // A failure to start (as opposed to an exit) backs off on its own schedule.
  auto failed = [&](const std::string& reason, const std::string& message, bool event = true) {
    if (event && reason == "ErrImagePull") {
      emit(rec.pod, events::pullFailed(fieldPath, spec.image, message));
      emit(rec.pod, events::failed(fieldPath, reason));
    } else if (event && reason == "ErrImageNeverPull") {
      emit(rec.pod, events::neverPull(fieldPath, spec.image));
      emit(rec.pod, events::failed(fieldPath, reason));
    } else if (event) {
      emit(rec.pod, events::failed(fieldPath, message));
    }
    c.waitingReason = reason;
    c.waitingMessage = message;
    int64_t delay = std::max(initial, c.backoffDelayMs);
    c.backoffUntilMs = nowMs + delay;
    c.backoffDelayMs = std::min(delay * 2, maxDelay);
    (void)saveRecord(entry);
    spdlog::warn("pod '{}/{}' container '{}': {}: {}", rec.pod.metadata.namespace_,
                 rec.pod.metadata.name, c.name, reason, message);
    // Look again soon so ErrImagePull turns into ImagePullBackOff, then at the back-off's end.
    lower(wake, std::min(milliseconds(1000), milliseconds(delay)));
  };

  auto t0 = std::chrono::steady_clock::now();
  auto since = [&t0] {
    auto now = std::chrono::steady_clock::now();
    double ms = std::chrono::duration<double, std::milli>(now - t0).count();
    t0 = now;
    return ms;
  };
  // The kubelet tells whether it pulls; the look-up costs a little, so only with an event sink.
  const image::PullPolicy policy = pullPolicy(spec.imagePullPolicy);
  bool pulling = false;
  if (events_) {
    bool present = policy != image::PullPolicy::kAlways && images_.get(spec.image).has_value();
    if (present) {
      emit(rec.pod, events::alreadyPresent(fieldPath, spec.image));
    } else if (policy != image::PullPolicy::kNever) {
      emit(rec.pod, events::pulling(fieldPath, spec.image));
      pulling = true;
    }
  }
  auto pullStart = std::chrono::steady_clock::now();
  auto img = images_.ensure(spec.image, policy, std::nullopt);
  spdlog::debug("timing: image {:.1f} ms", since());
  if (img && pulling) {
    auto took =
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - pullStart);
    emit(rec.pod, events::pulled(fieldPath, spec.image, took, took, img->size));
  }
  if (!img) {
    bool never = spec.imagePullPolicy == "Never";
    failed(never ? "ErrImageNeverPull" : "ErrImagePull", img.error().message());
    return;
  }

  // Retire the previous instance: its end becomes lastState, its log the "previous" log.
  if (c.started) {
    auto st = runtime_.state(c.dir);
    c.lastTerminated = terminatedState(st, "berth://" + c.runtimeId);
    c.restartCount++;
    if (!c.previousLogPath.empty()) {
      (void)files::removeAll(c.previousLogPath);
    }
    c.previousLogPath = c.logPath;
    c.started = false;
  }
  if (!c.dir.empty()) {
    (void)runtime_.remove(c.dir);
    (void)image::unmountRootfs(c.dir.parent_path() / "fs");
    (void)files::removeAll(c.dir.parent_path());
  }

  c.attempt++;
  std::string shortUid = uid;
  shortUid.erase(std::remove(shortUid.begin(), shortUid.end(), '-'), shortUid.end());
  c.runtimeId = fmt::format("{}-{}-{}", shortUid.substr(0, 16), c.name, c.attempt);
  fs::path instance = podDir(uid) / "containers" / fmt::format("{}-{}", c.name, c.attempt);
  c.dir = instance / "bundle";
  c.logPath = options_.root / "logs" /
              fmt::format("{}_{}_{}", rec.pod.metadata.namespace_, rec.pod.metadata.name, uid) /
              c.name / fmt::format("{}.log", c.restartCount);
  c.image = spec.image;
  c.imageId = img->id;
  if (auto s = saveRecord(entry); !s) {
    failed("CreateContainerError", s.error().message());
    return;
  }

  auto cleanupInstance = [&] {
    (void)image::unmountRootfs(instance / "fs");
    (void)files::removeAll(instance);
  };
  // ConfigMaps and Secrets come from the control plane, for its pods only.
  ObjectResolver* resolver = entry.source == "api" ? resolver_.get() : nullptr;
  if (!entry.volumes) {
    std::string volume;
    auto volumes = prepareVolumes(podDir(uid), rec.pod, resolver, &volume);
    if (!volumes) {
      emit(rec.pod, PodEvent{EventType::kWarning, "FailedMount",
                             fmt::format("MountVolume.SetUp failed for volume \"{}\" : {}", volume,
                                         volumes.error().message()),
                             ""});
      failed("CreateContainerConfigError", volumes.error().message(), false);
      return;
    }
    entry.volumes = std::move(*volumes);
  }
  std::optional<ResolvedEnv> resolvedEnv;
  if (resolver && needsObjects(spec)) {
    auto env = resolveEnv(rec.pod, spec, *resolver);
    if (!env) {
      failed("CreateContainerConfigError", env.error().message());
      return;
    }
    resolvedEnv = std::move(*env);
  }
  spdlog::debug("timing: retire+record+volumes {:.1f} ms", since());
  auto podFiles = writePodFiles(podDir(uid), rec.pod, rec.podIP);
  auto layers = images_.layerDirs(*img);
  if (!podFiles || !layers) {
    failed("CreateContainerError",
           !podFiles ? podFiles.error().message() : layers.error().message());
    return;
  }
  spdlog::debug("timing: pod files+layers {:.1f} ms", since());
  auto rootfs = image::mountRootfs(instance / "fs", *layers);
  spdlog::debug("timing: mount {:.1f} ms", since());
  if (!rootfs) {
    failed("CreateContainerError", rootfs.error().message());
    cleanupInstance();
    return;
  }
  BuildInputs in;
  in.pod = &rec.pod;
  in.container = &spec;
  in.imageConfig = &img->config;
  in.rootfs = *rootfs;
  in.volumePaths = *entry.volumes;
  in.hostsFile = podFiles->hosts;
  in.resolvConfFile = podFiles->resolvConf;
  in.hostnameFile = podFiles->hostname;
  in.pidsLimit = options_.pidsLimit;
  in.resolvedEnv = resolvedEnv ? &*resolvedEnv : nullptr;
  api::Pod withIP = rec.pod;
  withIP.status.podIP = rec.podIP;
  in.pod = &withIP;
  auto cs = buildContainerSpec(in);
  if (!cs) {
    failed("CreateContainerConfigError", cs.error().message());
    cleanupInstance();
    return;
  }
  cs->id = c.runtimeId;
  cs->dir = c.dir;
  cs->rootfs = *rootfs;
  if (entry.sandbox) {
    cs->netnsPath = entry.sandbox->netns.string();
    cs->ipcnsPath = entry.sandbox->ipcns.string();
    cs->utsnsPath = entry.sandbox->utsns.string();
  }
  cs->cgroupsPath = "/berth/" + c.runtimeId;
  cs->logPath = c.logPath;
  cs->logMaxBytes = options_.logMaxBytes;
  cs->logMaxFiles = options_.logMaxFiles;
  (void)files::makeDirs(c.dir);
  (void)files::makeDirs(c.logPath.parent_path());
  watchContainer(uid, c.dir);  // before start: a fast exit must not go unnoticed

  spdlog::debug("timing: spec {:.1f} ms", since());
  auto started = runtime_.start(*cs);
  spdlog::debug("timing: runtime start {:.1f} ms", since());
  if (!started) {
    failed("CreateContainerError", started.error().message());
    (void)runtime_.remove(c.dir);
    cleanupInstance();
    return;
  }
  c.started = true;
  c.startedAtMs = epochMs(clock_.now());
  c.waitingReason.clear();
  c.waitingMessage.clear();
  emit(rec.pod, events::created(fieldPath, c.name));
  emit(rec.pod, events::started(fieldPath, c.name));
  if (auto s = saveRecord(entry); !s) {
    spdlog::warn("pod '{}': {}", rec.pod.metadata.name, s.error().message());
  }
  spdlog::info("started container '{}' of pod '{}/{}' ({})", c.name, rec.pod.metadata.namespace_,
               rec.pod.metadata.name, c.runtimeId);
}

Status PodSyncLoop::teardown(Entry& entry, std::optional<int64_t> deletionGrace) {
  PodRecord& rec = entry.record;
  const api::Pod& pod = rec.pod;
  const std::string& uid = rec.uid();
  int64_t graceSec = deletionGrace.value_or(pod.metadata.deletionGracePeriodSeconds.value_or(
      pod.spec.terminationGracePeriodSeconds.value_or(30)));
  milliseconds grace(std::max<int64_t>(0, graceSec) * 1000);

  // Every container gets SIGTERM at once and the same grace period, as the kubelet does.
  std::vector<std::future<Status>> stops;
  for (const auto& c : rec.containers) {
    if (c.started && !c.dir.empty()) {
      if (events_ && runtime_.state(c.dir).status == runtime::ContainerStatus::kRunning) {
        emit(pod, events::killing(events::containerFieldPath(c.name, c.init), c.name));
      }
      stops.push_back(std::async(std::launch::async,
                                 [this, dir = c.dir, grace] { return runtime_.stop(dir, grace); }));
    }
  }
  Status result = ok();
  for (auto& f : stops) {
    if (auto s = f.get(); !s && result) {
      result = s;
    }
  }
  for (const auto& c : rec.containers) {
    if (c.dir.empty()) {
      continue;
    }
    if (auto s = runtime_.remove(c.dir); !s && result) {
      result = s;
    }
    if (auto s = image::unmountRootfs(c.dir.parent_path() / "fs"); !s && result) {
      result = s;
    }
  }
  if (!result) {
    return result;
  }
  fs::path dir = podDir(uid);
  BERTH_TRY_STATUS(cleanupVolumes(dir));
  if (rec.sandboxCreated) {
    BERTH_TRY_STATUS(network_.destroy(uid, dir, hostPorts(pod)));
  }
  BERTH_TRY_STATUS(files::removeAll(dir));
  return files::removeAll(options_.root / "logs" /
                          fmt::format("{}_{}_{}", pod.metadata.namespace_, pod.metadata.name, uid));
}

}  // namespace berth::agent
