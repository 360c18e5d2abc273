#include <gtest/gtest.h>

#include "instances/container_group_codec.h"
#include "sample_group.h"

namespace berth::instances {
namespace {

using nlohmann::json;
using testing::sampleBody;
using testing::sampleGroup;
using testing::samplePath;

TEST(CodecTest, DecodesEveryField) {
  ContainerGroup g = sampleGroup();
  EXPECT_EQ(g.name, "web-group");
  EXPECT_EQ(g.resourceGroup, "Demo-RG");
  EXPECT_EQ(g.location, "local");
  EXPECT_EQ(g.tags.at("team"), "a");
  const ContainerGroupProperties& p = g.properties;
  ASSERT_EQ(p.containers.size(), 2u);
  const Container& web = p.containers[0];
  EXPECT_EQ(web.image, "nginx:1.25");
  EXPECT_EQ(web.command, (std::vector<std::string>{"nginx", "-g", "daemon off;"}));
  EXPECT_EQ(web.ports, (std::vector<ContainerPort>{{80, "TCP"}}));
  ASSERT_EQ(web.environmentVariables.size(), 2u);
  EXPECT_EQ(web.environmentVariables[1].secureValue, "s3cret");
  EXPECT_FALSE(web.environmentVariables[1].value.has_value());
  EXPECT_TRUE(web.resources.requestsGiven);
  EXPECT_DOUBLE_EQ(web.resources.requests.memoryInGB, 1.5);
  ASSERT_TRUE(web.resources.limits.has_value());
  EXPECT_EQ(web.resources.limits->cpu, 1.5);
  ASSERT_TRUE(web.livenessProbe && web.livenessProbe->httpGet);
  EXPECT_EQ(web.livenessProbe->httpGet->path, "/healthz");
  EXPECT_EQ(web.livenessProbe->initialDelaySeconds, 5);
  ASSERT_TRUE(web.readinessProbe && web.readinessProbe->exec);
  EXPECT_EQ(web.volumeMounts[1], (VolumeMount{"certs", "/certs", true}));
  EXPECT_EQ(p.initContainers.at(0).command, std::vector<std::string>{"true"});
  EXPECT_EQ(p.imageRegistryCredentials.at(0).password, "p");
  EXPECT_EQ(p.restartPolicy, "OnFailure");
  ASSERT_TRUE(p.ipAddress.has_value());
  EXPECT_EQ(p.ipAddress->dnsNameLabel, "demo-web");
  EXPECT_TRUE(p.volumes[0].emptyDir);
  EXPECT_EQ(p.volumes[1].secret->at("tls.key"), "a2V5");
  EXPECT_EQ(p.sku, "Standard");
}

TEST(CodecTest, EncodesArmEnvelope) {
  json out = encodeContainerGroup(sampleGroup());
  EXPECT_EQ(out["id"],
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/Demo-RG/providers/"
            "Microsoft.ContainerInstance/containerGroups/web-group");
  EXPECT_EQ(out["name"], "web-group");
  EXPECT_EQ(out["type"], "Microsoft.ContainerInstance/containerGroups");
  EXPECT_EQ(out["location"], "local");
  EXPECT_EQ(out["tags"], json({{"team", "a"}}));
  const json& p = out["properties"];
  EXPECT_EQ(p["osType"], "Linux");
  EXPECT_EQ(p["restartPolicy"], "OnFailure");
  EXPECT_EQ(p["containers"][0]["properties"]["resources"]["requests"],
            json({{"cpu", 1.0}, {"memoryInGB", 1.5}}));
  EXPECT_EQ(p["ipAddress"]["ports"], json::parse(R"([{"port":80,"protocol":"TCP"}])"));
  EXPECT_EQ(p["volumes"][0], json::parse(R"({"name":"cache","emptyDir":{}})"));
}

TEST(CodecTest, SecretsAreNeverEncodedForGet) {
  json out = encodeContainerGroup(sampleGroup());
  std::string text = out.dump();
  EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
  EXPECT_EQ(text.find("secureValue"), std::string::npos);
  EXPECT_EQ(text.find("password"), std::string::npos);
  EXPECT_EQ(text.find("a2V5"), std::string::npos);
  const json& env = out["properties"]["containers"][0]["properties"]["environmentVariables"];
  EXPECT_EQ(env[1], json({{"name", "TOKEN"}}));
  EXPECT_EQ(env[0], json({{"name", "MODE"}, {"value", "prod"}}));
  EXPECT_EQ(out["properties"]["imageRegistryCredentials"][0],
            json({{"server", "registry.example:5000"}, {"username", "u"}}));
  EXPECT_EQ(out["properties"]["volumes"][1], json({{"name", "certs"}, {"secret", json::object()}}));
}

TEST(CodecTest, StorageEncodingRoundTripsWithSecretsAndStatus) {
  ContainerGroup g = sampleGroup();
  g.properties.provisioningState = "Succeeded";
  g.properties.instanceView =
      GroupInstanceView{"Running", {{1, "t1", "t2", "Scheduled", "m", "Normal"}}};
  g.properties.ipAddress->ip = "10.0.0.5";
  g.properties.ipAddress->fqdn = "demo-web.local.instances.berth";
  ContainerInstanceView view;
  view.restartCount = 2;
  view.currentState = ContainerState{"Running", "2026-01-01T00:00:00Z", std::nullopt, "", ""};
  view.previousState = ContainerState{"Terminated", "a", 1, "b", "Error"};
  view.events = {{3, "a", "b", "Pulled", "pulled", "Normal"}};
  g.properties.containers[0].instanceView = view;
  json stored = encodeContainerGroup(g, {.includeSecrets = true});
  EXPECT_NE(stored.dump().find("s3cret"), std::string::npos);
  auto back = decodeContainerGroup(stored, samplePath(), true);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(*back, g);
}

TEST(CodecTest, PublicEncodingRoundTripsApartFromSecrets) {
  ContainerGroup g = sampleGroup();
  auto back = decodeContainerGroup(encodeContainerGroup(g), samplePath());
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_FALSE(back->properties.containers[0].environmentVariables[1].secureValue.has_value());
  EXPECT_FALSE(back->properties.imageRegistryCredentials[0].password.has_value());
  g.properties.containers[0].environmentVariables[1].secureValue.reset();
  g.properties.imageRegistryCredentials[0].password.reset();
  g.properties.volumes[1].secret = std::map<std::string, std::string>{};
  EXPECT_EQ(*back, g);
}

TEST(CodecTest, PutIgnoresReadOnlyFields) {
  json body = sampleBody();
  body["properties"]["provisioningState"] = "Succeeded";
  body["properties"]["instanceView"] = {{"state", "Running"}};
  body["properties"]["ipAddress"]["fqdn"] = "evil.example";
  auto g = decodeContainerGroup(body, samplePath());
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->properties.provisioningState, "");
  EXPECT_FALSE(g->properties.instanceView.has_value());
  EXPECT_EQ(g->properties.ipAddress->fqdn, "");
}

TEST(CodecTest, PropertyNamesAndEnumsAreCaseInsensitive) {
  json body = json::parse(R"({"Location": "local", "properties": {"osType": "linux",
    "restartPolicy": "never", "containers": [{"name": "c", "properties": {"image": "i",
    "ports": [{"port": 5601, "protocol": "Tcp"}],
    "resources": {"requests": {"CPU": 1, "memoryInGb": 2}}}}]}})");
  auto g = decodeContainerGroup(body, samplePath());
  ASSERT_TRUE(g.has_value()) << g.error().message;
  EXPECT_EQ(g->location, "local");
  EXPECT_EQ(g->properties.osType, "Linux");
  EXPECT_EQ(g->properties.restartPolicy, "Never");
  EXPECT_EQ(g->properties.containers[0].ports[0].protocol, "TCP");
  EXPECT_DOUBLE_EQ(g->properties.containers[0].resources.requests.memoryInGB, 2);
}

TEST(CodecTest, DefaultsRestartPolicySkuAndIpProtocol) {
  json body = json::parse(R"({"location": "local", "properties": {"osType": "Linux",
    "ipAddress": {"type": "Public", "ports": [{"port": 80}]},
    "containers": [{"name": "c", "properties": {"image": "i", "ports": [{"port": 80}],
    "resources": {"requests": {"cpu": 1, "memoryInGB": 1}}}}]}})");
  auto g = decodeContainerGroup(body, samplePath());
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->properties.restartPolicy, "Always");
  EXPECT_EQ(g->properties.sku, "Standard");
  EXPECT_EQ(g->properties.ipAddress->ports[0].protocol, "TCP");
  EXPECT_EQ(g->properties.containers[0].ports[0].protocol, "");
}

TEST(CodecTest, WrongTypeNamesThePath) {
  json body = sampleBody();
  body["properties"]["containers"][1]["properties"]["resources"]["requests"]["cpu"] = "one";
  auto g = decodeContainerGroup(body, samplePath());
  ASSERT_FALSE(g.has_value());
  EXPECT_EQ(g.error().httpStatus, 400);
  EXPECT_EQ(g.error().code, "InvalidRequestContent");
  EXPECT_EQ(g.error().message,
            "The request content was invalid and could not be deserialized: 'Error converting "
            "value \"one\" to type 'number'. Path "
            "'properties.containers[1].properties.resources.requests.cpu'.'.");
}

TEST(CodecTest, MissingImageIsARequiredProperty) {
  json body = sampleBody();
  body["properties"]["containers"][0]["properties"].erase("image");
  auto g = decodeContainerGroup(body, samplePath());
  ASSERT_FALSE(g.has_value());
  EXPECT_EQ(g.error().code, "InvalidRequestContent");
  EXPECT_EQ(g.error().message,
            "The request content was invalid and could not be deserialized: 'Required property "
            "'image' not found in JSON. Path 'properties.containers[0].properties'.'.");
}

TEST(CodecTest, OtherRequiredProperties) {
  struct Case {
    const char* pointer;
    const char* key;
    const char* path;
  };
  for (const Case& c : {Case{"", "properties", ""}, Case{"/properties", "containers", "properties"},
                        Case{"/properties/containers/0", "name", "properties.containers[0]"},
                        Case{"/properties/ipAddress", "type", "properties.ipAddress"},
                        Case{"/properties/volumes/0", "name", "properties.volumes[0]"}}) {
    json body = sampleBody();
    body[json::json_pointer(c.pointer)].erase(c.key);
    auto g = decodeContainerGroup(body, samplePath());
    ASSERT_FALSE(g.has_value()) << c.key;
    EXPECT_NE(g.error().message.find(std::string("Required property '") + c.key +
                                     "' not found in JSON. Path '" + c.path + "'."),
              std::string::npos)
        << g.error().message;
  }
}

TEST(CodecTest, NonObjectBodyAndItems) {
  auto g = decodeContainerGroup(json::array(), samplePath());
  ASSERT_FALSE(g.has_value());
  EXPECT_EQ(g.error().code, "InvalidRequestContent");
  json body = sampleBody();
  body["properties"]["containers"][0] = "web";
  g = decodeContainerGroup(body, samplePath());
  ASSERT_FALSE(g.has_value());
  EXPECT_NE(g.error().message.find("Path 'properties.containers[0]'"), std::string::npos);
}

TEST(CodecTest, UnsupportedVolumeKindIsRemembered) {
  json body = sampleBody();
  body["properties"]["volumes"][0] = json::parse(
      R"({"name": "files", "azureFile": {"shareName": "s", "storageAccountName": "a"}})");
  auto g = decodeContainerGroup(body, samplePath());
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->properties.volumes[0].unsupportedKind, "azureFile");
}

}  // namespace
}  // namespace berth::instances
