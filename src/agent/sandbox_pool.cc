#include "agent/sandbox_pool.h"

#include <fcntl.h>
#include <sched.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "base/files.h"
#include "base/random.h"

namespace berth::agent {
namespace fs = std::filesystem;

namespace {

constexpr char kRefFile[] = "sandbox-ref.json";
constexpr char kClaimedFile[] = "claimed";
// Low, not lowest: the plugins the filler starts take locks that a pod's own sandbox set-up
// also needs (host-local's lock on its data directory), and at nice 19 a holder would get
// ~1.5 % of a busy CPU while a start waits for it; at nice 10 it still gets ~10 %.
constexpr int kFillerNice = 10;

struct Ref {
  std::string id;
  fs::path dir;
};

std::optional<Ref> readRef(const fs::path& podDir) {
  auto text = files::read(podDir / kRefFile);
  if (!text) {
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) {
    return std::nullopt;
  }
  return Ref{j.value("id", ""), j.value("dir", "")};
}

}  // namespace

Status setHostname(const fs::path& utsns, const std::string& hostname) {
  Status result = ok();
  std::thread t([&] {
    int fd = ::open(utsns.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      result = fail(errnoError(errno, fmt::format("open '{}'", utsns.string())));
      return;
    }
    if (::setns(fd, CLONE_NEWUTS) != 0 || ::sethostname(hostname.data(), hostname.size()) != 0) {
      result = fail(errnoError(errno, fmt::format("set hostname '{}'", hostname)));
    }
    ::close(fd);
  });
  t.join();
  return result;
}

SandboxPool::SandboxPool(network::PodNetwork& inner, fs::path poolDir, size_t size)
    : inner_(inner), poolDir_(std::move(poolDir)), size_(size) {}

SandboxPool::~SandboxPool() {
  stop();
}

Status SandboxPool::start() {
  BERTH_TRY_STATUS(files::makeDirs(poolDir_));
  BERTH_ASSIGN_OR_RETURN(auto names, files::listDir(poolDir_));
  for (const auto& id : names) {
    fs::path dir = poolDir_ / id;
    if (files::exists(dir / kClaimedFile)) {
      continue;  // a pod's; it goes with the pod
    }
    auto sb = inner_.inspect(dir);
    if (sb && ready_.size() < size_) {
      ready_.push_back(Ready{id, dir, *sb});
      continue;
    }
    if (auto s = inner_.destroy(id, dir, {}); !s) {
      spdlog::warn("sandbox pool: destroy '{}': {}", id, s.error().message());
      continue;
    }
    (void)files::removeAll(dir);
  }
  if (size_ > 0) {
    filler_ = std::thread([this] { fillLoop(); });
  }
  return ok();
}

void SandboxPool::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      return;
    }
    stopping_ = true;
  }
  cv_.notify_all();
  if (filler_.joinable()) {
    filler_.join();
  }
  std::lock_guard lock(mu_);
  for (const auto& r : ready_) {
    if (auto s = inner_.destroy(r.id, r.dir, {}); s) {
      (void)files::removeAll(r.dir);
    }
  }
  ready_.clear();
}

void SandboxPool::fillLoop() {
  // Filling is work for later: at a low priority (nice is per thread on Linux, and the
  // namespace thread and CNI plugin processes started from here inherit it) a refill yields the
  // CPU to the pod start that emptied the slot, and to a burst of them.
  if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kFillerNice) != 0) {
    spdlog::debug("sandbox pool: setpriority: {}", std::strerror(errno));
  }
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (ready_.size() >= size_) {
      cv_.wait(lock);
      continue;
    }
    lock.unlock();
    std::string id = "pool-" + randomHex(6);
    fs::path dir = poolDir_ / id;
    auto sb = inner_.create(id, dir, "pool", {});
    lock.lock();
    if (sb) {
      ready_.push_back(Ready{id, dir, *sb});
    } else {
      spdlog::warn("sandbox pool: {}", sb.error().message());
      (void)files::removeAll(dir);
      cv_.wait_for(lock, std::chrono::seconds(5), [this] { return stopping_; });
    }
  }
}

Result<network::Sandbox> SandboxPool::create(const std::string& id, const fs::path& dir,
                                             const std::string& hostname,
                                             const std::vector<network::PortMapping>& ports) {
  std::optional<Ready> taken;
  if (ports.empty()) {
    std::lock_guard lock(mu_);
    if (!ready_.empty()) {
      taken = std::move(ready_.front());
      ready_.pop_front();
    }
  }
  if (!taken) {
    return inner_.create(id, dir, hostname, ports);
  }
  cv_.notify_all();
  // Claim before anything else: from here on the sandbox belongs to the pod.
  BERTH_TRY_STATUS(files::writeAtomic(taken->dir / kClaimedFile, id));
  nlohmann::json ref = {{"id", taken->id}, {"dir", taken->dir.string()}};
  BERTH_TRY_STATUS(files::writeAtomic(dir / kRefFile, ref.dump()));
  BERTH_TRY_STATUS(setHostname(taken->sandbox.utsns, hostname));
  return taken->sandbox;
}

Status SandboxPool::destroy(const std::string& id, const fs::path& dir,
                            const std::vector<network::PortMapping>& ports) {
  auto ref = readRef(dir);
  if (!ref) {
    return inner_.destroy(id, dir, ports);
  }
  BERTH_TRY_STATUS(inner_.destroy(ref->id, ref->dir, {}));
  BERTH_TRY_STATUS(files::removeAll(ref->dir));
  return files::removeAll(dir / kRefFile);
}

Result<network::Sandbox> SandboxPool::inspect(const fs::path& dir) {
  auto ref = readRef(dir);
  return inner_.inspect(ref ? ref->dir : dir);
}

}  // namespace berth::agent
