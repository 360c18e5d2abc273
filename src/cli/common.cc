#include <signal.h>

#include <cstdio>

#include "cli/commands.h"

namespace berth::cli {
namespace {
int gExitCode = 0;
}

int exitCode() {
  return gExitCode;
}
void setExitCode(int code) {
  gExitCode = code;
}

void reportError(const Error& error) {
  std::fprintf(stderr, "error: %s\n", error.message().c_str());
  gExitCode = 1;
}

void blockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void waitForTermination() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
}

}  // namespace berth::cli
