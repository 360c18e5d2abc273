#include "cli/aci_yaml.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

using nlohmann::json;

// The example of DOCS/container-instances-environment-variables (secure values), as published.
constexpr const char* kDocsExample = R"(apiVersion: 2019-12-01
location: eastus
name: securetest
properties:
  containers:
  - name: mycontainer
    properties:
      environmentVariables:
        - name: 'NOTSECRET'
          value: 'my-exposed-value'
        - name: 'SECRET'
          secureValue: 'my-secret-value'
      image: mcr.microsoft.com/azure-cli
      command: [ "/bin/sh", "-c", "env" ]
      ports: []
      resources:
        requests:
          cpu: 1.0
          memoryInGB: 1.5
  osType: Linux
  restartPolicy: Always
tags: null
type: Microsoft.ContainerInstance/containerGroups
)";

TEST(AciYaml, ParsesTheDocsExampleWithSecureValues) {
  auto parsed = parseAciYaml(kDocsExample);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->name, "securetest");
  const json& body = parsed->body;
  EXPECT_FALSE(body.contains("name"));
  EXPECT_FALSE(body.contains("apiVersion"));
  EXPECT_FALSE(body.contains("type"));
  EXPECT_EQ(body["location"], "eastus");
  const json& c = body["properties"]["containers"][0]["properties"];
  EXPECT_EQ(c["environmentVariables"][1],
            (json{{"name", "SECRET"}, {"secureValue", "my-secret-value"}}));
  EXPECT_EQ(c["command"], (json{"/bin/sh", "-c", "env"}));
  EXPECT_EQ(c["resources"]["requests"]["cpu"], 1.0);
  EXPECT_TRUE(c["ports"].is_array());
}

TEST(AciYaml, RenderedYamlReadsBackAsTheSameJson) {
  json group = json::parse(R"({
    "name": "g", "apiVersion": "2023-05-01", "location": "local",
    "tags": {"n": "80", "b": "true", "e": "", "nul": "null", "f": "1.5", "t": "~", "y": "yes",
             "colon": "a: b", "hash": "x #y", "dash": "- z", "star": "*a", "multi": "l1\nl2"},
    "type": "Microsoft.ContainerInstance/containerGroups",
    "properties": {
      "containers": [{"name": "c", "properties": {
        "image": "reg:5000/berth/httpd:1",
        "command": ["/bin/sh", "-c", "echo 'hi'; exit 0"],
        "environmentVariables": [{"name": "S", "secureValue": "0123"}],
        "ports": [{"port": 80, "protocol": "TCP"}],
        "resources": {"requests": {"cpu": 1.5, "memoryInGB": 2}}}}],
      "ipAddress": {"type": "Public", "ports": [{"port": 80}]},
      "volumes": [], "extra": {}, "flag": false, "nothing": null
    }})");
  std::string yaml = renderYaml(group);
  auto parsed = parseAciYaml(yaml);
  ASSERT_TRUE(parsed) << parsed.error().message() << "\n" << yaml;
  json back = parsed->body;
  back["name"] = parsed->name;
  back["apiVersion"] = group["apiVersion"];
  back["type"] = group["type"];
  EXPECT_EQ(back, group) << yaml;
  EXPECT_NE(yaml.find("name: g\n"), std::string::npos) << yaml;  // block style, plain when safe
}

TEST(AciYaml, ExportDropsReadOnlyParts) {
  json group = json::parse(R"({
    "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/g",
    "name": "g", "location": "local", "type": "Microsoft.ContainerInstance/containerGroups",
    "tags": {"a": "b"},
    "properties": {
      "provisioningState": "Succeeded",
      "instanceView": {"state": "Running", "events": []},
      "containers": [{"name": "c", "properties": {"image": "i",
        "instanceView": {"restartCount": 0},
        "environmentVariables": [{"name": "S"}]}}],
      "ipAddress": {"type": "Public", "ip": "10.0.0.1", "fqdn": "x.local.instances.berth.local",
                    "dnsNameLabel": "x", "ports": [{"port": 80}]},
      "osType": "Linux"
    }})");
  json out = exportableGroup(group, "2023-05-01");
  EXPECT_EQ(out, json::parse(R"({
    "name": "g", "apiVersion": "2023-05-01", "location": "local",
    "type": "Microsoft.ContainerInstance/containerGroups", "tags": {"a": "b"},
    "properties": {
      "containers": [{"name": "c", "properties": {"image": "i",
        "environmentVariables": [{"name": "S"}]}}],
      "ipAddress": {"type": "Public", "dnsNameLabel": "x", "ports": [{"port": 80}]},
      "osType": "Linux"
    }})"));
  auto parsed = parseAciYaml(renderYaml(out));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->name, "g");
  EXPECT_EQ(parsed->body["properties"], out["properties"]);
}

TEST(AciYaml, RefusesWhatIsNotOneGroup) {
  EXPECT_FALSE(parseAciYaml("name: a\nproperties: [\n"));
  EXPECT_FALSE(parseAciYaml("- a\n- b\n"));
  EXPECT_FALSE(parseAciYaml("name: a\n"));
  EXPECT_FALSE(parseAciYaml("name: a\nproperties: {}\n---\nname: b\nproperties: {}\n"));
  EXPECT_FALSE(parseAciYaml(""));
  auto bad = parseAciYaml("name: a\nproperties:\n  x: [1\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("line"), std::string::npos) << bad.error().message();
}

}  // namespace
}  // namespace berth::cli
