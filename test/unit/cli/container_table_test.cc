#include "cli/container_table.h"

#include <gtest/gtest.h>

#include "cli/container_output.h"

namespace berth::cli {
namespace {

using nlohmann::json;

json group(const std::string& name, const std::string& state) {
  return json::parse(R"({
    "id": "/subscriptions/s/resourceGroups/Demo-RG/providers/Microsoft.ContainerInstance/containerGroups/)" +
                     name + R"(",
    "name": ")" + name +
                     R"(", "location": "local",
    "properties": {
      "provisioningState": "Succeeded",
      "instanceView": {"state": ")" +
                     state + R"("},
      "containers": [
        {"name": "a", "properties": {"image": "httpd:1",
          "resources": {"requests": {"cpu": 1.0, "memoryInGB": 1.5}}}},
        {"name": "b", "properties": {"image": "sidecar:2",
          "resources": {"requests": {"cpu": 0.5, "memoryInGB": 0.5}}}}],
      "ipAddress": {"type": "Public", "ip": "10.1.2.3", "ports": [{"port": 80}, {"port": 443}]},
      "osType": "Linux"
    }})");
}

TEST(ContainerTable, GroupRowHasTheAzColumns) {
  EXPECT_EQ(
      groupRow(group("web", "Running")),
      (std::vector<std::string>{"web", "Demo-RG", "Running", "httpd:1,sidecar:2", "10.1.2.3:80,443",
                                "Public", "1.5 core/2.0 gb", "Linux", "local"}));
}

TEST(ContainerTable, PendingGroupWithoutAddressOrInstanceView) {
  json g = group("p", "x");
  g["properties"].erase("instanceView");
  g["properties"]["provisioningState"] = "Pending";
  g["properties"].erase("ipAddress");
  auto row = groupRow(g);
  EXPECT_EQ(row[2], "Pending");
  EXPECT_EQ(row[4], "");
  EXPECT_EQ(row[5], "");
}

TEST(ContainerTable, TableAlignsColumnsUnderARule) {
  std::string table =
      formatGroups({group("web", "Running"), group("longer-name", "Stopped")}, "table");
  EXPECT_EQ(table,
            "Name         ResourceGroup  Status   Image              IP:ports         Network  "
            "CPU/Memory       OsType  Location\n"
            "-----------  -------------  -------  -----------------  ---------------  -------  "
            "---------------  ------  --------\n"
            "web          Demo-RG        Running  httpd:1,sidecar:2  10.1.2.3:80,443  Public   "
            "1.5 core/2.0 gb  Linux   local\n"
            "longer-name  Demo-RG        Stopped  httpd:1,sidecar:2  10.1.2.3:80,443  Public   "
            "1.5 core/2.0 gb  Linux   local\n");
  EXPECT_EQ(formatGroups({group("web", "Running")}, "tsv"),
            "web\tDemo-RG\tRunning\thttpd:1,sidecar:2\t10.1.2.3:80,443\tPublic\t1.5 core/2.0 "
            "gb\tLinux\tlocal\n");
  EXPECT_EQ(formatGroups({}, "json"), "[]\n");
  EXPECT_EQ(json::parse(formatGroup(group("web", "Running"), "json")), group("web", "Running"));
}

TEST(ContainerTable, UsageRowsAndTotal) {
  json usage = json::parse(R"({"currency":"USD","value":[
    {"name":"web","resourceGroup":"rg","vcpuSeconds":12.3456,"gbSeconds":18.5,"cost":0.00016,
     "running":true}],
    "total":{"vcpuSeconds":12.3456,"gbSeconds":18.5,"cost":0.00016}})");
  auto rows = usageRows(usage);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"web", "rg", "12.346", "18.500", "0.000160 USD", "yes"}));
  EXPECT_EQ(rows[1][0], "total");
  EXPECT_EQ(rows[1][4], "0.000160 USD");
  std::string table = formatUsage(usage, "table");
  EXPECT_EQ(table.substr(0, table.find('\n')),
            "Name   ResourceGroup  vCPU-seconds  GB-seconds  Cost          Running");
  EXPECT_FALSE(checkOutputFormat("xml"));
  EXPECT_TRUE(checkOutputFormat("tsv"));
}

}  // namespace
}  // namespace berth::cli
