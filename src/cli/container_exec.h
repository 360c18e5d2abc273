#pragma once

// `berth container exec`: POST .../containers/{c}/exec, then the session's WebSocket (the
// session4 contract): the password as the first message, stdin relayed, the output printed,
// and the command's exit code from the close reason "exit code N".
//
// Stdin is relayed when it is not a terminal: it is read to its end and sent before the output
// is read (the WebSocket client serves one thread at a time), which covers scripts and pipes;
// from a terminal nothing is relayed.

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "cli/arm_client.h"

namespace berth::cli {

// The N of "exit code N" anywhere in `closeMessage` (a close reason, or the WebSocket client's
// error that quotes it); nullopt when it has none.
std::optional<int> exitCodeFromClose(std::string_view closeMessage);

struct ExecOptions {
  std::string resourceGroup;
  std::string group;
  std::string container;  // empty: the first container
  std::string command;
  int rows = 24;
  int cols = 80;
};

// Runs the command and returns its exit code. `in` may be null (nothing relayed). Errors: the
// ARM error of the POST, a refused or broken socket, a session that ended without an exit
// code (kUnavailable, with the close reason).
Result<int> runExec(const ArmClient& arm, const ExecOptions& options, std::FILE* in,
                    std::FILE* out);

}  // namespace berth::cli
