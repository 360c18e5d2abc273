#include "agent/network/cni_chain.h"

#include <gtest/gtest.h>

namespace berth::network {
namespace {

using nlohmann::json;

// Records every call; answers ADD with a result naming the plugin, or fails the plugin told to.
class FakeCniExec : public CniExec {
 public:
  Result<std::string> run(const CniCall& call) override {
    calls.push_back(call);
    if (call.command == failCommand && call.type == failType) {
      return fail(ErrorCode::kInternal, "{} failed", call.type);
    }
    if (call.command == "DEL") {
      return std::string();
    }
    json in = json::parse(call.config);
    json r{{"cniVersion", "1.0.0"},
           {"ips", json::array({json{{"address", "10.0.0.2/24"}}})},
           {"by", call.type}};
    if (in.contains("prevResult")) {
      r["prev"] = in["prevResult"]["by"];
    }
    return r.dump();
  }

  std::vector<std::string> sequence() const {
    std::vector<std::string> out;
    for (const auto& c : calls) {
      out.push_back(c.command + " " + c.type);
    }
    return out;
  }

  std::vector<CniCall> calls;
  std::string failCommand, failType;
};

std::vector<PluginConfig> chainWithPorts() {
  NetworkConfig config;
  return buildPluginChain(config, {{.hostPort = 8080, .containerPort = 80}});
}

TEST(CniChainTest, AddRunsInOrderAndChainsPrevResultPerInterface) {
  FakeCniExec exec;
  auto results = addChain(exec, chainWithPorts(), {"pod1", "/pods/1/ns/net"});
  ASSERT_TRUE(results) << results.error().message();
  EXPECT_EQ(exec.sequence(),
            (std::vector<std::string>{"ADD loopback", "ADD bridge", "ADD portmap"}));
  // loopback is its own attachment: bridge does not get its result.
  EXPECT_FALSE(json::parse(exec.calls[1].config).contains("prevResult"));
  EXPECT_EQ(json::parse(exec.calls[2].config)["prevResult"]["by"], "bridge");
  EXPECT_EQ((*results)["eth0"]["by"], "portmap");
  EXPECT_EQ((*results)["lo"]["by"], "loopback");
  for (const auto& c : exec.calls) {
    EXPECT_EQ(c.containerId, "pod1");
    EXPECT_EQ(c.netns, "/pods/1/ns/net");
  }
  EXPECT_EQ(exec.calls[0].ifname, "lo");
  EXPECT_EQ(exec.calls[1].ifname, "eth0");
}

TEST(CniChainTest, FailedAddDeletesTheFailingPluginAndEverythingBefore) {
  FakeCniExec exec;
  exec.failCommand = "ADD";
  exec.failType = "portmap";
  auto results = addChain(exec, chainWithPorts(), {"pod1", "/ns"});
  ASSERT_FALSE(results);
  EXPECT_EQ(results.error().message(), "portmap failed");
  EXPECT_EQ(exec.sequence(),
            (std::vector<std::string>{"ADD loopback", "ADD bridge", "ADD portmap", "DEL portmap",
                                      "DEL bridge", "DEL loopback"}));
  // The undo passes what was known: the bridge result as portmap's prevResult.
  EXPECT_EQ(json::parse(exec.calls[3].config)["prevResult"]["by"], "bridge");
}

TEST(CniChainTest, NonJsonAddResultFailsAndIsUndone) {
  class Garbage : public FakeCniExec {
    Result<std::string> run(const CniCall& call) override {
      calls.push_back(call);
      return std::string(call.command == "ADD" ? "oops" : "");
    }
  } exec;
  auto results = addChain(exec, chainWithPorts(), {"pod1", "/ns"});
  ASSERT_FALSE(results);
  EXPECT_EQ(results.error().message(), "cni add 'loopback': result is not a json object");
  EXPECT_EQ(exec.sequence(), (std::vector<std::string>{"ADD loopback", "DEL loopback"}));
}

TEST(CniChainTest, DelRunsInReverseWithCachedResultsAndContinuesPastFailures) {
  FakeCniExec exec;
  exec.failCommand = "DEL";
  exec.failType = "portmap";
  CniResults cached{{"eth0", json{{"by", "cached-eth0"}}}};
  Status s = delChain(exec, chainWithPorts(), {"pod1", ""}, cached);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "portmap failed");
  EXPECT_EQ(exec.sequence(),
            (std::vector<std::string>{"DEL portmap", "DEL bridge", "DEL loopback"}));
  EXPECT_EQ(json::parse(exec.calls[0].config)["prevResult"]["by"], "cached-eth0");
  EXPECT_EQ(json::parse(exec.calls[1].config)["prevResult"]["by"], "cached-eth0");
  EXPECT_FALSE(json::parse(exec.calls[2].config).contains("prevResult"));
  EXPECT_EQ(exec.calls[1].netns, "");
}

}  // namespace
}  // namespace berth::network
