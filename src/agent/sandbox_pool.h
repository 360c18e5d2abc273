#pragma once

// A warm pool of pod sandboxes. Creating a sandbox (namespaces + CNI bridge ADD) is the slowest
// step of a pod start (~60 ms here), so a few are made ahead of time in the background, by a
// thread at nice 10 so that refilling yields to the starts; a pod without host ports
// takes a ready one and only has its hostname set. A pod with host ports, or an empty pool, gets
// a sandbox made on the spot.
//
// It decorates another PodNetwork. A pod that took a pooled sandbox has `dir`/sandbox-ref.json
// naming the pooled one, so destroy() and inspect() find it after an agent restart. Pooled
// sandboxes live under `poolDir`; unclaimed ones are reused after a crash and destroyed by
// stop().
//
// Thread safety: all methods may be called from any thread.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "agent/network/pod_network.h"

namespace berth::agent {

class SandboxPool : public network::PodNetwork {
 public:
  SandboxPool(network::PodNetwork& inner, std::filesystem::path poolDir, size_t size);
  ~SandboxPool() override;

  // Takes back unclaimed sandboxes a previous run left and starts filling the pool.
  Status start();
  // Stops filling and destroys the unclaimed sandboxes.
  void stop();

  Result<network::Sandbox> create(const std::string& id, const std::filesystem::path& dir,
                                  const std::string& hostname,
                                  const std::vector<network::PortMapping>& ports) override;
  Status destroy(const std::string& id, const std::filesystem::path& dir,
                 const std::vector<network::PortMapping>& ports) override;
  Result<network::Sandbox> inspect(const std::filesystem::path& dir) override;

 private:
  struct Ready {
    std::string id;
    std::filesystem::path dir;
    network::Sandbox sandbox;
  };

  void fillLoop();

  network::PodNetwork& inner_;
  std::filesystem::path poolDir_;
  size_t size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Ready> ready_;
  bool stopping_ = false;
  std::thread filler_;
};

// Sets the hostname inside a UTS namespace file (from a short-lived thread, as setns of a UTS
// namespace only affects the calling thread).
Status setHostname(const std::filesystem::path& utsns, const std::string& hostname);

}  // namespace berth::agent
