// The ARM container-group API driven by the real Azure SDK for JavaScript
// (@azure/arm-containerinstance, test/sdk/aci.test.mjs) against a real `berth up`: create and
// wait, get, list, logs, exec, stop/start/restart, delete, and refused input. The node test
// runner's output is printed when it fails.
//
// Needs node and `npm ci` in test/sdk (scripts/setup does it). Without them the test is skipped,
// except in CI ($CI=true), where a missing install is a failure.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "base/files.h"
#include "base/process.h"
#include "support/up_cluster.h"

namespace berth {
namespace {

using nlohmann::json;
using testing::UpCluster;

const std::filesystem::path kSdkDir = std::filesystem::path(BERTH_SOURCE_DIR) / "test" / "sdk";

bool inCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

// Why the SDK tests cannot run here, or "" when they can.
std::string missingSetup() {
  if (process::which("node").empty()) {
    return "node is not installed";
  }
  if (!std::filesystem::exists(kSdkDir / "node_modules" / "@azure" / "arm-containerinstance") ||
      !std::filesystem::exists(kSdkDir / "node_modules" / "ws")) {
    return "test/sdk/node_modules is missing (run scripts/setup, or `npm ci` in test/sdk)";
  }
  return "";
}

TEST(AzureSdkTest, TheJavaScriptSdkDrivesContainerGroups) {
  if (std::string missing = missingSetup(); !missing.empty()) {
    if (inCi()) {
      FAIL() << missing;
    }
    GTEST_SKIP() << missing;
  }
  UpCluster cluster;
  ASSERT_TRUE(cluster.start());
  const auto& dataDir = cluster.process().dataDir();

  auto kubeconfig = files::read(cluster.process().kubeconfig());
  ASSERT_TRUE(kubeconfig);
  size_t at = kubeconfig->find("server: ");
  ASSERT_NE(at, std::string::npos);
  std::string endpoint = kubeconfig->substr(at + 8);
  endpoint = endpoint.substr(0, endpoint.find('\n'));

  auto tokensText = files::read(dataDir / "tokens.json");
  ASSERT_TRUE(tokensText);
  std::string token;
  for (const auto& entry : json::parse(*tokensText)) {
    if (entry.value("user", "") == "system:admin") {
      token = entry.value("token", "");
    }
  }
  ASSERT_FALSE(token.empty());

  process::Options options;
  options.workingDir = kSdkDir.string();
  options.timeout = std::chrono::seconds(240);
  options.env["BERTH_ARM_ENDPOINT"] = endpoint;
  options.env["BERTH_TOKEN"] = token;
  options.env["BERTH_IMAGE"] = cluster.image("httpd:1");
  options.env["NODE_EXTRA_CA_CERTS"] = (dataDir / "pki" / "ca.crt").string();
  options.env["NO_COLOR"] = "1";
  auto outcome = process::run({"node", "--test", "--test-reporter=spec", "aci.test.mjs"}, options);
  ASSERT_TRUE(outcome) << outcome.error().message();
  EXPECT_TRUE(outcome->succeeded()) << outcome->describe() << "\n"
                                    << outcome->out << outcome->err << "\nberth log:\n"
                                    << cluster.log();
  // The runner closes with its counts ("ℹ tests 17" ...): show them, and make sure the tests ran.
  size_t counts = outcome->out.rfind("tests ");
  std::cout << "node --test: " << (counts == std::string::npos ? "" : outcome->out.substr(counts))
            << "\n";
  EXPECT_NE(outcome->out.find("fail 0"), std::string::npos) << outcome->out;
  EXPECT_EQ(outcome->out.find("pass 0"), std::string::npos) << outcome->out;

  // The SDK deleted its groups; their pods (in namespaces the teardown does not look at) must go
  // before berth stops.
  EXPECT_TRUE(testing::eventually(
      [&] {
        auto pods = cluster.kubectl({"get", "pods", "--all-namespaces", "--no-headers"});
        return pods.succeeded() && pods.out.empty();
      },
      std::chrono::seconds(60)))
      << cluster.kubectl({"get", "pods", "--all-namespaces"}).out;
}

}  // namespace
}  // namespace berth
