#include "agent/agent.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include "agent/manifest_source.h"
#include "agent/node_server.h"
#include "agent/sandbox_pool.h"
#include "base/files.h"
#include "base/process.h"
#include "base/random.h"

namespace berth::agent {
namespace fs = std::filesystem;

fs::path executableDir() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

namespace {

// The node endpoint's token: made once, kept readable by root only.
Result<std::string> nodeToken(const fs::path& root) {
  fs::path file = root / "node-token";
  if (auto token = files::read(file); token && !token->empty()) {
    return *token;
  }
  std::string token = randomHex(32);
  BERTH_TRY_STATUS(files::writeAtomic(file, token, 0600));
  return token;
}

Result<std::pair<std::string, uint16_t>> splitHostPort(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return fail(ErrorCode::kInvalidArgument, "--listen '{}': expected HOST:PORT", listen);
  }
  int port = 0;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    return fail(ErrorCode::kInvalidArgument, "--listen '{}': invalid port", listen);
  }
  return std::pair{listen.substr(0, colon), static_cast<uint16_t>(port)};
}

}  // namespace

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
  sandboxPool_ = std::make_unique<SandboxPool>(*network_, options_.root / "sandbox-pool",
                                               options_.sandboxPoolSize);
  BERTH_TRY_STATUS(sandboxPool_->start());

  loop_ = std::make_unique<PodSyncLoop>(options_.sync, *images_, *runtime_, *sandboxPool_, clock_);
  BERTH_TRY_STATUS(loop_->start());
  if (!options_.manifestDir.empty()) {
    manifests_ = std::make_unique<ManifestSource>(options_.manifestDir, *loop_);
    BERTH_TRY_STATUS(manifests_->start());
  }
  BERTH_ASSIGN_OR_RETURN(auto hostPort, splitHostPort(options_.listen));
  NodeServerOptions serverOptions;
  serverOptions.host = hostPort.first;
  serverOptions.port = hostPort.second;
  BERTH_ASSIGN_OR_RETURN(serverOptions.token, nodeToken(options_.root));
  serverOptions.tlsDir = options_.root / "tls";
  nodeServer_ = std::make_unique<NodeServer>(*loop_, *runtime_, serverOptions, clock_);
  BERTH_TRY_STATUS(nodeServer_->start());
  BERTH_TRY_STATUS(
      files::writeAtomic(options_.root / "node-endpoint",
                         fmt::format("https://{}:{}\n", hostPort.first, nodeServer_->port())));

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
  if (nodeServer_) {
    nodeServer_->stop();
    nodeServer_.reset();
  }
  if (loop_) {
    loop_->stop();
  }
  if (sandboxPool_) {
    sandboxPool_->stop();
  }
  if (lockFd_ >= 0) {
    ::close(lockFd_);
    lockFd_ = -1;
  }
}

}  // namespace berth::agent
