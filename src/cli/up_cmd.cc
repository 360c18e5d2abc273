// `berth up`: everything on one machine with its embedded defaults: the control plane (API
// server on SQLite, scheduler) and a local agent joined to it as a node, plus a directory of
// static pod manifests.

#include <unistd.h>

#include <cstdio>
#include <memory>

#include "agent/agent.h"
#include "agent/node_registration.h"
#include "apiserver/token_store.h"
#include "base/files.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/control_plane.h"
#include "cli/instance_flags.h"
#include "cli/price_table_flag.h"

namespace berth::cli {

namespace {

struct UpFlags {
  std::string dataDir = "/var/lib/berth";
  std::string listen = "127.0.0.1:6443";
  std::vector<std::string> insecure;
  std::string nodeName;
  std::string bridge = "berth0";
  std::string podCidr = "10.88.0.0/16";
  std::string networkName = "berth";
  std::string nodeListen = "127.0.0.1:0";
  int workers = 4;
  size_t sandboxPoolSize = 4;
  apiserver::ArmOptions arm;  // quotas and DNS zone of container groups (instance_flags.h)
};

std::string hostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') {
    return "berth-node";
  }
  std::string out = name;
  for (auto& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

void runUp(const UpFlags& flags, const std::string& logLevel) {
  logging::init(logLevel);
  blockTerminationSignals();
  std::filesystem::path data = flags.dataDir;
  apiserver::ApiServerOptions serverOptions;
  serverOptions.dataDir = data;
  serverOptions.listen = flags.listen;
  if (auto s = checkInstanceFlags(flags.arm); !s) {
    reportError(s.error());
    return;
  }
  serverOptions.arm = flags.arm;
  ControlPlane plane(serverOptions);
  if (auto s = plane.start(); !s) {
    reportError(s.error());
    return;
  }
  std::string node = flags.nodeName.empty() ? hostName() : flags.nodeName;
  auto token = plane.api().tokenFor(apiserver::nodeUser(node), {"system:nodes"});
  if (!token) {
    reportError(token.error());
    return;
  }
  auto tokenFile = data / "agent" / "server-token";
  if (auto s = files::makeDirs(tokenFile.parent_path(), 0700); !s) {
    reportError(s.error());
    return;
  }
  if (auto s = files::writeAtomic(tokenFile, *token, 0600); !s) {
    reportError(s.error());
    return;
  }
  agent::AgentOptions options;
  options.root = data / "agent";
  options.manifestDir = data / "manifests";
  options.insecureRegistries = {flags.insecure.begin(), flags.insecure.end()};
  options.network.bridge = flags.bridge;
  options.network.subnet = flags.podCidr;
  options.network.name = flags.networkName;
  options.listen = flags.nodeListen;
  options.serverUrl = plane.api().url();
  options.tokenFile = tokenFile;
  options.caFile = plane.api().caFile();
  options.nodeName = node;
  // The local node serves both pools: labelled for container groups (whose pods tolerate the
  // pool taint and select the label), not tainted, so ordinary pods run there too.
  options.pool = agent::kInstancesPool;
  options.sync.workers = flags.workers;
  options.sandboxPoolSize = flags.sandboxPoolSize;
  agent::Agent agent(options);
  if (auto s = agent.start(); !s) {
    reportError(s.error());
    plane.stop();
    return;
  }
  std::printf(
      "Berth is up: API server %s, node %s.\n"
      "  export KUBECONFIG=%s\n"
      "  kubectl get nodes\n"
      "Static pod manifests go in %s.\n",
      plane.api().url().c_str(), node.c_str(), plane.kubeconfigPath().c_str(),
      options.manifestDir.c_str());
  std::fflush(stdout);
  waitForTermination();
  agent.stop();
  plane.stop();
}

}  // namespace

void addUpCommand(CLI::App& app, std::string& logLevel) {
  auto flags = std::make_shared<UpFlags>();
  auto* cmd = app.add_subcommand("up", "Run Berth on this machine with its embedded defaults");
  cmd->add_option("--data-dir", flags->dataDir, "Where all state lives")->capture_default_str();
  cmd->add_option("--listen", flags->listen, "HOST:PORT of the API server (HTTPS)")
      ->capture_default_str();
  cmd->add_option("--insecure-registry", flags->insecure, "HOST:PORT reached over plain HTTP");
  cmd->add_option("--node-name", flags->nodeName, "Name of the local node (default: host name)");
  cmd->add_option("--bridge", flags->bridge, "Pod network bridge of the local node")
      ->capture_default_str();
  cmd->add_option("--pod-cidr", flags->podCidr, "Pod network subnet of the local node")
      ->capture_default_str();
  cmd->add_option("--network-name", flags->networkName, "CNI network name of the local node")
      ->capture_default_str();
  cmd->add_option("--node-listen", flags->nodeListen,
                  "HOST:PORT of the local node's logs/exec endpoint")
      ->capture_default_str();
  cmd->add_option("--workers", flags->workers, "Pods the local node syncs in parallel")
      ->capture_default_str();
  cmd->add_option("--sandbox-pool-size", flags->sandboxPoolSize,
                  "Pod sandboxes the local node makes ahead of time (0: none)")
      ->capture_default_str();
  addInstanceFlags(*cmd, flags->arm);
  addPriceTableFlag(*cmd, flags->arm);
  cmd->callback([flags, &logLevel] { runUp(*flags, logLevel); });
}

}  // namespace berth::cli
