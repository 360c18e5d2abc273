#pragma once

// Subcommands of the berth binary; each file in src/cli registers one.

#include <CLI/CLI.hpp>
#include <string>

#include "base/error.h"

namespace berth::cli {

void addAgentCommand(CLI::App& app, std::string& logLevel);
void addImageCommand(CLI::App& app, std::string& logLevel);
void addUpCommand(CLI::App& app, std::string& logLevel);
void addServerCommand(CLI::App& app, std::string& logLevel);
void addHollowNodesCommand(CLI::App& app, std::string& logLevel);
void addControllerManagerCommand(CLI::App& app, std::string& logLevel);
// `berth container ...`: the ARM container-group API's client, like `az container`.
void addContainerCommand(CLI::App& app);

// The process exit code the commands settled on (0 unless one failed).
int exitCode();
void setExitCode(int code);

// Prints "error: <message>" to stderr and sets the exit code to 1.
void reportError(const Error& error);

// Blocks SIGINT and SIGTERM in this thread and the threads it starts afterwards, so that
// waitForTermination() receives them. Call before starting any thread.
void blockTerminationSignals();

// Blocks until SIGINT or SIGTERM.
void waitForTermination();

}  // namespace berth::cli
