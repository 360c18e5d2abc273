#include "agent/agent.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include "agent/manifest_source.h"
#include "base/files.h"
#include "base/process.h"

namespace berth::agent {
namespace fs = std::filesystem;

fs::path executableDir() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

Agent::Agent(AgentOptions options) : options_(std::move(options)) {
  options_.sync.root = options_.root;
}

Agent::~Agent() {
  stop();
}

Status Agent::start() {
  BERTH_TRY_STATUS(files::makeDirs(options_.root, 0700));
  lockFd_ = ::open((options_.root / "agent.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lockFd_ < 0 || ::flock(lockFd_, LOCK_EX | LOCK_NB) != 0) {
    return fail(ErrorCode::kConflict, "another agent is using root '{}'", options_.root.string());
  }
  // Containers are started by monitors that outlive us; orphans reparent to us while we run.
  process::becomeSubreaper();
  BERTH_TRY_STATUS(runtime::prepareCgroups());

  image::RegistryOptions registry;
  registry.insecureRegistries = options_.insecureRegistries;
  images_ = image::makeImageStore(options_.root / "images", registry, clock_);

  runtime::RuntimeOptions rt;
  rt.runtimePath = options_.runtimePath;
  rt.stateRoot = options_.root / "runtime";
  rt.monitorPath = executableDir() / "berth-monitor";
  runtime_ = runtime::makeOciRuntime(rt);
  network_ = network::makeCniPodNetwork(options_.network);

  loop_ = std::make_unique<PodSyncLoop>(options_.sync, *images_, *runtime_, *network_, clock_);
  BERTH_TRY_STATUS(loop_->start());
  if (!options_.manifestDir.empty()) {
    manifests_ = std::make_unique<ManifestSource>(options_.manifestDir, *loop_);
    BERTH_TRY_STATUS(manifests_->start());
  }
  imageGc_ = std::make_unique<ImageGc>(options_.imageGc, *images_, options_.root,
                                       [this] { return loop_->imagesInUse(); });
  imageGc_->start();
  spdlog::info("agent running: root '{}', manifests '{}'", options_.root.string(),
               options_.manifestDir.string());
  return ok();
}

void Agent::stop() {
  if (imageGc_) {
    imageGc_->stop();
    imageGc_.reset();
  }
  if (manifests_) {
    manifests_->stop();
    manifests_.reset();
  }
  if (loop_) {
    loop_->stop();
  }
  if (lockFd_ >= 0) {
    ::close(lockFd_);
    lockFd_ = -1;
  }
}

}  // namespace berth::agent
