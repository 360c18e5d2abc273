#include "agent/manifest_source.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include "api/pod_codec.h"
#include "api/validation.h"
#include "base/files.h"
#include "base/json_pointer.h"
#include "base/sha256.h"

namespace berth::agent {
namespace fs = std::filesystem;

namespace {

// A stable uid for a static pod: the same file content at the same path is the same pod.
std::string staticUid(const fs::path& file, const std::string& content) {
  Sha256 h;
  h.update(file.string());
  h.update("\n", 1);
  h.update(content);
  std::string x = h.hexDigest();
  return x.substr(0, 8) + "-" + x.substr(8, 4) + "-" + x.substr(12, 4) + "-" + x.substr(16, 4) +
         "-" + x.substr(20, 12);
}

bool isManifest(const std::string& name) {
  if (name.empty() || name[0] == '.') {
    return false;  // editors' and atomic writers' temporaries
  }
  auto ext = fs::path(name).extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

DesiredPod invalidPod(const std::string& name, const std::string& ns, const std::string& uid,
                      const std::string& message) {
  DesiredPod d;
  d.pod.metadata.name = name;
  d.pod.metadata.namespace_ = ns.empty() ? "default" : ns;
  d.pod.metadata.uid = uid;
  d.invalidMessage = message;
  return d;
}

}  // namespace

ManifestSource::ManifestSource(fs::path dir, PodSyncLoop& loop)
    : dir_(std::move(dir)), loop_(loop), sourceName_("file:" + dir_.string()) {}

ManifestSource::~ManifestSource() {
  stop();
}

std::vector<DesiredPod> ManifestSource::parseFile(const fs::path& file, const std::string& text) {
  std::vector<DesiredPod> out;
  std::string name = file.filename().string();
  std::string stem = file.stem().string();
  auto docs = api::parseManifest(text);
  if (!docs) {
    out.push_back(invalidPod(stem, "", staticUid(file, text),
                             fmt::format("{}: {}", name, docs.error().message())));
    return out;
  }
  for (const auto& doc : *docs) {
    std::string content = doc.dump();
    std::string uid = staticUid(file, content);
    std::string podName = stringAtPointer(doc, "/metadata/name", stem);
    std::string ns = stringAtPointer(doc, "/metadata/namespace", "default");
    auto pod = api::decodePod(doc);
    if (!pod) {
      out.push_back(invalidPod(podName, ns, uid, pod.error().message()));
      continue;
    }
    api::setPodDefaults(*pod);
    pod->metadata.uid = uid;
    auto errors = api::validatePod(*pod);
    if (!errors.empty()) {
      out.push_back(
          invalidPod(podName, ns, uid, api::invalidMessage("Pod", pod->metadata.name, errors)));
      continue;
    }
    out.push_back(DesiredPod{std::move(*pod), ""});
  }
  return out;
}

std::vector<DesiredPod> ManifestSource::scan(const fs::path& dir, Cache* cache) {
  std::vector<DesiredPod> out;
  std::map<std::string, std::string> seen;  // namespace/name -> file
  auto names = files::listDir(dir);
  if (!names) {
    return out;
  }
  Cache fresh;
  for (const auto& name : *names) {
    if (!isManifest(name)) {
      continue;
    }
    fs::path file = dir / name;
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
      continue;  // removed while we looked
    }
    // Files are replaced, not edited in place, by careful writers; size, inode and mtime
    // together still catch an in-place edit.
    CachedFile key{
        st.st_ino, st.st_size, st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec, {}};
    const CachedFile* hit = nullptr;
    if (cache) {
      auto it = cache->find(name);
      if (it != cache->end() && it->second.inode == key.inode && it->second.size == key.size &&
          it->second.mtimeNs == key.mtimeNs) {
        hit = &it->second;
      }
    }
    if (hit) {
      key.pods = hit->pods;
    } else {
      auto text = files::read(file);
      if (!text) {
        continue;
      }
      key.pods = parseFile(file, *text);
    }
    for (const auto& d : key.pods) {
      if (!d.invalidMessage.empty()) {
        out.push_back(d);
        continue;
      }
      std::string podKey = d.pod.metadata.namespace_ + "/" + d.pod.metadata.name;
      if (auto it = seen.find(podKey); it != seen.end()) {
        out.push_back(
            invalidPod(d.pod.metadata.name, d.pod.metadata.namespace_, d.pod.metadata.uid,
                       fmt::format("pod '{}' is already defined in '{}'", podKey, it->second)));
        continue;
      }
      seen[podKey] = name;
      out.push_back(d);
    }
    fresh[name] = std::move(key);
  }
  if (cache) {
    *cache = std::move(fresh);
  }
  return out;
}

Status ManifestSource::start() {
  BERTH_TRY_STATUS(files::makeDirs(dir_));
  inotifyFd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  stopFd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (inotifyFd_ < 0 || stopFd_ < 0 ||
      ::inotify_add_watch(inotifyFd_, dir_.c_str(),
                          IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE) <
          0) {
    return fail(errnoError(errno, fmt::format("watch '{}'", dir_.string())));
  }
  rescan();
  thread_ = std::thread([this] { watchLoop(); });
  return ok();
}

void ManifestSource::stop() {
  if (stopFd_ < 0) {
    return;
  }
  uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(stopFd_, &one, sizeof(one));
  if (thread_.joinable()) {
    thread_.join();
  }
  ::close(inotifyFd_);
  ::close(stopFd_);
  inotifyFd_ = stopFd_ = -1;
}

void ManifestSource::rescan() {
  loop_.setPods(sourceName_, scan(dir_));
}

void ManifestSource::watchLoop() {
  char buf[4096];
  for (;;) {
    pollfd fds[2] = {{inotifyFd_, POLLIN, 0}, {stopFd_, POLLIN, 0}};
    // The periodic rescan is a safety net only; changes arrive as inotify events.
    int rc = ::poll(fds, 2, 5000);
    if (rc > 0 && (fds[1].revents & POLLIN)) {
      return;
    }
    if (rc > 0 && (fds[0].revents & POLLIN)) {
      // Let a burst of events (an editor's save, a cp of many files) settle into one rescan.
      ::poll(nullptr, 0, 2);
      while (::read(inotifyFd_, buf, sizeof(buf)) > 0) {
      }
    }
    rescan();
  }
}

}  // namespace berth::agent
