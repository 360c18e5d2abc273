#pragma once

// A pod's sandbox: its network, IPC and UTS namespaces, kept alive as bind-mounted namespace
// files under the pod's directory (no process holds them), and its CNI attachment
// (bridge + host-local + loopback, portmap for hostPort) per the CNI spec.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"

namespace berth::network {

struct PortMapping {
  int32_t hostPort = 0;
  int32_t containerPort = 0;
  std::string protocol = "tcp";  // lowercase for CNI
  std::string hostIP;            // empty: all addresses
};

struct NetworkConfig {
  std::string name = "berth";
  std::string bridge = "berth0";
  std::string subnet = "10.88.0.0/16";
  std::filesystem::path pluginDir = "/usr/lib/cni";
  // host-local allocations; empty: the CNI default (/var/lib/cni/networks), shared by every
  // agent on the machine that uses the same network, which keeps their addresses distinct.
  std::filesystem::path ipamDataDir;
  int mtu = 1500;
};

struct Sandbox {
  std::filesystem::path netns;  // bind-mounted /proc/<pid>/ns/net
  std::filesystem::path ipcns;
  std::filesystem::path utsns;
  std::string ip;  // pod IP on the bridge network
  std::string gateway;
};

class PodNetwork {
 public:
  virtual ~PodNetwork() = default;

  // Creates the namespaces under `dir` (hostname set in the UTS namespace) and attaches the
  // network namespace: loopback up, eth0 on the bridge with an address, host ports mapped.
  // `id` identifies the attachment to CNI (CNI_CONTAINERID). On failure nothing is left.
  virtual Result<Sandbox> create(const std::string& id, const std::filesystem::path& dir,
                                 const std::string& hostname,
                                 const std::vector<PortMapping>& ports) = 0;

  // Detaches (CNI DEL, releasing the address, port mappings and veth) and removes the
  // namespaces. Idempotent: not an error if already gone. Needs the same ports as create.
  virtual Status destroy(const std::string& id, const std::filesystem::path& dir,
                         const std::vector<PortMapping>& ports) = 0;

  // The sandbox already created in `dir`, if any (after an agent restart).
  virtual Result<Sandbox> inspect(const std::filesystem::path& dir) = 0;
};

using PodNetworkPtr = std::unique_ptr<PodNetwork>;

PodNetworkPtr makeCniPodNetwork(NetworkConfig config);

}  // namespace berth::network
