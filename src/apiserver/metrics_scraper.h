#pragma once

// Fills the MetricsCache: every period (15 s, metrics-server's default resolution) it lists the
// nodes, asks the SummarySource for the summary of each Ready one, and forgets nodes that are
// gone or not Ready. The real source, AgentSummarySource, calls `GET /stats/summary` on the
// node's agent endpoint (InternalIP + daemonEndpoints.kubeletEndpoint.Port, see
// pod_subresources.h) over HTTPS with the API server's proxy token, not verifying the agent's
// self-signed certificate, as the log and exec proxies do.
//
// Thread safety: start/stop from one thread; scrapeOnce may run on any thread but not twice at
// the same time.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "apiserver/metrics_cache.h"
#include "apiserver/resource_handlers.h"

namespace berth::apiserver {

class AgentSummarySource final : public SummarySource {
 public:
  AgentSummarySource(ResourceHandlers& handlers, std::string token,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : handlers_(handlers), token_(std::move(token)), timeout_(timeout) {}

  // kNotFound (no such node), kUnavailable (no endpoint, unreachable, non-200 reply),
  // kInvalidArgument (the reply is not JSON).
  Result<nlohmann::json> fetch(const std::string& nodeName) override;

 private:
  ResourceHandlers& handlers_;
  std::string token_;
  std::chrono::milliseconds timeout_;
};

// The names of the nodes whose Ready condition is True, from the nodes in `objects`.
std::vector<std::string> readyNodes(ResourceHandlers& handlers);

class MetricsScraper {
 public:
  // `nodes` lists the nodes to scrape (readyNodes in the server).
  MetricsScraper(MetricsCache& cache, SummarySource& source,
                 std::function<std::vector<std::string>()> nodes,
                 std::chrono::milliseconds period = std::chrono::seconds(15));
  ~MetricsScraper();

  // Starts the thread; it scrapes at once and then every period.
  void start();
  // Stops and joins it (within one summary fetch).
  void stop();

  // One round: every listed node is fetched and fed to the cache; others are forgotten.
  void scrapeOnce();

 private:
  void loop();

  MetricsCache& cache_;
  SummarySource& source_;
  std::function<std::vector<std::string>()> nodes_;
  std::chrono::milliseconds period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace berth::apiserver
