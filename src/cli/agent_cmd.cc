// `berth agent` (run the node agent) and `berth agent pods` (what it runs).

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "agent/agent.h"
#include "api/pod_codec.h"
#include "base/clock.h"
#include "base/files.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/durations.h"
#include "cli/pod_table.h"

namespace berth::cli {
namespace {

struct AgentFlags {
  std::string root = "/var/lib/berth/agent";
  std::string manifests;
  std::vector<std::string> insecure;
  std::string runtime = "crun";
  std::string bridge = "berth0";
  std::string podCidr = "10.88.0.0/16";
  std::string networkName = "berth";
  std::string listen = "127.0.0.1:10250";
  std::string backoffInitial = "10s";
  std::string backoffMax = "5m";
  std::string imageGcPeriod = "5m";
  int imageGcHighThreshold = 85;
  size_t sandboxPoolSize = 4;
  int workers = 4;
  int64_t pidsLimit = 4096;
  std::string server;
  std::string tokenFile;
  std::string caFile;
  std::string nodeName;
  std::string pool;
  std::string nodeStatusPeriod = "10s";
  std::string leasePeriod = "10s";
};

Result<agent::AgentOptions> toOptions(const AgentFlags& f) {
  agent::AgentOptions o;
  o.root = f.root;
  o.manifestDir = f.manifests;
  o.insecureRegistries = {f.insecure.begin(), f.insecure.end()};
  o.runtimePath = f.runtime;
  o.network.bridge = f.bridge;
  o.network.subnet = f.podCidr;
  o.network.name = f.networkName;
  o.listen = f.listen;
  BERTH_ASSIGN_OR_RETURN(o.sync.backoffInitial, parseDuration(f.backoffInitial));
  BERTH_ASSIGN_OR_RETURN(o.sync.backoffMax, parseDuration(f.backoffMax));
  BERTH_ASSIGN_OR_RETURN(o.imageGc.period, parseDuration(f.imageGcPeriod));
  o.imageGc.highThresholdPercent = f.imageGcHighThreshold;
  o.sandboxPoolSize = f.sandboxPoolSize;
  o.sync.workers = f.workers;
  o.sync.pidsLimit = f.pidsLimit;
  o.serverUrl = f.server;
  o.tokenFile = f.tokenFile;
  o.caFile = f.caFile;
  o.nodeName = f.nodeName;
  if (!f.pool.empty()) {
    // A label value: what the API server would refuse later, refused here.
    bool valid =
        f.pool.size() <= 63 && std::isalnum(static_cast<unsigned char>(f.pool.front())) &&
        std::isalnum(static_cast<unsigned char>(f.pool.back())) &&
        std::ranges::all_of(f.pool, [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        });
    if (!valid) {
      return fail(ErrorCode::kInvalidArgument, "--pool '{}': not a valid label value", f.pool);
    }
    o.pool = f.pool;
    o.taintPool = true;
  }
  BERTH_ASSIGN_OR_RETURN(o.nodeStatusPeriod, parseDuration(f.nodeStatusPeriod));
  BERTH_ASSIGN_OR_RETURN(o.leasePeriod, parseDuration(f.leasePeriod));
  if (!f.server.empty() && f.tokenFile.empty()) {
    return fail(ErrorCode::kInvalidArgument, "--token-file is required with --server");
  }
  return o;
}

void runAgent(const AgentFlags& flags, const std::string& logLevel) {
  logging::init(logLevel);
  auto options = toOptions(flags);
  if (!options) {
    reportError(options.error());
    return;
  }
  blockTerminationSignals();
  agent::Agent agent(std::move(*options));
  if (auto s = agent.start(); !s) {
    reportError(s.error());
    return;
  }
  waitForTermination();
  spdlog::info("stopping agent; containers keep running");
  agent.stop();
}

// Reads the pods an agent (running or not) recorded under `root`.
std::vector<api::Pod> readPods(const std::filesystem::path& root) {
  std::vector<api::Pod> pods;
  auto uids = files::listDir(root / "pods");
  if (!uids) {
    return pods;
  }
  for (const auto& uid : *uids) {
    auto text = files::read(root / "pods" / uid / "status.json");
    if (!text) {
      continue;
    }
    auto json = nlohmann::json::parse(*text, nullptr, false);
    if (auto pod = api::decodePod(json)) {
      pods.push_back(std::move(*pod));
    }
  }
  std::sort(pods.begin(), pods.end(), [](const api::Pod& a, const api::Pod& b) {
    return std::tie(a.metadata.namespace_, a.metadata.name) <
           std::tie(b.metadata.namespace_, b.metadata.name);
  });
  return pods;
}

}  // namespace

void addAgentCommand(CLI::App& app, std::string& logLevel) {
  auto flags = std::make_shared<AgentFlags>();
  auto* cmd = app.add_subcommand(
      "agent", "Run the node agent (static pods from a directory; pods of a control plane)");
  cmd->add_option("--root", flags->root, "State directory")->capture_default_str();
  cmd->add_option("--pod-manifest-path", flags->manifests,
                  "Directory of Pod manifests (YAML or JSON) to run, like static pods");
  cmd->add_option("--insecure-registry", flags->insecure,
                  "HOST:PORT of a registry reached over plain HTTP (repeatable)");
  cmd->add_option("--runtime", flags->runtime, "OCI runtime binary (crun or runc)")
      ->capture_default_str();
  cmd->add_option("--bridge", flags->bridge, "Pod network bridge")->capture_default_str();
  cmd->add_option("--pod-cidr", flags->podCidr, "Pod network subnet")->capture_default_str();
  cmd->add_option("--network-name", flags->networkName, "CNI network name")->capture_default_str();
  cmd->add_option("--listen", flags->listen, "Node endpoint (logs, exec) HOST:PORT")
      ->capture_default_str();
  cmd->add_option("--backoff-initial", flags->backoffInitial, "First restart back-off")
      ->capture_default_str();
  cmd->add_option("--backoff-max", flags->backoffMax, "Longest restart back-off")
      ->capture_default_str();
  cmd->add_option("--image-gc-period", flags->imageGcPeriod,
                  "How often unused images are collected")
      ->capture_default_str();
  cmd->add_option("--image-gc-high-threshold", flags->imageGcHighThreshold,
                  "Disk usage percent above which unused images are removed (0: always)")
      ->capture_default_str();
  cmd->add_option("--sandbox-pool-size", flags->sandboxPoolSize,
                  "Pod sandboxes made ahead of time (0: none)")
      ->capture_default_str();
  cmd->add_option("--workers", flags->workers, "Pods synced in parallel")->capture_default_str();
  cmd->add_option("--pod-pids-limit", flags->pidsLimit, "Process limit per container (0: none)")
      ->capture_default_str();
  cmd->add_option("--server", flags->server,
                  "API server to join as a node (https://HOST:PORT); none: static pods only");
  cmd->add_option("--token-file", flags->tokenFile, "File holding the node's bearer token");
  cmd->add_option("--ca-file", flags->caFile, "CA certificate (PEM) to verify the API server");
  cmd->add_option("--node-name", flags->nodeName,
                  "Name of this node (default: the host name, lowercased)");
  cmd->add_option("--pool", flags->pool,
                  "Dedicate this node to a pool: label and NoSchedule taint "
                  "berth.io/pool=POOL (\"instances\": the container instances pool)");
  cmd->add_option("--node-status-period", flags->nodeStatusPeriod,
                  "How often the node status is posted")
      ->capture_default_str();
  cmd->add_option("--lease-period", flags->leasePeriod, "How often the node lease is renewed")
      ->capture_default_str();

  auto podsRoot = std::make_shared<std::string>("/var/lib/berth/agent");
  auto output = std::make_shared<std::string>();
  auto* pods = cmd->add_subcommand("pods", "List the pods of an agent and their status");
  pods->add_option("--root", *podsRoot, "State directory of the agent")->capture_default_str();
  pods->add_option("-o,--output", *output, "Output format: json")
      ->check(CLI::IsMember({"", "json"}));
  pods->callback([podsRoot, output] {
    auto list = readPods(*podsRoot);
    if (*output == "json") {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& p : list) {
        arr.push_back(api::encodePod(p));
      }
      std::printf("%s\n", arr.dump(2).c_str());
      return;
    }
    if (list.empty()) {
      std::printf("No pods found.\n");
      return;
    }
    std::printf("%s", podTable(list, rfc3339(std::chrono::system_clock::now())).c_str());
  });

  cmd->callback([cmd, pods, flags, &logLevel] {
    if (pods->parsed()) {
      return;
    }
    runAgent(*flags, logLevel);
  });
  (void)cmd;
}

}  // namespace berth::cli
