// MetricsScraper and AgentSummarySource.

#include "apiserver/metrics_scraper.h"

#include <spdlog/spdlog.h>

#include <set>

#include "apiserver/pod_subresources.h"
#include "http/client.h"

namespace berth::apiserver {

using nlohmann::json;

Result<json> AgentSummarySource::fetch(const std::string& nodeName) {
  BERTH_ASSIGN_OR_RETURN(NodeEndpoint endpoint, nodeEndpoint(handlers_, nodeName));
  std::string host =
      endpoint.host.find(':') != std::string::npos ? "[" + endpoint.host + "]" : endpoint.host;
  http::ClientOptions options;
  options.insecure = true;  // the agent's certificate is self-signed; it checks our token
  options.bearerToken = token_;
  options.timeout = timeout_;
  BERTH_ASSIGN_OR_RETURN(
      auto reply,
      http::httpRequest("GET", "https://" + host + ":" + endpoint.port + "/stats/summary", "",
                        options));
  if (reply.status != 200) {
    return fail(ErrorCode::kUnavailable, "stats summary of node '{}': HTTP {}", nodeName,
                reply.status);
  }
  json summary = json::parse(reply.body, nullptr, false);
  if (!summary.is_object()) {
    return fail(ErrorCode::kInvalidArgument, "stats summary of node '{}' is not a JSON object",
                nodeName);
  }
  return summary;
}

std::vector<std::string> readyNodes(ResourceHandlers& handlers) {
  std::vector<std::string> out;
  auto type = handlers.registry().find("", "v1", "nodes");
  if (!type) {
    return out;
  }
  for (const auto& item : handlers.objects().list(*type, "").items) {
    const json& node = *item.object;
    const json status = node.value("status", json::object());
    for (const auto& condition : status.value("conditions", json::array())) {
      if (condition.value("type", "") == "Ready" && condition.value("status", "") == "True") {
        out.push_back(node["metadata"].value("name", ""));
      }
    }
  }
  return out;
}

MetricsScraper::MetricsScraper(MetricsCache& cache, SummarySource& source,
                               std::function<std::vector<std::string>()> nodes,
                               std::chrono::milliseconds period)
    : cache_(cache), source_(source), nodes_(std::move(nodes)), period_(period) {}

MetricsScraper::~MetricsScraper() {
  stop();
}

void MetricsScraper::start() {
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { loop(); });
}

void MetricsScraper::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void MetricsScraper::scrapeOnce() {
  std::set<std::string> live;
  for (const auto& node : nodes_()) {
    live.insert(node);
    auto summary = source_.fetch(node);
    if (!summary) {
      spdlog::debug("metrics: node '{}': {}", node, summary.error().message());
      continue;
    }
    cache_.update(node, *summary);
  }
  cache_.retain(live);
}

void MetricsScraper::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    scrapeOnce();
    lock.lock();
    cv_.wait_for(lock, period_, [this] { return stopping_; });
  }
}

}  // namespace berth::apiserver
