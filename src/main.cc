// berth: one binary for the node agent, the control plane and the CLI.

#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Berth: container instances, an orchestrator kubectl drives, and virtual nodes"};
  app.require_subcommand(1);
  std::string logLevel = "info";
  app.add_option("--log-level", logLevel, "trace|debug|info|warn|error")->capture_default_str();
  berth::cli::addAgentCommand(app, logLevel);
  berth::cli::addImageCommand(app, logLevel);
  berth::cli::addUpCommand(app, logLevel);
  berth::cli::addServerCommand(app, logLevel);
  berth::cli::addHollowNodesCommand(app, logLevel);
  berth::cli::addControllerManagerCommand(app, logLevel);
  berth::cli::addContainerCommand(app);
  CLI11_PARSE(app, argc, argv);
  return berth::cli::exitCode();
}
