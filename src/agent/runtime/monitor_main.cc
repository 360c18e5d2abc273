// berth-monitor <container-dir> [--sync-fd N]
//
// The per-container monitor; see monitor.h. Started by OciRuntime, detached from the agent.

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "agent/runtime/monitor.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    const char usage[] = "usage: berth-monitor <container-dir> [--sync-fd N]\n";
    (void)!::write(2, usage, sizeof(usage) - 1);
    return 2;
  }
  int syncFd = -1;
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--sync-fd") == 0) {
      syncFd = std::atoi(argv[i + 1]);
    }
  }
  berth::runtime::Monitor monitor(argv[1], syncFd);
  return monitor.run();
}
