#include "cli/container_args.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

using nlohmann::json;

ContainerCreateFlags basic() {
  ContainerCreateFlags f;
  f.name = "web";
  f.image = "nginx:1";
  return f;
}

TEST(ContainerArgs, DefaultsGiveOneContainerNamedLikeTheGroup) {
  auto body = containerGroupBody(basic());
  ASSERT_TRUE(body) << body.error().message();
  EXPECT_EQ(*body, json::parse(R"({
    "location": "local",
    "properties": {
      "osType": "Linux", "restartPolicy": "Always",
      "containers": [{"name": "web", "properties": {
        "image": "nginx:1",
        "ports": [{"protocol": "TCP", "port": 80}],
        "resources": {"requests": {"cpu": 1.0, "memoryInGB": 1.5}}}}]
    }})"));
}

TEST(ContainerArgs, AllFlagsMapOntoTheArmBody) {
  auto f = basic();
  f.cpu = 0.5;
  f.memoryInGB = 2;
  f.ports = {80, 443};
  f.protocol = "UDP";
  f.ipAddress = "Public";
  f.dnsNameLabel = "demo";
  f.restartPolicy = "OnFailure";
  f.environmentVariables = {"A=1", "B=x=y"};
  f.secureEnvironmentVariables = {"TOKEN=s3cret"};
  f.commandLine = "/bin/sh -c 'echo hi; sleep 1'";
  f.registryLoginServer = "reg.example:5000";
  f.registryUsername = "u";
  f.registryPassword = "p";
  f.location = "west";
  auto body = containerGroupBody(f);
  ASSERT_TRUE(body) << body.error().message();
  const json& p = (*body)["properties"];
  EXPECT_EQ((*body)["location"], "west");
  EXPECT_EQ(p["restartPolicy"], "OnFailure");
  const json& c = p["containers"][0]["properties"];
  EXPECT_EQ(c["resources"]["requests"], (json{{"cpu", 0.5}, {"memoryInGB", 2.0}}));
  json ports = json::parse(R"([{"protocol":"UDP","port":80},{"protocol":"UDP","port":443}])");
  EXPECT_EQ(c["ports"], ports);
  EXPECT_EQ(c["environmentVariables"], json::parse(R"([{"name":"A","value":"1"},
    {"name":"B","value":"x=y"},{"name":"TOKEN","secureValue":"s3cret"}])"));
  EXPECT_EQ(c["command"], (json{"/bin/sh", "-c", "echo hi; sleep 1"}));
  EXPECT_EQ(p["ipAddress"], (json{{"type", "Public"}, {"ports", ports}, {"dnsNameLabel", "demo"}}));
  EXPECT_EQ(p["imageRegistryCredentials"],
            json::parse(R"([{"server":"reg.example:5000","username":"u","password":"p"}])"));
}

TEST(ContainerArgs, DnsNameLabelAloneMakesAPublicAddress) {
  auto f = basic();
  f.dnsNameLabel = "x";
  auto body = containerGroupBody(f);
  ASSERT_TRUE(body);
  EXPECT_EQ((*body)["properties"]["ipAddress"]["type"], "Public");
}

TEST(ContainerArgs, RefusesBadFlags) {
  struct Case {
    const char* what;
    std::function<void(ContainerCreateFlags&)> change;
    const char* needle;
  };
  std::vector<Case> cases = {
      {"no image", [](auto& f) { f.image.clear(); }, "--image is required"},
      {"no name", [](auto& f) { f.name.clear(); }, "--name is required"},
      {"env without =", [](auto& f) { f.environmentVariables = {"A"}; }, "'A'"},
      {"secure env without key", [](auto& f) { f.secureEnvironmentVariables = {"=v"}; }, "'=v'"},
      {"port 0", [](auto& f) { f.ports = {0}; }, "--ports: 0"},
      {"port too big", [](auto& f) { f.ports = {70000}; }, "--ports: 70000"},
      {"ip type", [](auto& f) { f.ipAddress = "public"; }, "--ip-address"},
      {"protocol", [](auto& f) { f.protocol = "SCTP"; }, "--protocol"},
      {"restart policy", [](auto& f) { f.restartPolicy = "Sometimes"; }, "--restart-policy"},
      {"os", [](auto& f) { f.osType = "Plan9"; }, "--os-type"},
      {"registry without password",
       [](auto& f) {
         f.registryLoginServer = "r";
         f.registryUsername = "u";
       },
       "go together"},
      {"quote", [](auto& f) { f.commandLine = "sh -c 'oops"; }, "unterminated single quote"},
  };
  for (const auto& c : cases) {
    auto f = basic();
    c.change(f);
    auto body = containerGroupBody(f);
    ASSERT_FALSE(body) << c.what;
    EXPECT_EQ(body.error().code(), ErrorCode::kInvalidArgument) << c.what;
    EXPECT_NE(body.error().message().find(c.needle), std::string::npos)
        << c.what << ": " << body.error().message();
  }
}

TEST(SplitCommandLine, SplitsLikeAShell) {
  using V = std::vector<std::string>;
  EXPECT_EQ(*splitCommandLine("  a   b\tc  "), (V{"a", "b", "c"}));
  EXPECT_EQ(*splitCommandLine("/bin/bash -c 'echo $HOME; ls'"),
            (V{"/bin/bash", "-c", "echo $HOME; ls"}));
  EXPECT_EQ(*splitCommandLine(R"(echo "a \"b\" \\ \n" c)"), (V{"echo", "a \"b\" \\ \\n", "c"}));
  EXPECT_EQ(*splitCommandLine(R"(x\ y 'it'"'"'s' "")"), (V{"x y", "it's", ""}));
  EXPECT_EQ(*splitCommandLine(""), V{});
  EXPECT_FALSE(splitCommandLine("echo \"open"));
  EXPECT_FALSE(splitCommandLine("echo trailing\\"));
}

}  // namespace
}  // namespace berth::cli
