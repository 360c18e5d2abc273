// Container groups on a real `berth up` (both pools on its local node) as seen from outside:
// the quota and DNS zone flags, ipAddress.fqdn and the uniqueness of DNS name labels, the
// cachedImages of the instance-pool nodes, and the pods of groups kept out of `kubectl get pods
// -A` while `-n NAMESPACE`, `-l instances.berth.io/group=...` and JSON clients still see them.

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/files.h"
#include "base/process.h"
#include "http/client.h"
#include "instances/pod_naming.h"
#include "support/up_cluster.h"

namespace berth {
namespace {

using nlohmann::json;

constexpr const char* kSub = "00000000-0000-0000-0000-0000000000b1";
constexpr const char* kVersion = "api-version=2023-05-01";

class ArmUpViewsTest : public ::testing::Test {
 protected:
  ArmUpViewsTest()
      : cluster_({"--instances-dns-zone", "zone.test", "--group-max-cpu", "2",
                  "--subscription-max-groups", "5"}) {}

  void SetUp() override {
    ASSERT_TRUE(cluster_.start());
    adminToken_ = cluster_.adminToken();
    ASSERT_FALSE(adminToken_.empty());
  }
  void TearDown() override {
    if (adminToken_.empty()) {
      return;
    }
    for (const char* name : {"views-web", "views-twin"}) {
      call("DELETE", groupPath(name) + "?" + kVersion);
    }
    // The agent keeps running containers when it stops: the groups' pods must be gone first.
    EXPECT_TRUE(testing::eventually(
        [&] {
          auto left =
              cluster_.kubectl({"get", "pods", "-A", "-o", "name", "-l", instances::kGroupLabel});
          return left.succeeded() && left.out.empty();
        },
        std::chrono::seconds(90)));
    if (HasFailure()) {
      std::cerr << "berth up log:\n" << cluster_.log() << "\n";
    }
  }

  http::ClientResponse call(const std::string& method, const std::string& path,
                            const std::string& body = "") {
    return cluster_.request(method, path, body);
  }
  static std::string groupPath(const std::string& name) {
    return fmt::format(
        "/subscriptions/{}/resourceGroups/views-rg/providers/Microsoft.ContainerInstance/"
        "containerGroups/{}",
        kSub, name);
  }
  json body(const std::string& label, double cpu = 0.5) {
    return {{"location", "local"},
            {"properties",
             {{"osType", "Linux"},
              {"restartPolicy", "Never"},
              {"containers",
               {{{"name", "main"},
                 {"properties",
                  {{"image", cluster_.image("busybox:1")},
                   {"command", {"sleep", "3600"}},
                   {"ports", {{{"port", port_}}}},
                   {"resources", {{"requests", {{"cpu", cpu}, {"memoryInGB", 0.5}}}}}}}}}},
              {"ipAddress",
               {{"type", "Public"}, {"dnsNameLabel", label}, {"ports", {{{"port", port_}}}}}}}}};
  }
  json getGroup(const std::string& name) {
    auto got = call("GET", groupPath(name) + "?" + kVersion);
    return json::parse(got.body, nullptr, false);
  }

  testing::UpCluster cluster_;
  std::string adminToken_;
  // The group's public port (a hostPort of the node): one no other test run is likely to use.
  int port_ = 30000 + static_cast<int>(::getpid() % 20000);
};

TEST_F(ArmUpViewsTest, FqdnLabelsQuotaCachedImagesAndOrdinaryViews) {
  auto created = call("PUT", groupPath("views-web") + "?" + kVersion, body("views-label").dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(json::parse(created.body)["properties"]["ipAddress"]["fqdn"],
            "views-label.local.zone.test");

  // The label is taken in this location, whoever asks.
  auto twin = call("PUT", groupPath("views-twin") + "?" + kVersion, body("views-label").dump());
  EXPECT_EQ(twin.status, 409) << twin.body;
  EXPECT_EQ(json::parse(twin.body, nullptr, false)["error"]["code"], "DnsNameLabelNotAvailable");
  EXPECT_EQ(getGroup("views-twin")["error"]["code"], "ResourceNotFound");
  // --group-max-cpu 2.
  auto big = call("PUT", groupPath("views-twin") + "?" + kVersion, body("views-other", 3).dump());
  EXPECT_EQ(big.status, 400) << big.body;
  EXPECT_NE(big.body.find("StandardCoresPerContainerGroup"), std::string::npos) << big.body;
  // A re-PUT of the holder keeps its label.
  auto again = call("PUT", groupPath("views-web") + "?" + kVersion, body("views-label").dump());
  EXPECT_EQ(again.status, 200) << again.body;

  std::string state;
  ASSERT_TRUE(testing::eventually(
      [&] {
        json group = getGroup("views-web");
        state = group["properties"].value("instanceView", json::object()).value("state", "");
        return state == "Running";
      },
      std::chrono::seconds(60)))
      << state;
  EXPECT_EQ(getGroup("views-web")["properties"]["ipAddress"]["fqdn"],
            "views-label.local.zone.test");

  // Pods of groups are not in the ordinary view of all namespaces...
  const std::string ns = instances::podNamespace(kSub, "views-rg");
  auto all = cluster_.kubectl({"get", "pods", "-A"});
  ASSERT_TRUE(all.succeeded()) << all.err;
  EXPECT_EQ(all.out.find("views-web"), std::string::npos) << all.out;
  // ...but are in their namespace, by their label, and for machines (JSON).
  auto inNamespace = cluster_.kubectl({"get", "pods", "-n", ns});
  EXPECT_NE(inNamespace.out.find("views-web"), std::string::npos) << inNamespace.out;
  auto byLabel = cluster_.kubectl({"get", "pods", "-A", "-l", "instances.berth.io/group"});
  EXPECT_NE(byLabel.out.find("views-web"), std::string::npos) << byLabel.out;
  auto asJson = cluster_.kubectl({"get", "pods", "-A", "-o", "name"});
  EXPECT_NE(asJson.out.find("pod/views-web"), std::string::npos) << asJson.out;
  // berth up's node serves both pools untainted: it stays in view.
  auto nodes = cluster_.kubectl({"get", "nodes"});
  EXPECT_NE(nodes.out.find(cluster_.node()), std::string::npos) << nodes.out;

  // The image the group ran is cached on the instance node (reported with its status).
  const std::string cachedPath = fmt::format(
      "/subscriptions/{}/providers/Microsoft.ContainerInstance/locations/local/cachedImages?{}",
      kSub, kVersion);
  json cached;
  EXPECT_TRUE(testing::eventually(
      [&] {
        cached = json::parse(call("GET", cachedPath).body, nullptr, false);
        for (const json& entry : cached.value("value", json::array())) {
          if (entry.value("image", "") == cluster_.image("busybox:1") &&
              entry.value("osType", "") == "Linux") {
            return true;
          }
        }
        return false;
      },
      std::chrono::seconds(40)))
      << cached.dump();

  // Once the holder is gone the label is free again.
  auto deleted = call("DELETE", groupPath("views-web") + "?" + kVersion);
  EXPECT_EQ(deleted.status, 200) << deleted.body;
  auto taken = call("PUT", groupPath("views-twin") + "?" + kVersion, body("views-label").dump());
  EXPECT_EQ(taken.status, 201) << taken.body;
}

TEST(ArmUpFlagsTest, NonPositiveQuotaIsAStartUpErrorNamingTheFlag) {
  for (const char* command : {"server", "up"}) {
    for (const char* flag : {"--group-max-cpu", "--subscription-max-groups"}) {
      auto outcome = process::run({std::string(BERTH_BINARY_DIR) + "/berth", command, flag, "0",
                                   "--data-dir", "/tmp/berth-flags-never-used"});
      ASSERT_TRUE(outcome);
      EXPECT_NE(outcome->exitCode, 0) << command << " " << flag;
      EXPECT_NE(outcome->err.find(std::string("'") + flag + "' must be greater than 0"),
                std::string::npos)
          << command << " " << flag << ": " << outcome->err;
    }
  }
  EXPECT_FALSE(std::filesystem::exists("/tmp/berth-flags-never-used/state.db"));
}

}  // namespace
}  // namespace berth
