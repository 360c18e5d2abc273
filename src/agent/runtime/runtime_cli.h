#pragma once

// Command lines of the OCI runtime CLI (crun and runc share them) and its error messages.
// Standard library only (used by berth-monitor).

#include <string>
#include <vector>

namespace berth::runtime {

// [runtime, --root, stateRoot, (--log logFile --log-format json), args...]. With a log file the
// runtime's own messages go there instead of its stderr, which the container inherits.
std::vector<std::string> runtimeCommand(const std::string& runtimePath,
                                        const std::string& stateRoot, const std::string& logFile,
                                        const std::vector<std::string>& args);

// The message of the last error in a runtime log written with --log-format json (crun:
// {"msg","level","time"}, runc: {"level","msg","time"}); plain text lines are taken as they
// are. Empty when there is none.
std::string lastRuntimeError(const std::string& logText);

// A runtime message made readable and uniform across runtimes:
//   crun: "executable file `nope` not found in $PATH: No such file or directory"
//   runc: "runc create failed: unable to start container process: exec: \"nope\": executable
//          file not found in $PATH"
//   both: "executable file 'nope' not found in $PATH"
std::string cleanRuntimeMessage(std::string message);

// "not-found" for a missing executable, "permission-denied" when it could not be executed,
// "invalid" otherwise (the runtime rejected this container).
std::string classifyRuntimeMessage(const std::string& cleanMessage);

}  // namespace berth::runtime
