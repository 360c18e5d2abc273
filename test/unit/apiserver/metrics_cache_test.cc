// MetricsCache rates and shapes, the scraper with a fake summary source, and the
// metrics.k8s.io endpoints of a real in-process server fed by that fake.

#include "apiserver/metrics_cache.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "apiserver/api_server.h"
#include "apiserver/human_duration.h"
#include "apiserver/metrics_scraper.h"
#include "base/random.h"
#include "http/client.h"

namespace berth::apiserver {
namespace {

using nlohmann::json;

class ManualClock final : public Clock {
 public:
  WallTime now() const override { return now_; }
  MonoTime monotonic() const override { return MonoTime{} + (now_ - WallTime{}); }
  void advance(std::chrono::milliseconds d) { now_ += d; }

 private:
  WallTime now_ = *parseRfc3339("2024-05-03T12:00:00Z");
};

std::string at(int seconds) {
  return rfc3339(*parseRfc3339("2024-05-03T12:00:00Z") + std::chrono::seconds(seconds));
}

// A summary at `seconds` after 12:00 with node CPU `nodeCpu` ns and one pod default/web with
// container main at `cpu` ns and `memory` bytes of working set.
json summary(int seconds, uint64_t nodeCpu, uint64_t cpu, uint64_t memory,
             const std::string& start = "2024-05-03T11:00:00Z") {
  return {{"node",
           {{"nodeName", "n1"},
            {"startTime", "2024-05-01T00:00:00Z"},
            {"cpu", {{"time", at(seconds)}, {"usageCoreNanoSeconds", nodeCpu}}},
            {"memory", {{"time", at(seconds)}, {"workingSetBytes", 2147483648ULL}}}}},
          {"pods",
           {{{"podRef", {{"name", "web"}, {"namespace", "default"}, {"uid", "u1"}}},
             {"startTime", start},
             {"containers",
              {{{"name", "main"},
                {"startTime", start},
                {"cpu", {{"time", at(seconds)}, {"usageCoreNanoSeconds", cpu}}},
                {"memory", {{"time", at(seconds)}, {"workingSetBytes", memory}}}}}}}}}};
}

TEST(MetricsFormatTest, Quantities) {
  EXPECT_EQ(formatNanoCores(1234567), "1234567n");
  EXPECT_EQ(formatNanoCores(250000000), "250m");
  EXPECT_EQ(formatNanoCores(2000000000), "2");
  EXPECT_EQ(formatNanoCores(0), "0");
  EXPECT_EQ(formatBytes(10240 * 1024 + 1024), "10241Ki");
  EXPECT_EQ(formatBytes(10 * 1024 * 1024), "10Mi");
  EXPECT_EQ(formatBytes(1000), "1000");
  EXPECT_EQ(formatWindow(std::chrono::seconds(15)), "15s");
  EXPECT_EQ(formatWindow(std::chrono::milliseconds(14998)), "14.998s");
  EXPECT_EQ(formatWindow(std::chrono::seconds(60)), "1m0s");
}

TEST(MetricsCacheTest, FirstScrapeGivesNoFigureSecondGivesTheRate) {
  ManualClock clock;
  MetricsCache cache(clock);
  cache.update("n1", summary(0, 1'000'000'000'000, 5'000'000'000, 10 * 1024 * 1024));
  EXPECT_TRUE(cache.podMetrics("").empty());
  EXPECT_TRUE(cache.nodeMetrics().empty());

  // 15 s later: the container used 3 s of CPU (0.2 cores), the node 7.5 s (0.5 cores).
  clock.advance(std::chrono::seconds(15));
  cache.update("n1", summary(15, 1'000'000'000'000 + 7'500'000'000, 8'000'000'000, 20971520));
  auto pods = cache.podMetrics("default");
  ASSERT_EQ(pods.size(), 1u);
  json expected = json::parse(R"({
    "kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
    "metadata": {"name": "web", "namespace": "default",
                 "creationTimestamp": "2024-05-03T12:00:15Z"},
    "timestamp": "2024-05-03T12:00:15Z", "window": "15s",
    "containers": [{"name": "main", "usage": {"cpu": "200m", "memory": "20Mi"}}]})");
  EXPECT_EQ(pods[0], expected) << pods[0].dump();
  EXPECT_TRUE(cache.podMetrics("other").empty());
  ASSERT_TRUE(cache.podMetrics("default", "web"));
  EXPECT_FALSE(cache.podMetrics("default", "nope"));

  auto node = cache.nodeMetrics("n1");
  ASSERT_TRUE(node);
  EXPECT_EQ((*node)["kind"], "NodeMetrics");
  EXPECT_EQ((*node)["usage"]["cpu"], "500m");
  EXPECT_EQ((*node)["usage"]["memory"], "2Gi");
  EXPECT_EQ((*node)["window"], "15s");
  EXPECT_FALSE((*node)["metadata"].contains("namespace"));

  // An odd rate stays in nanocores: 1 ns of CPU over 15 s... 1234567 ns over 1 s.
  clock.advance(std::chrono::seconds(1));
  cache.update("n1", summary(16, 1'000'000'000'000 + 8'500'000'000, 8'001'234'567, 20971520));
  EXPECT_EQ(cache.podMetrics("default")[0]["containers"][0]["usage"]["cpu"], "1234567n");
  EXPECT_EQ(cache.podMetrics("default")[0]["window"], "1s");
}

TEST(MetricsCacheTest, RestartedContainerStartsOver) {
  ManualClock clock;
  MetricsCache cache(clock);
  cache.update("n1", summary(0, 1'000, 5'000'000'000, 1024));
  cache.update("n1", summary(15, 2'000, 6'000'000'000, 1024));
  ASSERT_EQ(cache.podMetrics("").size(), 1u);
  // The container restarted: a new startTime and a counter from zero.
  cache.update("n1", summary(30, 3'000, 1'000'000, 1024, "2024-05-03T12:00:20Z"));
  EXPECT_TRUE(cache.podMetrics("").empty());
  cache.update("n1", summary(45, 4'000, 1'500'000'000, 1024, "2024-05-03T12:00:20Z"));
  ASSERT_EQ(cache.podMetrics("").size(), 1u);
  EXPECT_EQ(cache.podMetrics("")[0]["containers"][0]["usage"]["cpu"], "99933333n");
}

TEST(MetricsCacheTest, PodsThatLeaveAndNodesThatGoAreForgotten) {
  ManualClock clock;
  MetricsCache cache(clock);
  cache.update("n1", summary(0, 1'000, 1'000, 1024));
  cache.update("n1", summary(15, 2'000, 2'000, 1024));
  ASSERT_EQ(cache.podMetrics("").size(), 1u);
  json empty = summary(30, 3'000, 3'000, 1024);
  empty["pods"] = json::array();
  cache.update("n1", empty);
  EXPECT_TRUE(cache.podMetrics("").empty());
  EXPECT_EQ(cache.nodeMetrics().size(), 1u);
  cache.retain({});
  EXPECT_TRUE(cache.nodeMetrics().empty());
}

class FakeSummaries final : public SummarySource {
 public:
  Result<json> fetch(const std::string& nodeName) override {
    std::lock_guard lock(mu);
    ++calls;
    auto it = summaries.find(nodeName);
    if (it == summaries.end()) {
      return fail(ErrorCode::kUnavailable, "node '{}' unreachable", nodeName);
    }
    return it->second;
  }
  std::mutex mu;
  std::map<std::string, json> summaries;
  int calls = 0;
};

TEST(MetricsScraperTest, ScrapesListedNodesAndForgetsOthers) {
  ManualClock clock;
  MetricsCache cache(clock);
  FakeSummaries source;
  std::vector<std::string> nodes = {"n1", "n2"};
  MetricsScraper scraper(cache, source, [&] { return nodes; });
  source.summaries["n1"] = summary(0, 1'000, 1'000, 1024);
  scraper.scrapeOnce();
  source.summaries["n1"] = summary(15, 2'000, 2'000, 1024);
  scraper.scrapeOnce();
  EXPECT_EQ(source.calls, 4);  // n2 fails each time: no harm
  EXPECT_EQ(cache.nodeMetrics().size(), 1u);
  EXPECT_EQ(cache.podMetrics("").size(), 1u);
  nodes = {"n2"};
  scraper.scrapeOnce();
  EXPECT_TRUE(cache.nodeMetrics().empty());
  EXPECT_TRUE(cache.podMetrics("").empty());
}

// --- the endpoints, on a real server whose scraper reads the fake ---

class MetricsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("berth-metrics-" + randomHex(4));
    ApiServerOptions options;
    options.dataDir = dir_;
    options.listen = "127.0.0.1:0";
    options.threads = 2;
    options.summarySource = &source_;
    options.metricsResolution = std::chrono::milliseconds(100);
    server_ = std::make_unique<ApiServer>(options, clock_);
    ASSERT_TRUE(server_->start());
  }
  void TearDown() override {
    server_->stop();
    std::filesystem::remove_all(dir_);
  }
  http::ClientResponse call(const std::string& method, const std::string& path,
                            const std::string& body = "", const std::string& token = "") {
    http::ClientOptions options;
    options.caFile = server_->caFile();
    options.bearerToken = token.empty() ? server_->adminToken() : token;
    options.headers["Content-Type"] = "application/json";
    auto reply = http::httpRequest(method, server_->url() + path, body, options);
    EXPECT_TRUE(reply) << reply.error().message();
    return reply ? *reply : http::ClientResponse{};
  }
  json list(const std::string& path) {
    auto reply = call("GET", path);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return json::parse(reply.body, nullptr, false);
  }
  bool eventually(const std::function<bool()>& done) {
    for (int i = 0; i < 100; ++i) {
      if (done()) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  RealClock clock_;
  FakeSummaries source_;
  std::filesystem::path dir_;
  std::unique_ptr<ApiServer> server_;
};

TEST_F(MetricsServerTest, TopReadsPodsAndNodesWithLabelSelectors) {
  // Nothing yet: an empty list (kubectl top then says "metrics not available yet").
  json empty = list("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods");
  EXPECT_EQ(empty["kind"], "PodMetricsList");
  EXPECT_TRUE(empty["items"].empty());

  json node = {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"metadata", {{"name", "n1"}, {"labels", {{"zone", "a"}}}}},
               {"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
  ASSERT_EQ(call("POST", "/api/v1/nodes", node.dump()).status, 201);
  auto status = call("PUT", "/api/v1/nodes/n1/status", node.dump());
  ASSERT_EQ(status.status, 200) << status.body;
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "web"}, {"labels", {{"app", "web"}}}}},
              {"spec", {{"containers", {{{"name", "main"}, {"image", "busybox"}}}}}}};
  ASSERT_EQ(call("POST", "/api/v1/namespaces/default/pods", pod.dump()).status, 201);

  // Counters that grow with the wall clock: a steady 0.25 cores.
  std::thread feeder;
  std::atomic<bool> stop{false};
  feeder = std::thread([&] {
    auto start = std::chrono::system_clock::now();
    while (!stop) {
      auto now = std::chrono::system_clock::now();
      uint64_t elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(now - start).count();
      json s = summary(0, elapsed / 2, elapsed / 4, 4096);
      for (auto* item : {&s["node"], &s["pods"][0]["containers"][0]}) {
        (*item)["cpu"]["time"] = rfc3339Nano(now);
      }
      {
        std::lock_guard lock(source_.mu);
        source_.summaries["n1"] = s;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  bool seen = eventually([&] {
    return !list("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods")["items"].empty();
  });
  stop = true;
  feeder.join();
  ASSERT_TRUE(seen);

  json pods = list("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods");
  ASSERT_EQ(pods["items"].size(), 1u);
  const json& item = pods["items"][0];
  EXPECT_EQ(item["metadata"]["labels"]["app"], "web");
  EXPECT_EQ(item["containers"][0]["name"], "main");
  EXPECT_EQ(item["containers"][0]["usage"]["memory"], "4Ki");
  EXPECT_TRUE(item["containers"][0]["usage"]["cpu"].get<std::string>().ends_with("n") ||
              item["containers"][0]["usage"]["cpu"].get<std::string>().ends_with("m"));

  EXPECT_EQ(list("/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%3Dweb")["items"].size(), 1u);
  EXPECT_TRUE(
      list("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Ddb")["items"]
          .empty());
  auto one = call("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(json::parse(one.body)["kind"], "PodMetrics");
  auto missing = call("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("pods.metrics.k8s.io \\\"nope\\\" not found"), std::string::npos)
      << missing.body;

  json nodes = list("/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=zone%3Da");
  ASSERT_EQ(nodes["items"].size(), 1u);
  EXPECT_EQ(nodes["items"][0]["kind"], "NodeMetrics");
  EXPECT_EQ(nodes["items"][0]["usage"]["memory"], "2Gi");
  EXPECT_EQ(call("DELETE", "/apis/metrics.k8s.io/v1beta1/nodes/n1").status, 405);

  // Nodes have no business reading metrics.
  auto nodeToken = server_->tokenFor("system:node:n1", {"system:nodes"});
  ASSERT_TRUE(nodeToken);
  EXPECT_EQ(call("GET", "/apis/metrics.k8s.io/v1beta1/nodes", "", *nodeToken).status, 403);
}

}  // namespace
}  // namespace berth::apiserver
