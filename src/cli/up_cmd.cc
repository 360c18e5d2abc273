// `berth up`: everything on one machine with its embedded defaults. For now the node agent with
// a manifest directory under the data dir; the control plane joins it in the next step.

#include <cstdio>
#include <memory>

#include "agent/agent.h"
#include "base/log.h"
#include "cli/commands.h"

namespace berth::cli {

void addUpCommand(CLI::App& app, std::string& logLevel) {
  auto dataDir = std::make_shared<std::string>("/var/lib/berth");
  auto insecure = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("up", "Run Berth on this machine with its embedded defaults");
  cmd->add_option("--data-dir", *dataDir, "Where all state lives")->capture_default_str();
  cmd->add_option("--insecure-registry", *insecure, "HOST:PORT reached over plain HTTP");
  cmd->callback([dataDir, insecure, &logLevel] {
    logging::init(logLevel);
    blockTerminationSignals();
    agent::AgentOptions options;
    options.root = std::filesystem::path(*dataDir) / "agent";
    options.manifestDir = std::filesystem::path(*dataDir) / "manifests";
    options.insecureRegistries = {insecure->begin(), insecure->end()};
    agent::Agent agent(options);
    if (auto s = agent.start(); !s) {
      reportError(s.error());
      return;
    }
    std::printf(
        "Berth is up. Put Pod manifests in %s; see them with:\n  berth agent pods --root %s\n",
        options.manifestDir.c_str(), options.root.c_str());
    std::fflush(stdout);
    waitForTermination();
    agent.stop();
  });
}

}  // namespace berth::cli
