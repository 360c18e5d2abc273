#include "agent/network/cni_config.h"

#include <gtest/gtest.h>

namespace berth::network {
namespace {

using nlohmann::json;

NetworkConfig testConfig() {
  NetworkConfig c;
  c.name = "testnet";
  c.bridge = "tb0";
  c.subnet = "10.77.0.0/24";
  c.ipamDataDir = "/tmp/ipam";
  c.mtu = 1450;
  return c;
}

TEST(CniConfigTest, ChainWithoutPortsIsLoopbackThenBridge) {
  auto chain = buildPluginChain(testConfig(), {});
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(chain[0].type, "loopback");
  EXPECT_EQ(chain[0].ifname, "lo");
  EXPECT_EQ(chain[0].config,
            json::parse(R"({"cniVersion":"1.0.0","name":"testnet","type":"loopback"})"));
  EXPECT_EQ(chain[1].type, "bridge");
  EXPECT_EQ(chain[1].ifname, "eth0");
  EXPECT_EQ(chain[1].config, json::parse(R"({
    "cniVersion": "1.0.0", "name": "testnet", "type": "bridge", "bridge": "tb0",
    "isGateway": true, "ipMasq": false, "hairpinMode": true, "mtu": 1450,
    "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.77.0.0/24"}]],
             "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "/tmp/ipam"}})"));
}

TEST(CniConfigTest, DefaultIpamDataDirIsLeftToThePlugin) {
  NetworkConfig c = testConfig();
  c.ipamDataDir.clear();
  auto chain = buildPluginChain(c, {});
  EXPECT_FALSE(chain[1].config["ipam"].contains("dataDir"));
}

TEST(CniConfigTest, HostPortsAddPortmapWithRuntimeConfig) {
  std::vector<PortMapping> ports = {
      {.hostPort = 8080, .containerPort = 80},
      {.hostPort = 5353, .containerPort = 53, .protocol = "udp", .hostIP = "127.0.0.1"}};
  auto chain = buildPluginChain(testConfig(), ports);
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_EQ(chain[2].type, "portmap");
  EXPECT_EQ(chain[2].ifname, "eth0");
  EXPECT_EQ(chain[2].config, json::parse(R"({
    "cniVersion": "1.0.0", "name": "testnet", "type": "portmap",
    "capabilities": {"portMappings": true}, "snat": true,
    "runtimeConfig": {"portMappings": [
      {"hostPort": 8080, "containerPort": 80, "protocol": "tcp"},
      {"hostPort": 5353, "containerPort": 53, "protocol": "udp", "hostIP": "127.0.0.1"}]}})"));
}

// The output of bridge 1.1.1 ADD (host.md §5), as chained through portmap.
constexpr char kBridgeResult[] = R"({
  "cniVersion": "1.0.0",
  "interfaces": [
    {"name": "tb0", "mac": "5a:1c:00:00:00:01"},
    {"name": "veth1234", "mac": "5a:1c:00:00:00:02"},
    {"name": "eth0", "mac": "5a:1c:00:00:00:03", "sandbox": "/pods/x/ns/net"}],
  "ips": [
    {"interface": 2, "address": "fd00::5/64", "gateway": "fd00::1"},
    {"interface": 2, "address": "10.77.0.5/24", "gateway": "10.77.0.1"}],
  "routes": [{"dst": "0.0.0.0/0"}],
  "dns": {}})";

TEST(CniConfigTest, ParsesTheIpv4AddressOfTheInterface) {
  auto a = parseAddResult(kBridgeResult, "eth0");
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->ip, "10.77.0.5");
  EXPECT_EQ(a->gateway, "10.77.0.1");
}

TEST(CniConfigTest, AddressWithoutInterfaceIndexOrGatewayIsAccepted) {
  auto a = parseAddResult(R"({"cniVersion":"1.0.0","ips":[{"address":"10.1.2.3/16"}]})", "eth0");
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->ip, "10.1.2.3");
  EXPECT_EQ(a->gateway, "");
}

TEST(CniConfigTest, ResultWithoutAddressOrNotJsonIsAnError) {
  auto none = parseAddResult(R"({"cniVersion":"1.0.0","interfaces":[],"ips":[]})", "eth0");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(), "cni result has no ipv4 address for 'eth0'");
  auto garbage = parseAddResult("not json", "eth0");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code(), ErrorCode::kInternal);
  EXPECT_FALSE(parseAddResult(R"({"ips": 3})", "eth0"));
}

TEST(CniConfigTest, CniErrorJsonGivesMessageAndDetails) {
  Error e = parseCniError(
      R"({"cniVersion":"1.0.0","code":999,"msg":"failed to allocate for range 0","details":"no IP addresses available in range set: 10.77.0.1-10.77.0.2"})",
      "exit status 1");
  EXPECT_EQ(e.code(), ErrorCode::kInternal);
  EXPECT_EQ(e.message(),
            "failed to allocate for range 0: no IP addresses available in range set: "
            "10.77.0.1-10.77.0.2");
  EXPECT_EQ(parseCniError(R"({"code":7,"msg":"invalid network config"})", "x").message(),
            "invalid network config");
}

TEST(CniConfigTest, TryAgainLaterIsUnavailable) {
  EXPECT_EQ(parseCniError(R"({"code":11,"msg":"busy"})", "x").code(), ErrorCode::kUnavailable);
}

TEST(CniConfigTest, NonCniOutputFallsBack) {
  Error e = parseCniError("panic: runtime error", "exit status 2: panic");
  EXPECT_EQ(e.message(), "exit status 2: panic");
  EXPECT_EQ(parseCniError("", "killed by signal 9").message(), "killed by signal 9");
}

}  // namespace
}  // namespace berth::network
