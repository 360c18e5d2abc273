#pragma once

// Hollow nodes, for benchmarks of the control plane at a scale one machine cannot run for
// real (kubemark's idea): N Nodes registered with the API server, each renewing its Lease and
// posting its status like a real agent, that "run" the pods bound to them without containers —
// a bound pod is reported Running and Ready at once (every container running and ready), and a
// pod being deleted is removed at once. The scheduler, the controllers and the API server see
// the same traffic as with real nodes, minus the containers' start-up time.
//
//   HollowNodes nodes(client, {.namePrefix = "hollow-", .count = 40}, clock);
//   nodes.start();  ...  nodes.stop();
//
// One process serves all N nodes: one pod informer (all pods, filtered by spec.nodeName) and a
// few workers that write pod statuses and deletions; one registration and one lease thread per
// node. It needs a client with rights on every node and pod (an admin token).

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "client/api_client.h"
#include "client/informer.h"
#include "client/work_queue.h"

namespace berth::agent {

class NodeRegistration;
class NodeLease;

struct HollowNodesOptions {
  std::string namePrefix = "hollow-";  // nodes are <prefix>0 .. <prefix>(count-1)
  int count = 10;
  int64_t cpuCores = 4;
  int64_t memoryKi = int64_t{16} * 1024 * 1024;
  std::chrono::milliseconds statusPeriod{10'000};
  std::chrono::milliseconds leasePeriod{10'000};
  int workers = 4;
};

// The status a hollow node reports for `pod` running on it since `now` (RFC 3339): phase
// Running, conditions PodScheduled, Initialized, ContainersReady and Ready True, hostIP, a pod
// IP, and a running, ready, started status for each container.
nlohmann::json hollowPodStatus(const nlohmann::json& pod, const std::string& now,
                               const std::string& hostIP, const std::string& podIP);

class HollowNodes {
 public:
  HollowNodes(client::ApiClient& client, HollowNodesOptions options, const Clock& clock);
  ~HollowNodes();  // stops
  HollowNodes(const HollowNodes&) = delete;
  HollowNodes& operator=(const HollowNodes&) = delete;

  void start();
  void stop();

  // Pod statuses and deletions written so far.
  int64_t writes() const { return writes_; }

 private:
  void work();
  void sync(const std::string& key);

  client::ApiClient& client_;
  HollowNodesOptions options_;
  const Clock& clock_;
  std::set<std::string> names_;
  std::map<std::string, std::string> hostIPs_;  // node name -> its InternalIP
  std::vector<std::unique_ptr<NodeRegistration>> registrations_;
  std::vector<std::unique_ptr<NodeLease>> leases_;
  std::unique_ptr<client::Informer> pods_;
  client::WorkQueue queue_;
  std::vector<std::thread> workers_;
  std::atomic<int64_t> writes_{0};
  std::atomic<uint32_t> nextIp_{0};
  bool started_ = false;
};

}  // namespace berth::agent
