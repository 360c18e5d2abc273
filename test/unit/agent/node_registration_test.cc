#include "agent/node_registration.h"

#include <gtest/gtest.h>

#include "agent/node_lease.h"

namespace berth::agent {
namespace {

using nlohmann::json;

NodeInputs inputs() {
  NodeInputs in;
  in.nodeName = "node-1";
  in.cpuCores = 4;
  in.memoryKi = 8'000'000;
  in.ephemeralStorageKi = 100'000'000;
  in.internalIP = "10.0.0.5";
  in.hostname = "node-1.example";
  in.osImage = "Debian GNU/Linux 12 (bookworm)";
  in.kernelVersion = "6.1.0-18-amd64";
  in.machineID = "abc123";
  in.systemUUID = "uuid-1";
  in.bootID = "boot-1";
  in.containerRuntimeVersion = "crun://1.8.1";
  in.kubeletPort = 10250;
  return in;
}

const json* conditionOf(const json& node, const std::string& type) {
  for (const auto& c : node["status"]["conditions"]) {
    if (c["type"] == type) {
      return &c;
    }
  }
  return nullptr;
}

TEST(NodeRegistrationTest, BuildsTheNodeAsTheKubeletWritesIt) {
  json node = buildNode(inputs(), "2026-11-29T06:41:02Z");
  EXPECT_EQ(node["apiVersion"], "v1");
  EXPECT_EQ(node["kind"], "Node");
  EXPECT_EQ(node["metadata"]["name"], "node-1");
  const json& labels = node["metadata"]["labels"];
  EXPECT_EQ(labels["kubernetes.io/hostname"], "node-1");
  EXPECT_EQ(labels["kubernetes.io/os"], "linux");
  EXPECT_EQ(labels["kubernetes.io/arch"], "amd64");

  const json& status = node["status"];
  EXPECT_EQ(status["capacity"]["cpu"], "4");
  EXPECT_EQ(status["capacity"]["memory"], "8000000Ki");
  EXPECT_EQ(status["capacity"]["pods"], "110");
  EXPECT_EQ(status["capacity"]["ephemeral-storage"], "100000000Ki");
  EXPECT_EQ(status["allocatable"]["cpu"], "4");
  EXPECT_EQ(status["allocatable"]["memory"], "7897600Ki");  // less 100Mi
  EXPECT_EQ(status["allocatable"]["pods"], "110");
  EXPECT_EQ(status["allocatable"]["ephemeral-storage"], "92160000000");  // 90%, in bytes

  ASSERT_EQ(status["addresses"].size(), 2u);
  EXPECT_EQ(status["addresses"][0], (json{{"type", "InternalIP"}, {"address", "10.0.0.5"}}));
  EXPECT_EQ(status["addresses"][1], (json{{"type", "Hostname"}, {"address", "node-1.example"}}));
  EXPECT_EQ(status["daemonEndpoints"]["kubeletEndpoint"]["Port"], 10250);

  const json& info = status["nodeInfo"];
  EXPECT_EQ(info["kubeletVersion"], "v1.32.0-berth");
  EXPECT_EQ(info["containerRuntimeVersion"], "crun://1.8.1");
  EXPECT_EQ(info["osImage"], "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(info["kernelVersion"], "6.1.0-18-amd64");
  EXPECT_EQ(info["operatingSystem"], "linux");
  EXPECT_EQ(info["architecture"], "amd64");
  EXPECT_EQ(info["machineID"], "abc123");
  EXPECT_EQ(info["systemUUID"], "uuid-1");
  EXPECT_EQ(info["bootID"], "boot-1");

  ASSERT_EQ(status["conditions"].size(), 4u);
  const json* ready = conditionOf(node, "Ready");
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ((*ready)["status"], "True");
  EXPECT_EQ((*ready)["reason"], "KubeletReady");
  EXPECT_EQ((*ready)["message"], "kubelet is posting ready status");
  EXPECT_EQ((*ready)["lastHeartbeatTime"], "2026-11-29T06:41:02Z");
  EXPECT_EQ((*ready)["lastTransitionTime"], "2026-11-29T06:41:02Z");
  for (const char* type : {"MemoryPressure", "DiskPressure", "PIDPressure"}) {
    const json* c = conditionOf(node, type);
    ASSERT_NE(c, nullptr) << type;
    EXPECT_EQ((*c)["status"], "False") << type;
  }
  EXPECT_EQ((*conditionOf(node, "MemoryPressure"))["reason"], "KubeletHasSufficientMemory");
  EXPECT_EQ((*conditionOf(node, "DiskPressure"))["reason"], "KubeletHasNoDiskPressure");
  EXPECT_EQ((*conditionOf(node, "PIDPressure"))["reason"], "KubeletHasSufficientPID");
}

TEST(NodeRegistrationTest, HeartbeatsKeepTransitionTimesOfUnchangedConditions) {
  json first = buildNode(inputs(), "2026-11-29T06:00:00Z");
  json previous = first["status"];
  // The server had marked the node NotReady meanwhile (lease expired).
  for (auto& c : previous["conditions"]) {
    if (c["type"] == "Ready") {
      c["status"] = "Unknown";
      c["lastTransitionTime"] = "2026-11-29T06:05:00Z";
    }
  }
  json next = buildNode(inputs(), "2026-11-29T06:10:00Z", previous);
  const json* ready = conditionOf(next, "Ready");
  EXPECT_EQ((*ready)["status"], "True");
  EXPECT_EQ((*ready)["lastTransitionTime"], "2026-11-29T06:10:00Z");  // changed: now
  EXPECT_EQ((*ready)["lastHeartbeatTime"], "2026-11-29T06:10:00Z");
  const json* memory = conditionOf(next, "MemoryPressure");
  EXPECT_EQ((*memory)["lastTransitionTime"], "2026-11-29T06:00:00Z");  // unchanged: kept
  EXPECT_EQ((*memory)["lastHeartbeatTime"], "2026-11-29T06:10:00Z");
}

TEST(NodeRegistrationTest, ParsesTheMachine) {
  EXPECT_EQ(parseMemTotalKi("MemTotal:       16318412 kB\nMemFree:  1 kB\n"), 16318412);
  EXPECT_EQ(parseMemTotalKi("nothing\n"), 0);
  EXPECT_EQ(parseOsImage("NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"),
            "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(parseOsImage("ID=x\n"), "Linux");
  EXPECT_EQ(parseRuntimeVersion("crun", "crun version 1.8.1\ncommit: abc\n"), "crun://1.8.1");
  EXPECT_EQ(parseRuntimeVersion("runc", "runc version 1.1.5+ds1\ncommit: x\n"), "runc://1.1.5+ds1");
  EXPECT_EQ(parseRuntimeVersion("crun", ""), "crun://unknown");
}

TEST(NodeRegistrationTest, GathersThisMachine) {
  NodeInputs in = gatherNodeInputs("me", "127.0.0.1", 10250, "/", "/nonexistent/crun");
  EXPECT_EQ(in.nodeName, "me");
  EXPECT_GE(in.cpuCores, 1);
  EXPECT_GT(in.memoryKi, 0);
  EXPECT_GT(in.ephemeralStorageKi, 0);
  EXPECT_EQ(in.internalIP, "127.0.0.1");
  EXPECT_FALSE(in.kernelVersion.empty());
  EXPECT_EQ(in.containerRuntimeVersion, "crun://unknown");
  EXPECT_EQ(in.kubeletPort, 10250);
  // A wildcard listen address reports a real address of the host.
  NodeInputs any = gatherNodeInputs("me", "0.0.0.0", 10250, "/", "crun");
  EXPECT_FALSE(any.internalIP.empty());
  EXPECT_NE(any.internalIP, "0.0.0.0");
}

TEST(NodeLeaseTest, LeaseAndMicroTime) {
  Clock::WallTime t = Clock::WallTime(std::chrono::microseconds(1'795'934'462'123'456LL));
  EXPECT_EQ(microTime(t), "2026-11-29T06:41:02.123456Z");
  json lease = buildLease({.nodeName = "node-1"}, "2026-11-29T06:41:02.123456Z");
  EXPECT_EQ(lease["apiVersion"], "coordination.k8s.io/v1");
  EXPECT_EQ(lease["kind"], "Lease");
  EXPECT_EQ(lease["metadata"]["name"], "node-1");
  EXPECT_EQ(lease["metadata"]["namespace"], "kube-node-lease");
  EXPECT_EQ(lease["spec"]["holderIdentity"], "node-1");
  EXPECT_EQ(lease["spec"]["leaseDurationSeconds"], 40);
  EXPECT_EQ(lease["spec"]["renewTime"], "2026-11-29T06:41:02.123456Z");
}

}  // namespace
}  // namespace berth::agent
