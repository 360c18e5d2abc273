#pragma once

// Static pods: every Pod manifest (YAML or JSON, *.yaml|*.yml|*.json, one or more documents)
// in a directory runs on this node, like the kubelet's --pod-manifest-path. A new or changed
// file takes effect at once (inotify) — a changed manifest is a new pod (its uid is a hash of
// the file path and content), so the old pod is torn down and the new one started; a removed
// file tears its pods down. An invalid manifest becomes a pod whose status names the problem.

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "agent/pod_sync_loop.h"
#include "base/error.h"

namespace berth::agent {

class ManifestSource {
 public:
  ManifestSource(std::filesystem::path dir, PodSyncLoop& loop);
  ~ManifestSource();

  // Reads the directory once, hands the pods to the loop and starts watching.
  Status start();
  void stop();

  // Reads every manifest in `dir` into desired pods (exposed for tests).
  static std::vector<DesiredPod> scan(const std::filesystem::path& dir);

 private:
  void watchLoop();
  void rescan();

  std::filesystem::path dir_;
  PodSyncLoop& loop_;
  std::string sourceName_;
  std::thread thread_;
  int inotifyFd_ = -1;
  int stopFd_ = -1;
};

}  // namespace berth::agent
