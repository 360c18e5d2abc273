// `berth server` (the control plane) and `berth kubeconfig` (its admin kubeconfig).

#include <cstdio>
#include <memory>

#include "apiserver/token_store.h"
#include "base/files.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/control_plane.h"
#include "cli/instance_flags.h"
#include "cli/price_table_flag.h"

namespace berth::cli {

void addServerCommand(CLI::App& app, std::string& logLevel) {
  auto options = std::make_shared<apiserver::ApiServerOptions>();
  auto dataDir = std::make_shared<std::string>("/var/lib/berth");
  auto* cmd = app.add_subcommand(
      "server", "Run the control plane: Kubernetes API server, scheduler and controllers");
  cmd->add_option("--data-dir", *dataDir, "Where the state lives")->capture_default_str();
  cmd->add_option("--listen", options->listen, "HOST:PORT of the API (HTTPS)")
      ->capture_default_str();
  cmd->add_option("--datastore", options->datastore,
                  "sqlite://PATH (default: DATA_DIR/state.db) or etcd://HOST:PORT,...");
  cmd->add_option("--tls-san", options->certificateNames,
                  "Extra DNS name or IP address for the serving certificate (repeatable)");
  addInstanceFlags(*cmd, options->arm);
  addPriceTableFlag(*cmd, options->arm);
  auto noControllers = std::make_shared<bool>(false);
  cmd->add_flag("--no-controllers", *noControllers,
                "Do not run the controllers here (run `berth controller-manager` instead)");
  cmd->callback([options, dataDir, noControllers, &logLevel] {
    logging::init(logLevel);
    blockTerminationSignals();
    options->dataDir = *dataDir;
    if (auto s = checkInstanceFlags(options->arm); !s) {
      reportError(s.error());
      return;
    }
    ControlPlane plane(*options, !*noControllers);
    if (auto s = plane.start(); !s) {
      reportError(s.error());
      return;
    }
    std::printf("Berth server is up at %s\nkubectl --kubeconfig %s get nodes\n",
                plane.api().url().c_str(), plane.kubeconfigPath().c_str());
    std::fflush(stdout);
    waitForTermination();
    plane.stop();
  });

  auto tokenDir = std::make_shared<std::string>("/var/lib/berth");
  auto tokenNode = std::make_shared<std::string>();
  auto* token =
      app.add_subcommand("node-token",
                         "Print the bearer token of a node (made on first use) for `berth agent "
                         "--server URL --token-file F --node-name NODE`");
  token->add_option("NODE", *tokenNode, "Node name")->required();
  token->add_option("--data-dir", *tokenDir, "The server's data dir")->capture_default_str();
  token->callback([tokenDir, tokenNode] {
    apiserver::TokenStore tokens(std::filesystem::path(*tokenDir) / "tokens.json");
    auto value = tokens.ensureToken(apiserver::nodeUser(*tokenNode), {"system:nodes"});
    if (!value) {
      reportError(value.error());
      return;
    }
    std::printf("%s\n", value->c_str());
  });

  auto kubeDir = std::make_shared<std::string>("/var/lib/berth");
  auto* kube = app.add_subcommand("kubeconfig", "Print the admin kubeconfig of a data dir");
  kube->add_option("--data-dir", *kubeDir, "The server's data dir")->capture_default_str();
  kube->callback([kubeDir] {
    auto text = files::read(std::filesystem::path(*kubeDir) / "kubeconfig");
    if (!text) {
      reportError(
          text.error().wrap("no kubeconfig yet (is `berth up` or `berth server` "
                            "running with this --data-dir?)"));
      return;
    }
    std::fputs(text->c_str(), stdout);
  });
}

}  // namespace berth::cli
