// Metering of container groups on a real `berth up`: vCPU- and GB-seconds from the start of the
// image pull to stop or DELETE, nothing while stopped, a configurable price table, and a
// restart of berth up that neither loses nor double-counts a second.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/files.h"
#include "base/process.h"
#include "base/random.h"
#include "http/client.h"
#include "instances/metering.h"
#include "instances/pod_naming.h"
#include "support/up_cluster.h"

namespace berth {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kSub = "00000000-0000-0000-0000-0000000000c1";
constexpr const char* kRg = "meter-rg";
constexpr const char* kVersion = "api-version=2023-05-01";
constexpr double kCpu = 1.0;
constexpr double kMemory = 0.5;
constexpr double kVcpuPrice = 0.001;
constexpr double kGbPrice = 0.0001;
constexpr double kSlack = 0.05;  // seconds of rounding and clock reads

std::filesystem::path writePriceTable() {
  std::filesystem::path file = "/tmp/berth-meter-prices-" + randomHex(4) + ".json";
  EXPECT_TRUE(files::writeAtomic(
      file, json{{"currency", "EUR"}, {"vcpuSecond", kVcpuPrice}, {"gbSecond", kGbPrice}}.dump(),
      0644));
  return file;
}

double secondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

class ArmMeteringTest : public ::testing::Test {
 protected:
  ArmMeteringTest() : prices_(writePriceTable()), cluster_({"--price-table", prices_.string()}) {}
  ~ArmMeteringTest() override { std::filesystem::remove(prices_); }

  void SetUp() override {
    ASSERT_TRUE(cluster_.start());
    readConnection();
  }
  void TearDown() override {
    // The group's pod is not in the default namespace that UpCluster cleans: wait it out here.
    call("DELETE", groupPath("meter-web") + "?" + kVersion);
    std::string ns = instances::podNamespace(kSub, kRg);
    for (int i = 0; i < 300; ++i) {
      auto pods = cluster_.kubectl({"get", "pods", "-n", ns, "-o", "name"});
      if (pods.succeeded() && pods.out.empty()) {
        break;
      }
      std::this_thread::sleep_for(100ms);
    }
    if (HasFailure()) {
      std::cerr << "berth up log:\n" << cluster_.log() << "\n";
    }
  }

  void readConnection() {
    adminToken_ = cluster_.adminToken();
    ASSERT_FALSE(adminToken_.empty());
  }

  http::ClientResponse call(const std::string& method, const std::string& path,
                            const std::string& body = "") {
    return cluster_.request(method, path, body);
  }
  static std::string groupPath(const std::string& name) {
    return fmt::format(
        "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.ContainerInstance/"
        "containerGroups/{}",
        kSub, kRg, name);
  }
  static std::string usagePath(const std::string& query = "") {
    return fmt::format(
        "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.ContainerInstance/"
        "meteredUsage?{}{}",
        kSub, kRg, kVersion, query);
  }
  json body() {
    return {{"location", "local"},
            {"properties",
             {{"osType", "Linux"},
              {"restartPolicy", "Always"},
              {"containers",
               {{{"name", "main"},
                 {"properties",
                  {{"image", cluster_.image("busybox:1")},
                   {"command", {"sleep", "3600"}},
                   {"resources", {{"requests", {{"cpu", kCpu}, {"memoryInGB", kMemory}}}}}}}}}}}}};
  }
  bool waitRunning(const std::string& name) {
    for (int i = 0; i < 600; ++i) {
      auto got = json::parse(call("GET", groupPath(name) + "?" + kVersion).body, nullptr, false);
      if (got.is_object() &&
          got["properties"].value("instanceView", json::object()).value("state", "") == "Running") {
        return true;
      }
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
  // The usage row of meter-web (empty object when absent).
  json usage(const std::string& query = "") {
    auto reply = call("GET", usagePath("&containerGroup=meter-web" + query));
    EXPECT_EQ(reply.status, 200) << reply.body;
    json body = json::parse(reply.body, nullptr, false);
    EXPECT_EQ(body["currency"], "EUR");
    EXPECT_EQ(body["value"].size(), 1u) << reply.body;
    return body["value"].empty() ? json::object() : body["value"][0];
  }
  json records() {
    auto reply = call("GET", "/apis/instances.berth.io/v1/namespaces/" +
                                 instances::podNamespace(kSub, kRg) + "/meterrecords");
    EXPECT_EQ(reply.status, 200) << reply.body;
    json items = json::parse(reply.body, nullptr, false)["items"];
    json specs = json::object();
    for (const json& item : items) {
      specs[item["metadata"]["name"].get<std::string>()] = item["spec"];
    }
    return specs;
  }

  std::filesystem::path prices_;
  testing::UpCluster cluster_;
  std::string adminToken_;
};

TEST_F(ArmMeteringTest, BillsRunningTimeOnlyAndSurvivesARestart) {
  // Bad parameters are ARM errors naming them.
  auto badFrom = call("GET", usagePath("&from=yesterday"));
  EXPECT_EQ(badFrom.status, 400) << badFrom.body;
  EXPECT_NE(badFrom.body.find("'from'"), std::string::npos) << badFrom.body;
  EXPECT_NE(badFrom.body.find("InvalidParameter"), std::string::npos) << badFrom.body;
  auto badTo = call("GET", usagePath("&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"));
  EXPECT_EQ(badTo.status, 400) << badTo.body;
  EXPECT_NE(badTo.body.find("'to'"), std::string::npos) << badTo.body;

  auto created0 = std::chrono::steady_clock::now();
  auto created = call("PUT", groupPath("meter-web") + "?" + kVersion, body().dump());
  ASSERT_EQ(created.status, 201) << created.body;
  ASSERT_TRUE(waitRunning("meter-web"));
  auto running0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(2s);

  // Stop: billing ends at once.
  double lower = secondsSince(running0);
  auto stopped = call("POST", groupPath("meter-web") + "/stop?" + kVersion);
  ASSERT_EQ(stopped.status, 204) << stopped.body;
  double upper = secondsSince(created0);
  json first = usage();
  double v1 = first["vcpuSeconds"];
  EXPECT_FALSE(first["running"]);
  EXPECT_GE(v1, kCpu * lower) << first.dump();
  EXPECT_LE(v1, kCpu * upper + kSlack) << first.dump();
  EXPECT_NEAR(first["gbSeconds"].get<double>(), v1 * kMemory / kCpu, 1e-6);
  EXPECT_NEAR(first["cost"].get<double>(),
              v1 * kVcpuPrice + first["gbSeconds"].get<double>() * kGbPrice, 1e-12);
  EXPECT_EQ(first["id"], groupPath("meter-web"));

  // Stopped: nothing is added.
  std::this_thread::sleep_for(1500ms);
  EXPECT_DOUBLE_EQ(usage()["vcpuSeconds"].get<double>(), v1);

  // Started again: billed again.
  auto started = call("POST", groupPath("meter-web") + "/start?" + kVersion);
  ASSERT_EQ(started.status, 202) << started.body;
  ASSERT_TRUE(waitRunning("meter-web"));
  std::this_thread::sleep_for(1s);
  json second = usage();
  EXPECT_TRUE(second["running"]);
  EXPECT_GE(second["vcpuSeconds"].get<double>(), v1 + kCpu * 1.0) << second.dump();

  // A restart of berth up: the closed interval is unchanged, the open one still open and the
  // downtime counted exactly once.
  json before = records();
  ASSERT_EQ(before.size(), 2u) << before.dump();
  auto beforeRead = std::chrono::steady_clock::now();
  double vBefore = usage()["vcpuSeconds"];
  cluster_.process().stop();
  std::this_thread::sleep_for(2s);
  ASSERT_TRUE(cluster_.process().start());
  readConnection();
  double downtime = secondsSince(beforeRead);
  json after = usage();
  double elapsed = secondsSince(beforeRead);
  EXPECT_TRUE(after["running"]);
  double added = after["vcpuSeconds"].get<double>() - vBefore;
  EXPECT_GE(added, kCpu * downtime - kSlack) << after.dump();
  EXPECT_LE(added, kCpu * elapsed + kSlack) << after.dump();
  json afterRecords = records();
  EXPECT_EQ(afterRecords, before) << "records changed across the restart";

  // The first interval alone, by range: unchanged by all that followed.
  std::string firstName;
  for (const auto& [name, spec] : before.items()) {
    if (spec.contains("end")) {
      firstName = name;
    }
  }
  ASSERT_FALSE(firstName.empty());
  std::string range = "&from=" + before[firstName]["start"].get<std::string>() +
                      "&to=" + before[firstName]["end"].get<std::string>();
  EXPECT_NEAR(usage(range)["vcpuSeconds"].get<double>(), v1, 1e-9);

  // DELETE ends billing; the records outlive the group.
  ASSERT_TRUE(waitRunning("meter-web"));
  auto deleted = call("DELETE", groupPath("meter-web") + "?" + kVersion);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  json gone = usage();
  EXPECT_FALSE(gone["running"]);
  std::this_thread::sleep_for(1s);
  EXPECT_DOUBLE_EQ(usage()["vcpuSeconds"].get<double>(), gone["vcpuSeconds"].get<double>());
  json last = records();
  ASSERT_EQ(last.size(), 2u);
  for (const auto& [name, spec] : last.items()) {
    EXPECT_TRUE(spec.contains("end")) << name;
  }

  // The subscription-wide form totals the same.
  auto whole = call("GET", fmt::format("/subscriptions/{}/providers/Microsoft.ContainerInstance/"
                                       "meteredUsage?{}",
                                       kSub, kVersion));
  ASSERT_EQ(whole.status, 200) << whole.body;
  EXPECT_DOUBLE_EQ(json::parse(whole.body)["total"]["vcpuSeconds"].get<double>(),
                   gone["vcpuSeconds"].get<double>());
}

TEST(ArmMeteringFlagsTest, BadPriceTableIsAStartupError) {
  std::filesystem::path file = "/tmp/berth-meter-bad-" + randomHex(4) + ".json";
  ASSERT_TRUE(files::writeAtomic(file, R"({"vcpuSecond": "free"})", 0644));
  std::filesystem::path dir = "/tmp/berth-meter-srv-" + randomHex(4);
  auto outcome =
      process::run({std::string(BERTH_BINARY_DIR) + "/berth", "server", "--data-dir", dir.string(),
                    "--listen", "127.0.0.1:0", "--price-table", file.string()});
  std::filesystem::remove(file);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(outcome);
  EXPECT_FALSE(outcome->succeeded());
  EXPECT_NE(outcome->err.find("vcpuSecond"), std::string::npos) << outcome->err;
  EXPECT_NE(outcome->err.find("--price-table"), std::string::npos) << outcome->err;
}

}  // namespace
}  // namespace berth
