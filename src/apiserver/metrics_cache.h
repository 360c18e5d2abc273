#pragma once

// The resource metrics the API server serves as metrics.k8s.io/v1beta1 (what metrics-server
// does in Kubernetes): CPU and memory of nodes and of pods' containers, from the summaries the
// node agents report at `GET /stats/summary` (the contract is in the agent's stats_summary.h:
// a subset of the kubelet Summary API).
//
// CPU in a summary is cumulative (usageCoreNanoSeconds), so a figure needs two scrapes: the
// usage is (usage2 - usage1) / (time2 - time1), in nanocores, over the window time2 - time1,
// with time2 as the timestamp. The first scrape of a node or container, or one after a
// restart (startTime changed, or the counter went backwards), gives no figure yet, as with
// metrics-server. Memory is workingSetBytes. Sample times are the summary's "time" fields,
// or the scrape time when those are missing.
//
// Shapes (kubectl.md §13):
//   PodMetrics  {"kind":"PodMetrics","apiVersion":"metrics.k8s.io/v1beta1","metadata":{"name",
//                "namespace","creationTimestamp"},"timestamp","window":"15s","containers":
//                [{"name","usage":{"cpu":"1234567n","memory":"10240Ki"}}]}
//   NodeMetrics {"kind":"NodeMetrics",...,"metadata":{"name","creationTimestamp"},"timestamp",
//                "window","usage":{"cpu","memory"}}
// Quantities are printed canonically (Quantity.String()): cpu from nanocores ("250m" when
// exact, else "123456n"), memory in binary units ("10Mi", "10240Ki", or plain bytes).
// A pod is listed only when every container reported has a CPU figure.
//
// Thread safety: all members may be called from any thread.

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/error.h"

namespace berth::apiserver {

// Where summaries come from: the agents over HTTPS in the server (metrics_scraper.h), a fake
// in tests.
class SummarySource {
 public:
  virtual ~SummarySource() = default;
  // The summary of node `nodeName` (parsed JSON), or why there is none.
  virtual Result<nlohmann::json> fetch(const std::string& nodeName) = 0;
};

// "250m", "123456n", "0" for nanocores.
std::string formatNanoCores(uint64_t nanocores);
// "10Mi", "10240Ki", "1000" for bytes.
std::string formatBytes(uint64_t bytes);
// A window as Go's time.Duration prints it: "15s", "14.998s", "1m0s".
std::string formatWindow(std::chrono::milliseconds window);

class MetricsCache {
 public:
  explicit MetricsCache(Clock& clock) : clock_(clock) {}

  // Takes in the summary just scraped from `nodeName`.
  void update(const std::string& nodeName, const nlohmann::json& summary);
  // Forgets every node not in `nodes` (deleted, or no longer Ready) and its pods.
  void retain(const std::set<std::string>& nodes);

  // PodMetrics of the pods in `namespace_` ("" for all), sorted by namespace and name.
  std::vector<nlohmann::json> podMetrics(const std::string& namespace_) const;
  std::optional<nlohmann::json> podMetrics(const std::string& namespace_,
                                           const std::string& name) const;
  // NodeMetrics of every node with a figure, sorted by name.
  std::vector<nlohmann::json> nodeMetrics() const;
  std::optional<nlohmann::json> nodeMetrics(const std::string& name) const;

 private:
  // One cumulative CPU counter and what was derived from it.
  struct Series {
    std::string startTime;  // a change means a restart: the counter starts again
    uint64_t usage = 0;     // usageCoreNanoSeconds at `time`
    Clock::WallTime time;
    std::optional<uint64_t> nanocores;  // the rate over the last window, once known
    std::chrono::milliseconds window{0};
    uint64_t memory = 0;  // workingSetBytes at `time`
  };
  struct ContainerEntry {
    std::string name;
    Series series;
  };
  struct PodEntry {
    std::string node;
    std::vector<ContainerEntry> containers;
  };

  // Advances `series` with a new sample (cpu/memory objects of the summary).
  void advance(Series& series, const nlohmann::json& item, const std::string& startTime,
               Clock::WallTime scraped, bool fresh) const;
  nlohmann::json podObject(const std::string& namespace_, const std::string& name,
                           const PodEntry& pod) const;
  nlohmann::json nodeObject(const std::string& name, const Series& node) const;

  Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, Series> nodes_;
  // namespace/name -> the pod's containers.
  std::map<std::pair<std::string, std::string>, PodEntry> pods_;
};

}  // namespace berth::apiserver
