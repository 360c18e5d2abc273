#pragma once

// Static pods: every Pod manifest (YAML or JSON, *.yaml|*.yml|*.json, one or more documents)
// in a directory runs on this node, like the kubelet's --pod-manifest-path. A new or changed
// file takes effect at once (inotify) — a changed manifest is a new pod (its uid is a hash of
// the file path and content), so the old pod is torn down and the new one started; a removed
// file tears its pods down. An invalid manifest becomes a pod whose status names the problem.

#include <sys/types.h>

#include <filesystem>
#include <map>
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

  // A parsed manifest file, reused while its inode, size and mtime stay the same, so that a
  // change to one file does not re-parse all the others.
  struct CachedFile {
    ino_t inode = 0;
    off_t size = 0;
    int64_t mtimeNs = 0;
    std::vector<DesiredPod> pods;
  };
  using Cache = std::map<std::string, CachedFile>;  // by file name

  // Reads every manifest in `dir` into desired pods, using and refreshing `cache` if given.
  static std::vector<DesiredPod> scan(const std::filesystem::path& dir, Cache* cache = nullptr);
  // The pods of one manifest file's text (invalid ones carry the reason).
  static std::vector<DesiredPod> parseFile(const std::filesystem::path& file,
                                           const std::string& text);

 private:
  void watchLoop();
  void rescan();

  std::filesystem::path dir_;
  PodSyncLoop& loop_;
  std::string sourceName_;
  Cache cache_;
  std::thread thread_;
  int inotifyFd_ = -1;
  int stopFd_ = -1;
};

}  // namespace berth::agent
