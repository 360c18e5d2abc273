// `berth hollow-nodes`: N nodes without containers, for control-plane benchmarks (see
// agent/hollow_nodes.h).

#include <spdlog/spdlog.h>

#include <memory>

#include "agent/hollow_nodes.h"
#include "base/clock.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/durations.h"
#include "client/api_client.h"

namespace berth::cli {
namespace {

struct HollowFlags {
  std::string kubeconfig;
  int count = 10;
  std::string prefix = "hollow-";
  std::string statusPeriod = "10s";
  std::string leasePeriod = "10s";
  int workers = 4;
};

void runHollowNodes(const HollowFlags& flags, const std::string& logLevel) {
  logging::init(logLevel);
  auto config = client::loadKubeconfig(flags.kubeconfig);
  if (!config) {
    reportError(config.error());
    return;
  }
  agent::HollowNodesOptions options;
  options.count = flags.count;
  options.namePrefix = flags.prefix;
  options.workers = flags.workers;
  auto status = parseDuration(flags.statusPeriod);
  auto lease = parseDuration(flags.leasePeriod);
  if (!status || !lease) {
    reportError(!status ? status.error() : lease.error());
    return;
  }
  options.statusPeriod = *status;
  options.leasePeriod = *lease;
  config->userAgent = "berth-hollow-nodes";
  blockTerminationSignals();
  client::ApiClient client(*config);
  RealClock clock;
  agent::HollowNodes nodes(client, options, clock);
  nodes.start();
  spdlog::info("{} hollow nodes {}0..{}{} running", flags.count, flags.prefix, flags.prefix,
               flags.count - 1);
  waitForTermination();
  nodes.stop();
}

}  // namespace

void addHollowNodesCommand(CLI::App& app, std::string& logLevel) {
  auto flags = std::make_shared<HollowFlags>();
  auto* cmd = app.add_subcommand(
      "hollow-nodes", "Register nodes that run pods without containers (control-plane benchmarks)");
  cmd->add_option("--kubeconfig", flags->kubeconfig, "Kubeconfig of an admin")->required();
  cmd->add_option("--count", flags->count, "Number of nodes")->capture_default_str();
  cmd->add_option("--name-prefix", flags->prefix, "Node names are PREFIX0, PREFIX1, ...")
      ->capture_default_str();
  cmd->add_option("--node-status-period", flags->statusPeriod, "How often node status is posted")
      ->capture_default_str();
  cmd->add_option("--lease-period", flags->leasePeriod, "How often node leases are renewed")
      ->capture_default_str();
  cmd->add_option("--workers", flags->workers, "Pod status writers")->capture_default_str();
  cmd->callback([flags, &logLevel] { runHollowNodes(*flags, logLevel); });
}

}  // namespace berth::cli
