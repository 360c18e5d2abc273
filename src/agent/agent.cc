#include "agent/agent.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include "agent/api_object_resolver.h"
#include "agent/api_pod_source.h"
#include "agent/event_recorder.h"
#include "agent/manifest_source.h"
#include "agent/node_lease.h"
#include "agent/node_registration.h"
#include "agent/node_server.h"
#include "agent/pod_status_reporter.h"
#include "agent/sandbox_pool.h"
#include "agent/token_review_authenticator.h"
#include "base/dir_spread.h"
#include "base/files.h"
#include "base/host_port.h"
#include "base/process.h"
#include "base/random.h"
#include "client/api_client.h"

namespace berth::agent {
namespace fs = std::filesystem;

std::string defaultNodeName() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0) {
    return "localhost";
  }
  std::string name = host;
  std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  return name;
}

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

}  // namespace

Agent::Agent(AgentOptions options) : options_(std::move(options)) {
  options_.sync.root = options_.root;
}

Agent::~Agent() {
  stop();
}

Status Agent::connect() {
  if (options_.tokenFile.empty()) {
    return fail(ErrorCode::kInvalidArgument, "--token-file is required with --server");
  }
  auto token = files::read(options_.tokenFile);
  if (!token) {
    return fail(std::move(token.error()).wrap("--token-file"));
  }
  while (!token->empty() && std::isspace(static_cast<unsigned char>(token->back()))) {
    token->pop_back();
  }
  if (token->empty()) {
    return fail(ErrorCode::kInvalidArgument, "--token-file '{}' is empty",
                options_.tokenFile.string());
  }
  nodeName_ = options_.nodeName.empty() ? defaultNodeName() : options_.nodeName;
  client::ClientConfig config;
  config.server = options_.serverUrl;
  config.caFile = options_.caFile;
  config.token = *token;
  config.userAgent = "berth-agent/" + nodeName_;
  client_ = std::make_shared<client::ApiClient>(config);
  // Token reviews run on the node endpoint's io threads: they must not hang there for long.
  config.timeout = std::chrono::milliseconds(5000);
  reviewClient_ = std::make_shared<client::ApiClient>(config);
  return ok();
}

Status Agent::startJoined(const std::string& listenHost) {
  NodeInputs inputs = gatherNodeInputs(nodeName_, listenHost, nodeServer_->port(), options_.root,
                                       options_.runtimePath);
  inputs.pool = options_.pool;
  inputs.taintPool = options_.taintPool;
  NodeRegistrationOptions registration{.statusPeriod = options_.nodeStatusPeriod};
  registration.images = [this]() -> std::vector<NodeImage> {
    auto stored = images_->list();
    if (!stored) {
      spdlog::warn("node status: list images: {}", stored.error().message());
      return {};
    }
    return nodeImages(*stored);
  };
  registration_ = std::make_unique<NodeRegistration>(*client_, std::move(inputs),
                                                     std::move(registration), clock_);
  registration_->start();
  lease_ = std::make_unique<NodeLease>(
      *client_, NodeLeaseOptions{.nodeName = nodeName_, .renewPeriod = options_.leasePeriod},
      clock_);
  lease_->start();
  BERTH_TRY_STATUS(podSource_->start());
  spdlog::info("joined '{}' as node '{}'", options_.serverUrl, nodeName_);
  return ok();
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
  auto parsedListen = splitHostPort(options_.listen);
  if (!parsedListen) {
    return fail(std::move(parsedListen.error()).wrap("--listen"));
  }
  const HostPort hostPort = *parsedListen;
  const bool joined = !options_.serverUrl.empty();
  if (joined) {
    BERTH_TRY_STATUS(connect());
    options_.sync.nodeName = nodeName_;
    if (options_.sync.hostIP.empty()) {
      options_.sync.hostIP =
          gatherNodeInputs(nodeName_, hostPort.host, 0, options_.root, options_.runtimePath)
              .internalIP;
    }
  }

  // Pods, their logs, the runtime's state and pooled sandboxes come and go all the time:
  // their directories are spread over the filesystem (base/dir_spread.h says why).
  for (auto [dir, mode] : {std::pair{"pods", 0755}, std::pair{"logs", 0755},
                           std::pair{"runtime", 0700}, std::pair{"sandbox-pool", 0755}}) {
    BERTH_TRY_STATUS(files::makeDirs(options_.root / dir, mode));
    if (auto s = files::spreadSubdirectories(options_.root / dir); !s) {
      spdlog::warn("{}", s.error().message());
    }
  }

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
  if (joined) {
    events_ = std::make_shared<EventRecorder>(*client_, EventRecorderOptions{.nodeName = nodeName_},
                                              clock_);
    events_->start();
    reporter_ = std::make_unique<PodStatusReporter>(PodStatusReporter::apiSender(*client_));
    reporter_->start();
    podSource_ = std::make_unique<ApiPodSource>(*client_, nodeName_, *loop_);
    loop_->setEventSink(events_);
    loop_->setObjectResolver(std::make_shared<ApiObjectResolver>(*client_));
    loop_->setStatusListener(
        [reporter = reporter_.get()](const api::Pod& pod, const std::string& source) {
          reporter->update(pod, source);
        });
    loop_->setRemovedListener([reporter = reporter_.get(), source = podSource_.get()](
                                  const api::Pod& pod, const std::string& from) {
      reporter->forget(pod.metadata.uid);
      source->podRemoved(pod, from);
    });
  }
  BERTH_TRY_STATUS(loop_->start());
  if (!options_.manifestDir.empty()) {
    manifests_ = std::make_unique<ManifestSource>(options_.manifestDir, *loop_);
    BERTH_TRY_STATUS(manifests_->start());
  }
  NodeServerOptions serverOptions;
  serverOptions.host = hostPort.host;
  serverOptions.port = hostPort.port;
  BERTH_ASSIGN_OR_RETURN(serverOptions.token, nodeToken(options_.root));
  serverOptions.tlsDir = options_.root / "tls";
  if (joined) {
    serverOptions.extraAuthenticator = std::make_shared<TokenReviewAuthenticator>(
        TokenReviewAuthenticator::apiReviewer(*reviewClient_), TokenReviewOptions{}, clock_);
    serverOptions.threads = 2;  // a token review blocks an io thread while it runs
    serverOptions.tlsNames = {nodeName_, options_.sync.hostIP};
  }
  serverOptions.stats = [this, name = joined ? nodeName_ : defaultNodeName()]() {
    StatsSources sources;
    sources.nodeName = name;
    return buildStatsSummary(loop_->pods(), sources, clock_.now());
  };
  nodeServer_ = std::make_unique<NodeServer>(*loop_, *runtime_, serverOptions, clock_);
  BERTH_TRY_STATUS(nodeServer_->start());
  BERTH_TRY_STATUS(
      files::writeAtomic(options_.root / "node-endpoint",
                         fmt::format("https://{}:{}\n", hostPort.host, nodeServer_->port())));

  imageGc_ = std::make_unique<ImageGc>(options_.imageGc, *images_, options_.root,
                                       [this] { return loop_->imagesInUse(); });
  imageGc_->start();
  if (joined) {
    BERTH_TRY_STATUS(startJoined(hostPort.host));
  }
  spdlog::info("agent running: root '{}', manifests '{}'", options_.root.string(),
               options_.manifestDir.string());
  return ok();
}

void Agent::stop() {
  if (imageGc_) {
    imageGc_->stop();
    imageGc_.reset();
  }
  if (podSource_) {
    podSource_->stop();  // nothing reaches the loop from the server any more
  }
  if (lease_) {
    lease_->stop();
    lease_.reset();
  }
  if (registration_) {
    registration_->stop();
    registration_.reset();
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
    loop_->stop();  // its workers call the reporter, the recorder and the pod source
  }
  if (reporter_) {
    reporter_->stop();
  }
  if (events_) {
    events_->stop();
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
