// The ARM container-group API of a real `berth server` (no nodes, no controllers: groups stay
// Pending) driven over HTTPS as an ARM client would: create with Azure-AsyncOperation, GET
// without secrets, LIST with paging, refused input that stores nothing, updates, start/stop,
// DELETE, and the 401/403 answers.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/files.h"
#include "base/random.h"
#include "http/client.h"
#include "instances/pod_naming.h"
#include "support/berth_process.h"

namespace berth {
namespace {

using nlohmann::json;
using testing::BerthProcess;

constexpr const char* kSub = "00000000-0000-0000-0000-00000000000a";
constexpr const char* kVersion = "api-version=2023-05-01";

json groupBody() {
  return json::parse(R"({
    "location": "local",
    "tags": {"team": "a"},
    "properties": {
      "osType": "Linux",
      "containers": [{"name": "web", "properties": {
        "image": "busybox:1.36",
        "command": ["sleep", "3600"],
        "ports": [{"port": 80}],
        "environmentVariables": [{"name": "MODE", "value": "prod"},
                                 {"name": "TOKEN", "secureValue": "s3cret-value"}],
        "resources": {"requests": {"cpu": 1.0, "memoryInGB": 1.5}}
      }}],
      "ipAddress": {"type": "Public", "ports": [{"port": 80}]},
      "imageRegistryCredentials": [{"server": "registry.example:5000", "username": "u",
                                    "password": "hunter2-password"}]
    }
  })");
}

class ArmApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = "/tmp/berth-arm-" + randomHex(4);
    server_ = std::make_unique<BerthProcess>(
        dir_, std::vector<std::string>{"server", "--listen", "127.0.0.1:0", "--no-controllers"});
    ASSERT_TRUE(server_->start());
    auto kubeconfig = files::read(server_->kubeconfig());
    ASSERT_TRUE(kubeconfig);
    auto serverLine = kubeconfig->substr(kubeconfig->find("server: ") + 8);
    url_ = serverLine.substr(0, serverLine.find('\n'));
    auto tokens = json::parse(*files::read(dir_ / "tokens.json"));
    for (const auto& entry : tokens) {
      if (entry["user"] == "system:admin") {
        adminToken_ = entry["token"];
      }
    }
    ASSERT_FALSE(adminToken_.empty());
  }
  void TearDown() override {
    server_->stop();
    if (HasFailure()) {
      std::cerr << "server log:\n" << server_->log() << "\n";
    }
    std::filesystem::remove_all(dir_);
    std::filesystem::remove(dir_.string() + ".log");
  }

  http::ClientResponse call(const std::string& method, const std::string& path,
                            const std::string& body = "",
                            std::optional<std::string> token = std::nullopt) {
    http::ClientOptions options;
    options.caFile = dir_ / "pki" / "ca.crt";
    options.bearerToken = token.value_or(adminToken_);
    if (!body.empty()) {
      options.headers["Content-Type"] = "application/json";
    }
    std::string target = path.starts_with("https://") ? path : url_ + path;
    auto response = http::httpRequest(method, target, body, options);
    EXPECT_TRUE(response) << method << " " << path;
    return response.value_or(http::ClientResponse{});
  }
  static json parsed(const http::ClientResponse& response) {
    return json::parse(response.body, nullptr, false);
  }

  static std::string rgPath(const std::string& rg) {
    return fmt::format(
        "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.ContainerInstance/"
        "containerGroups",
        kSub, rg);
  }
  static std::string groupPath(const std::string& rg, const std::string& name) {
    return rgPath(rg) + "/" + name;
  }
  http::ClientResponse put(const std::string& rg, const std::string& name, const json& body) {
    return call("PUT", groupPath(rg, name) + "?" + kVersion, body.dump());
  }
  // The group's Secrets as the Kubernetes API shows them (all namespaces).
  json groupSecrets(const std::string& name) {
    auto list = call("GET", "/api/v1/secrets?labelSelector=instances.berth.io/group%3D" + name);
    EXPECT_EQ(list.status, 200) << list.body;
    return parsed(list).value("items", json::array());
  }

  std::filesystem::path dir_;
  std::unique_ptr<BerthProcess> server_;
  std::string url_;
  std::string adminToken_;
};

TEST_F(ArmApiTest, CreateIsALongRunningOperationAndGetShowsNoSecrets) {
  auto created = put("Demo-RG", "web", groupBody());
  ASSERT_EQ(created.status, 201) << created.body;
  json group = parsed(created);
  EXPECT_EQ(group["id"], groupPath("Demo-RG", "web"));
  EXPECT_EQ(group["name"], "web");
  EXPECT_EQ(group["type"], "Microsoft.ContainerInstance/containerGroups");
  EXPECT_EQ(group["properties"]["provisioningState"], "Pending");
  EXPECT_EQ(group["tags"], (json{{"team", "a"}}));
  ASSERT_TRUE(created.headers.contains("azure-asyncoperation"));
  std::string operation = created.headers["azure-asyncoperation"];
  std::string prefix = url_ + "/subscriptions/" + kSub +
                       "/providers/Microsoft.ContainerInstance/locations/local/operations/";
  EXPECT_TRUE(operation.starts_with(prefix)) << operation;
  EXPECT_TRUE(operation.ends_with("?api-version=2023-05-01")) << operation;

  for (const auto& reply : {created, call("GET", groupPath("demo-rg", "web") + "?" + kVersion)}) {
    ASSERT_TRUE(reply.status == 200 || reply.status == 201) << reply.body;
    EXPECT_EQ(reply.body.find("s3cret-value"), std::string::npos);
    EXPECT_EQ(reply.body.find("secureValue"), std::string::npos);
    EXPECT_EQ(reply.body.find("hunter2"), std::string::npos);
    json env = parsed(reply)["properties"]["containers"][0]["properties"]["environmentVariables"];
    ASSERT_EQ(env.size(), 2u);
    EXPECT_EQ(env[1], (json{{"name", "TOKEN"}}));
  }

  // The operation is in progress until a controller reports the group.
  auto status = call("GET", operation);
  ASSERT_EQ(status.status, 200) << status.body;
  json op = parsed(status);
  EXPECT_EQ(op["status"], "InProgress");
  std::string opId = operation.substr(prefix.size());
  opId = opId.substr(0, opId.find('?'));
  EXPECT_EQ(op["name"], opId);
  EXPECT_FALSE(op.value("startTime", "").empty());
  auto unknownOp = call("GET", prefix.substr(url_.size()) + "bm9wZQ?" + kVersion);
  EXPECT_EQ(unknownOp.status, 404) << unknownOp.body;

  // The secrets are in core/v1 Secrets; the internal object holds none.
  std::string ns = instances::podNamespace(kSub, "Demo-RG");
  auto envSecret = call("GET", "/api/v1/namespaces/" + ns + "/secrets/web--env");
  EXPECT_EQ(envSecret.status, 200) << envSecret.body;
  EXPECT_EQ(call("GET", "/api/v1/namespaces/" + ns + "/secrets/web--registry").status, 200);
  auto internal =
      call("GET", "/apis/instances.berth.io/v1/namespaces/" + ns + "/containergroups/web");
  ASSERT_EQ(internal.status, 200) << internal.body;
  EXPECT_EQ(internal.body.find("s3cret-value"), std::string::npos);
  EXPECT_EQ(parsed(internal)["spec"]["desiredState"], "Running");
  EXPECT_EQ(parsed(internal)["metadata"]["generation"], 1);

  // Re-PUT: the same body changes nothing, tags alone keep the generation, CPU is refused.
  auto same = put("Demo-RG", "web", groupBody());
  ASSERT_EQ(same.status, 200) << same.body;
  json retagged = groupBody();
  retagged["tags"]["team"] = "b";
  auto tagged = put("Demo-RG", "web", retagged);
  ASSERT_EQ(tagged.status, 200) << tagged.body;
  EXPECT_EQ(parsed(tagged)["tags"]["team"], "b");
  internal = call("GET", "/apis/instances.berth.io/v1/namespaces/" + ns + "/containergroups/web");
  EXPECT_EQ(parsed(internal)["metadata"]["generation"], 1);
  EXPECT_FALSE(parsed(internal)["spec"].contains("restartedAt"));

  // A new secure value changes only restartedAt in the spec: the group restarts with the new
  // Secret (a new generation, so the operation waits for the controller).
  auto envBefore = parsed(call("GET", "/api/v1/namespaces/" + ns + "/secrets/web--env"));
  json newSecret = retagged;
  newSecret["properties"]["containers"][0]["properties"]["environmentVariables"][1]["secureValue"] =
      "rotated-value";
  auto rotated = put("Demo-RG", "web", newSecret);
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  EXPECT_EQ(rotated.body.find("rotated-value"), std::string::npos);
  internal = call("GET", "/apis/instances.berth.io/v1/namespaces/" + ns + "/containergroups/web");
  EXPECT_EQ(parsed(internal)["metadata"]["generation"], 2);
  EXPECT_TRUE(parsed(internal)["spec"].contains("restartedAt"));
  auto envAfter = parsed(call("GET", "/api/v1/namespaces/" + ns + "/secrets/web--env"));
  EXPECT_NE(envAfter["data"], envBefore["data"]);

  json bigger = groupBody();
  bigger["properties"]["containers"][0]["properties"]["resources"]["requests"]["cpu"] = 2;
  auto refused = put("Demo-RG", "web", bigger);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(parsed(refused)["error"]["code"], "InvalidContainerGroupUpdate");

  // A new image redeploys: the spec changes and restartedAt is set.
  json newImage = groupBody();
  newImage["properties"]["containers"][0]["properties"]["image"] = "busybox:1.37";
  auto redeployed = put("Demo-RG", "web", newImage);
  ASSERT_EQ(redeployed.status, 200) << redeployed.body;
  internal = call("GET", "/apis/instances.berth.io/v1/namespaces/" + ns + "/containergroups/web");
  EXPECT_EQ(parsed(internal)["metadata"]["generation"], 3);
  EXPECT_TRUE(parsed(internal)["spec"].contains("restartedAt"));
}

TEST_F(ArmApiTest, ListsByResourceGroupAndSubscriptionWithPaging) {
  for (const char* name : {"b", "a", "c"}) {
    ASSERT_EQ(put("rg1", std::string("g") + name, groupBody()).status, 201);
  }
  ASSERT_EQ(put("rg2", "other", groupBody()).status, 201);

  auto first = call("GET", rgPath("rg1") + "?" + kVersion + "&$top=2");
  ASSERT_EQ(first.status, 200) << first.body;
  json page = parsed(first);
  ASSERT_EQ(page["value"].size(), 2u);
  EXPECT_EQ(page["value"][0]["name"], "ga");
  EXPECT_EQ(page["value"][1]["name"], "gb");
  ASSERT_TRUE(page.contains("nextLink"));
  auto second = call("GET", page["nextLink"].get<std::string>());
  ASSERT_EQ(second.status, 200) << second.body;
  json rest = parsed(second);
  ASSERT_EQ(rest["value"].size(), 1u);
  EXPECT_EQ(rest["value"][0]["name"], "gc");
  EXPECT_FALSE(rest.contains("nextLink"));

  std::string subPath = fmt::format(
      "/subscriptions/{}/providers/Microsoft.ContainerInstance/containerGroups?{}", kSub, kVersion);
  auto all = call("GET", subPath);
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(parsed(all)["value"].size(), 4u);
  EXPECT_EQ(all.body.find("s3cret-value"), std::string::npos);
  auto otherSub = call(
      "GET",
      "/subscriptions/ffffffff-0000-0000-0000-000000000000/providers/Microsoft.ContainerInstance/"
      "containerGroups?" +
          std::string(kVersion));
  ASSERT_EQ(otherSub.status, 200);
  EXPECT_EQ(parsed(otherSub)["value"], json::array());

  auto usages = call("GET", fmt::format("/subscriptions/{}/providers/Microsoft.ContainerInstance/"
                                        "locations/local/usages?{}",
                                        kSub, kVersion));
  ASSERT_EQ(usages.status, 200) << usages.body;
  EXPECT_EQ(parsed(usages)["value"][0]["currentValue"], 4);
  EXPECT_EQ(parsed(usages)["value"][1]["currentValue"], 4);
  for (const char* leaf : {"capabilities", "cachedImages"}) {
    auto reply = call("GET", fmt::format("/subscriptions/{}/providers/Microsoft.ContainerInstance/"
                                         "locations/local/{}?{}",
                                         kSub, leaf, kVersion));
    EXPECT_EQ(reply.status, 200) << leaf;
    EXPECT_TRUE(parsed(reply)["value"].is_array()) << reply.body;
  }
}

TEST_F(ArmApiTest, BadInputIsRefusedAndStoresNothing) {
  struct Case {
    std::string what;
    std::string name;
    std::function<void(json&)> mutate;
    std::string version;
    std::string code;
  };
  auto container = [](json& body) -> json& {
    return body["properties"]["containers"][0]["properties"];
  };
  std::vector<Case> cases = {
      {"missing image", "web", [&](json& b) { container(b).erase("image"); }, kVersion,
       "InvalidRequestContent"},
      {"cpu 0", "web", [&](json& b) { container(b)["resources"]["requests"]["cpu"] = 0; }, kVersion,
       "InvalidResourceRequests"},
      {"bad name", "Bad_Name", [](json&) {}, kVersion, "InvalidContainerGroupName"},
      {"unknown api-version", "web", [](json&) {}, "api-version=2099-01-01",
       "NoRegisteredProviderFound"},
      {"no api-version", "web", [](json&) {}, "", "MissingApiVersionParameter"},
      {"port out of range", "web", [&](json& b) { container(b)["ports"][0]["port"] = 70000; },
       kVersion, "InvalidContainerPort"},
      {"limit above the group total", "web",
       [&](json& b) {
         container(b)["resources"]["limits"] = {{"cpu", 3}};
       },
       kVersion, "ContainerLimitGreaterThanContainerGroupTotalRequest"},
      {"group quota", "web", [&](json& b) { container(b)["resources"]["requests"]["cpu"] = 5; },
       kVersion, "ContainerGroupQuotaReached"},
  };
  for (const auto& c : cases) {
    json body = groupBody();
    c.mutate(body);
    auto reply = call("PUT", groupPath("rg", c.name) + "?" + c.version, body.dump());
    EXPECT_EQ(reply.status, 400) << c.what << ": " << reply.body;
    json error = parsed(reply);
    EXPECT_EQ(error["error"]["code"], c.code) << c.what << ": " << reply.body;
    EXPECT_FALSE(error["error"].value("message", "").empty()) << c.what;
  }
  auto list = call("GET", rgPath("rg") + "?" + kVersion);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(parsed(list)["value"], json::array());
  EXPECT_EQ(groupSecrets("web"), json::array());
  auto internal = call("GET", "/apis/instances.berth.io/v1/containergroups");
  ASSERT_EQ(internal.status, 200) << internal.body;
  EXPECT_EQ(parsed(internal)["items"], json::array());
}

TEST_F(ArmApiTest, StopStartRestartAndDelete) {
  ASSERT_EQ(put("rg", "web", groupBody()).status, 201);
  std::string ns = instances::podNamespace(kSub, "rg");
  auto internal = [&] {
    return parsed(
        call("GET", "/apis/instances.berth.io/v1/namespaces/" + ns + "/containergroups/web"));
  };
  auto stop = call("POST", groupPath("rg", "web") + "/stop?" + kVersion);
  EXPECT_EQ(stop.status, 204) << stop.body;
  EXPECT_EQ(internal()["spec"]["desiredState"], "Stopped");
  auto start = call("POST", groupPath("rg", "web") + "/start?" + kVersion);
  EXPECT_EQ(start.status, 202) << start.body;
  EXPECT_TRUE(start.headers.contains("azure-asyncoperation"));
  EXPECT_EQ(internal()["spec"]["desiredState"], "Running");
  EXPECT_EQ(call("POST", groupPath("rg", "web") + "/start?" + kVersion).status, 204);
  std::string before = internal()["spec"].value("restartedAt", "");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(call("POST", groupPath("rg", "web") + "/restart?" + kVersion).status, 204);
  EXPECT_NE(internal()["spec"].value("restartedAt", ""), before);

  // Logs of a group without a pod are empty; an unknown container is a 404.
  auto logs = call("GET", groupPath("rg", "web") + "/containers/web/logs?" + kVersion + "&tail=10");
  ASSERT_EQ(logs.status, 200) << logs.body;
  EXPECT_EQ(parsed(logs), (json{{"content", ""}}));
  EXPECT_EQ(call("GET", groupPath("rg", "web") + "/containers/nope/logs?" + kVersion).status, 404);

  // PATCH replaces the tags only.
  auto patched = call("PATCH", groupPath("rg", "web") + "?" + kVersion,
                      json{{"tags", {{"env", "test"}}}}.dump());
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(parsed(patched)["tags"], (json{{"env", "test"}}));
  EXPECT_EQ(parsed(call("GET", groupPath("rg", "web") + "?" + kVersion))["tags"],
            (json{{"env", "test"}}));

  EXPECT_EQ(groupSecrets("web").size(), 2u);
  auto deleted = call("DELETE", groupPath("rg", "web") + "?" + kVersion);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(parsed(deleted)["name"], "web");
  auto gone = call("GET", groupPath("rg", "web") + "?" + kVersion);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(parsed(gone),
            (json{{"error",
                   {{"code", "ResourceNotFound"},
                    {"message",
                     "The Resource 'Microsoft.ContainerInstance/containerGroups/web' under "
                     "resource group 'rg' was not found. For more details please go to "
                     "https://aka.ms/ARMResourceNotFoundFix"}}}}));
  EXPECT_EQ(groupSecrets("web"), json::array());
  EXPECT_EQ(call("DELETE", groupPath("rg", "web") + "?" + kVersion).status, 204);
  EXPECT_EQ(call("POST", groupPath("rg", "web") + "/stop?" + kVersion).status, 404);
}

TEST_F(ArmApiTest, TokensAreRequiredAndNodesAreRefused) {
  http::ClientOptions anonymous;
  anonymous.caFile = dir_ / "pki" / "ca.crt";
  auto denied = http::httpRequest("GET", url_ + rgPath("rg") + "?" + kVersion, "", anonymous);
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
  EXPECT_EQ(parsed(*denied)["error"]["code"], "AuthenticationFailed") << denied->body;
  EXPECT_EQ(parsed(*denied)["error"]["message"],
            "Authentication failed. The 'Authorization' header is missing.");
  auto bad = call("GET", rgPath("rg") + "?" + kVersion, "", std::string("not-a-token"));
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(parsed(bad)["error"]["code"], "InvalidAuthenticationToken") << bad.body;

  auto tokens = json::parse(*files::read(dir_ / "tokens.json"));
  std::string nodeToken = "node-token-" + randomHex(8);
  tokens.push_back(
      {{"token", nodeToken}, {"user", "system:node:n1"}, {"groups", {"system:nodes"}}});
  ASSERT_TRUE(files::writeAtomic(dir_ / "tokens.json", tokens.dump(), 0600));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto node = call("PUT", groupPath("rg", "web") + "?" + kVersion, groupBody().dump(), nodeToken);
  EXPECT_EQ(node.status, 403) << node.body;
  EXPECT_EQ(parsed(node)["error"]["code"], "AuthorizationFailed");
  EXPECT_NE(parsed(node)["error"]["message"].get<std::string>().find(
                "'Microsoft.ContainerInstance/containerGroups/write'"),
            std::string::npos);
  EXPECT_EQ(call("GET", rgPath("rg") + "?" + kVersion).status, 200);
  EXPECT_EQ(parsed(call("GET", rgPath("rg") + "?" + kVersion))["value"], json::array());
}

}  // namespace
}  // namespace berth
