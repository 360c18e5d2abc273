#pragma once

// The agent's Node object: built from what the machine has (buildNode, pure), registered with
// the API server (POST /api/v1/nodes, or, when the Node exists, an update of its status), and
// its status re-posted every `statusPeriod` (PUT /api/v1/nodes/{name}/status, read-modify-write
// with the resourceVersion, retried on 409) — the kubelet's node status loop.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/image/image_store.h"
#include "base/clock.h"
#include "base/error.h"
#include "client/api_client.h"

namespace berth::agent {

// An image of the node's store as Node.status.images lists it.
struct NodeImage {
  std::vector<std::string> names;
  int64_t sizeBytes = 0;
  bool operator==(const NodeImage&) const = default;
};

// The kubelet's nodeStatusMaxImages.
inline constexpr size_t kMaxNodeImages = 50;

// Node.status.images from the store's images: largest first (ties by first name), at most
// `max`; an image without names is listed by its id.
std::vector<NodeImage> nodeImages(const std::vector<image::Image>& images,
                                  size_t max = kMaxNodeImages);

// Everything buildNode needs, gathered by gatherNodeInputs (or made up by tests).
struct NodeInputs {
  std::string nodeName;
  int64_t cpuCores = 0;
  int64_t memoryKi = 0;            // MemTotal
  int64_t ephemeralStorageKi = 0;  // size of the filesystem under the agent's root; 0: unknown
  std::string internalIP;
  std::string hostname;
  std::string osImage;  // PRETTY_NAME of /etc/os-release
  std::string kernelVersion;
  std::string architecture = "amd64";  // GOARCH spelling
  std::string machineID;
  std::string systemUUID;
  std::string bootID;
  std::string containerRuntimeVersion;  // "crun://1.8.1"
  int kubeletPort = 0;                  // the node endpoint (logs, exec)
  // The node pool it serves ("": none): label kPoolLabel=<pool>; with `taintPool` also the taint
  // kPoolLabel=<pool>:NoSchedule, so that only pods tolerating it are placed there.
  std::string pool;
  bool taintPool = false;
  // status.images (NodeRegistrationOptions::images refreshes it before each update); unset:
  // status.images is not ours (what others wrote stays).
  std::optional<std::vector<NodeImage>> images;
};

// The label (and taint) key of node pools. Container-group pods select and tolerate
// "berth.io/pool=instances" (instances/pod_naming.h kPoolLabel, kPoolValue).
inline constexpr char kPoolLabel[] = "berth.io/pool";
// The pool of the nodes that run container groups.
inline constexpr char kInstancesPool[] = "instances";

inline constexpr char kKubeletVersion[] = "v1.32.0-berth";

// The Node as the kubelet writes it: labels (kubernetes.io/hostname, os, arch), capacity and
// allocatable (cpu, memory less the 100Mi hard-eviction threshold, pods 110, ephemeral-storage
// less 10%), addresses (InternalIP, Hostname), conditions MemoryPressure, DiskPressure,
// PIDPressure (False) and Ready (True, KubeletReady) heartbeat at `now` (RFC 3339), nodeInfo,
// daemonEndpoints.kubeletEndpoint.Port, images ([{names, sizeBytes}], when set); the pool label and
// taint (spec.taints) when set. A condition whose status equals the one in `previousStatus` (the
// stored node's status, or null) keeps its lastTransitionTime.
nlohmann::json buildNode(const NodeInputs& in, const std::string& now,
                         const nlohmann::json& previousStatus = nullptr);

// Reads the machine: CPU count, /proc/meminfo, statvfs of `root`, uname, /etc/os-release,
// /etc/machine-id, the DMI product uuid, the boot id and `<runtimePath> --version`. The
// InternalIP is `listenHost`, or, when that is a wildcard address, the first non-loopback IPv4
// address of the host. Never fails: what cannot be read stays empty.
NodeInputs gatherNodeInputs(const std::string& nodeName, const std::string& listenHost, int port,
                            const std::filesystem::path& root, const std::string& runtimePath);

// Parsers used by gatherNodeInputs.
int64_t parseMemTotalKi(const std::string& meminfo);             // 0 if absent
std::string parseOsImage(const std::string& osRelease);          // PRETTY_NAME, unquoted
std::string parseRuntimeVersion(const std::string& runtimeName,  // "crun", "crun version 1.8.1\n.."
                                const std::string& versionOutput);  // -> "crun://1.8.1"

struct NodeRegistrationOptions {
  std::chrono::milliseconds statusPeriod{10'000};
  int updateRetries = 5;  // attempts per status update on conflicts (the kubelet's count)
  // The images to report, asked before each registration and status update; empty: the
  // inputs' images as given.
  std::function<std::vector<NodeImage>()> images;
};

class NodeRegistration {
 public:
  // `client` and `clock` must outlive this.
  NodeRegistration(client::ApiClient& client, NodeInputs inputs, NodeRegistrationOptions options,
                   const Clock& clock);
  ~NodeRegistration();  // stops
  NodeRegistration(const NodeRegistration&) = delete;
  NodeRegistration& operator=(const NodeRegistration&) = delete;

  // Starts the thread: registers (retrying until it succeeds), then posts the status every
  // statusPeriod; a Node deleted meanwhile is registered again.
  void start();
  void stop();

  // One registration: creates the Node, or updates the status of the existing one.
  Status registerNode();
  // One status update (GET, set status, PUT .../status; retried on conflict). kNotFound when
  // the Node is gone.
  Status updateStatus();

  bool registered() const { return registered_; }

 private:
  void run();
  // Patches in the labels (and the pool taint) an existing Node lacks, e.g. after an agent
  // restart with --pool.
  Status ensureLabels(const nlohmann::json& node);

  client::ApiClient& client_;
  NodeInputs inputs_;
  NodeRegistrationOptions options_;
  const Clock& clock_;
  std::atomic<bool> registered_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace berth::agent
