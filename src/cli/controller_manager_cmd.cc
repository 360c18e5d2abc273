// `berth controller-manager`: the controllers of the control plane in a process of their own,
// against any API server (kube-controller-manager's role). `berth server --no-controllers`
// leaves them to it.

#include <spdlog/spdlog.h>

#include <memory>

#include "base/clock.h"
#include "base/log.h"
#include "cli/commands.h"
#include "client/api_client.h"
#include "controllers/controller_manager.h"

namespace berth::cli {

void addControllerManagerCommand(CLI::App& app, std::string& logLevel) {
  auto kubeconfig = std::make_shared<std::string>();
  auto workers = std::make_shared<int>(2);
  auto* cmd = app.add_subcommand(
      "controller-manager",
      "Run the controllers (ReplicaSet, Deployment, garbage collector, HPA) against an API server");
  cmd->add_option("--kubeconfig", *kubeconfig, "Kubeconfig with a token of system:masters")
      ->required();
  cmd->add_option("--workers", *workers, "Worker threads per controller")->capture_default_str();
  cmd->callback([kubeconfig, workers, &logLevel] {
    logging::init(logLevel);
    auto config = client::loadKubeconfig(*kubeconfig);
    if (!config) {
      reportError(config.error());
      return;
    }
    config->userAgent = "berth-controller-manager";
    blockTerminationSignals();
    client::ApiClient client(*config);
    RealClock clock;
    controllers::ControllerManager manager(client, clock, {.workers = *workers});
    if (auto s = manager.start(); !s) {
      reportError(s.error());
      return;
    }
    spdlog::info("controllers running against {}", config->server);
    waitForTermination();
    manager.stop();
  });
}

}  // namespace berth::cli
