#include <gtest/gtest.h>

#include <functional>

#include "instances/group_validation.h"
#include "sample_group.h"

namespace berth::instances {
namespace {

using nlohmann::json;
using testing::sampleBody;
using testing::samplePath;

// Decodes sampleBody() after `edit` under `name` and validates it.
ArmStatus validateEdited(const std::function<void(json&)>& edit, std::string name = "web-group",
                         const ValidationLimits& limits = {}) {
  json body = sampleBody();
  edit(body);
  GroupPath path = samplePath();
  path.name = std::move(name);
  auto group = decodeContainerGroup(body, path);
  if (!group) {
    return std::unexpected(group.error());
  }
  return validateContainerGroup(*group, limits);
}

json& web(json& body) {
  return body["properties"]["containers"][0]["properties"];
}
json& sidecar(json& body) {
  return body["properties"]["containers"][1]["properties"];
}

void expectError(const ArmStatus& s, const std::string& code, const std::string& message) {
  ASSERT_FALSE(s.has_value()) << "expected " << code;
  EXPECT_EQ(s.error().httpStatus, 400);
  EXPECT_EQ(s.error().code, code);
  EXPECT_EQ(s.error().message, message);
}

TEST(ValidationTest, SampleIsValid) {
  auto s = validateEdited([](json&) {});
  EXPECT_TRUE(s.has_value()) << s.error().message;
}

TEST(ValidationTest, GroupNames) {
  for (const char* bad : {"", "Web", "-web", "web-", "we--b", "web_1", "a.b"}) {
    auto s = validateEdited([](json&) {}, bad);
    ASSERT_FALSE(s.has_value()) << bad;
    EXPECT_EQ(s.error().code, "InvalidContainerGroupName");
  }
  expectError(validateEdited([](json&) {}, std::string(64, 'a')), "InvalidContainerGroupName",
              "The container group name '" + std::string(64, 'a') +
                  "' is invalid. A container group name must be 1 to 63 characters long, contain "
                  "only lowercase letters, numbers and '-', must not start or end with '-' and "
                  "must not contain '--'.");
  EXPECT_TRUE(validateEdited([](json&) {}, std::string(63, 'a')).has_value());
  EXPECT_TRUE(validateEdited([](json&) {}, "a").has_value());
  EXPECT_TRUE(validateEdited([](json&) {}, "0-web-1").has_value());
}

TEST(ValidationTest, ContainerNames) {
  expectError(validateEdited([](json& b) { b["properties"]["containers"][0]["name"] = "Web"; }),
              "InvalidContainerName",
              "The container name 'Web' in container group 'web-group' is invalid. The container "
              "name must contain no more than 63 characters and must match the regex "
              "'[a-z0-9]([-a-z0-9]*[a-z0-9])?' (e.g. 'my-name').");
  auto s = validateEdited(
      [](json& b) { b["properties"]["initContainers"][0]["name"] = std::string(64, 'x'); });
  EXPECT_EQ(s.error().code, "InvalidContainerName");
  EXPECT_TRUE(validateEdited([](json& b) {
                b["properties"]["containers"][0]["name"] = "single--container";
              }).has_value());
}

TEST(ValidationTest, DuplicateContainerNames) {
  expectError(validateEdited([](json& b) { b["properties"]["containers"][1]["name"] = "web"; }),
              "DuplicateContainerNames",
              "The container name 'web' is used more than once in container group 'web-group'. "
              "Container and init container names must be unique.");
  auto s = validateEdited([](json& b) { b["properties"]["initContainers"][0]["name"] = "web"; });
  EXPECT_EQ(s.error().code, "DuplicateContainerNames");
}

TEST(ValidationTest, LocationOsTypeRestartPolicySku) {
  expectError(validateEdited([](json& b) { b.erase("location"); }), "LocationRequired",
              "The location property is required for this definition.");
  expectError(validateEdited([](json& b) { b["properties"].erase("osType"); }), "InvalidOsType",
              "The 'osType' for container group 'web-group' is invalid. The value must be one of "
              "'Windows,Linux'.");
  EXPECT_EQ(validateEdited([](json& b) { b["properties"]["osType"] = "Plan9"; }).error().code,
            "InvalidOsType");
  expectError(validateEdited([](json& b) { b["properties"]["osType"] = "windows"; }),
              "UnsupportedOsType",
              "The 'osType' 'Windows' of container group 'web-group' is not supported. The "
              "supported value is 'Linux'.");
  ValidationLimits windows;
  windows.allowWindows = true;
  EXPECT_TRUE(
      validateEdited([](json& b) { b["properties"]["osType"] = "Windows"; }, "web-group", windows)
          .has_value());
  expectError(validateEdited([](json& b) { b["properties"]["restartPolicy"] = "Sometimes"; }),
              "InvalidRestartPolicy",
              "The 'restartPolicy' 'Sometimes' of container group 'web-group' is invalid. The "
              "value must be one of 'Always,OnFailure,Never'.");
  EXPECT_EQ(validateEdited([](json& b) { b["properties"]["sku"] = "Huge"; }).error().code,
            "InvalidContainerGroupSku");
}

TEST(ValidationTest, ContainerCounts) {
  expectError(validateEdited([](json& b) { b["properties"]["containers"] = json::array(); }),
              "MissingContainers",
              "The container group 'web-group' must have at least one container in "
              "'properties.containers'.");
  ValidationLimits one;
  one.maxContainers = 1;
  EXPECT_EQ(validateEdited([](json&) {}, "web-group", one).error().code, "TooManyContainers");
}

TEST(ValidationTest, EmptyImage) {
  expectError(validateEdited([](json& b) { web(b)["image"] = ""; }), "InvalidContainerImage",
              "The 'image' of container 'web' in container group 'web-group' is not specified. An "
              "image is required.");
}

TEST(ValidationTest, ResourceRequests) {
  expectError(validateEdited([](json& b) { sidecar(b).erase("resources"); }),
              "ResourceRequestsNotSpecified",
              "The resource requests are not specified in container 'sidecar' of container group "
              "'web-group'. Both memory and CPU requests are required.");
  EXPECT_EQ(validateEdited([](json& b) { sidecar(b)["resources"]["requests"].erase("cpu"); })
                .error()
                .code,
            "ResourceRequestsNotSpecified");
  expectError(validateEdited([](json& b) { sidecar(b)["resources"]["requests"]["cpu"] = 0; }),
              "InvalidResourceRequests",
              "The 'Cpu' request '0' in container 'sidecar' of container group 'web-group' is "
              "invalid. The value must be greater than 0.");
  expectError(
      validateEdited([](json& b) { sidecar(b)["resources"]["requests"]["memoryInGB"] = -1.5; }),
      "InvalidResourceRequests",
      "The 'MemoryInGB' request '-1.5' in container 'sidecar' of container group 'web-group' is "
      "invalid. The value must be greater than 0.");
}

TEST(ValidationTest, ResourceLimits) {
  expectError(validateEdited([](json& b) { web(b)["resources"]["limits"]["cpu"] = 0.5; }),
              "ResourceLimitsLessThanRequests",
              "The resource requirement in container 'web' of container group 'web-group' is "
              "invalid. The 'Cpu' limit value must be greater than or equal to the request "
              "value.");
  EXPECT_EQ(
      validateEdited([](json& b) { web(b)["resources"]["limits"]["memoryInGB"] = 0; }).error().code,
      "InvalidResourceLimits");
  // The group's total request is 1.5 CPU / 2 GB: 1.5 is allowed, 1.6 is not.
  expectError(validateEdited([](json& b) { web(b)["resources"]["limits"]["cpu"] = 1.6; }),
              "ContainerLimitGreaterThanContainerGroupTotalRequest",
              "The 'Cpu' limit '1.6' in container 'web' is greater than the total request '1.5' of "
              "container group 'web-group'.");
  expectError(
      validateEdited([](json& b) { sidecar(b)["resources"]["limits"]["memoryInGB"] = 3; }),
      "ContainerLimitGreaterThanContainerGroupTotalRequest",
      "The 'MemoryInGB' limit '3' in container 'sidecar' is greater than the total request '2' of "
      "container group 'web-group'.");
  // Decimal sums: 0.1 + 0.2 requested, a limit of 0.3 is the total.
  EXPECT_TRUE(validateEdited([](json& b) {
                web(b)["resources"] = json::parse(R"({"requests":{"cpu":0.1,"memoryInGB":1}})");
                sidecar(b)["resources"] =
                    json::parse(R"({"requests":{"cpu":0.2,"memoryInGB":1},"limits":{"cpu":0.3}})");
              }).has_value());
}

TEST(ValidationTest, ContainerPorts) {
  expectError(validateEdited([](json& b) { sidecar(b)["ports"][0]["port"] = 70000; }),
              "InvalidContainerPort",
              "The port '70000' in container 'sidecar' of container group 'web-group' is "
              "invalid. The port must be between 1 and 65535.");
  EXPECT_EQ(validateEdited([](json& b) { sidecar(b)["ports"][0]["port"] = 0; }).error().code,
            "InvalidContainerPort");
  EXPECT_EQ(
      validateEdited([](json& b) { sidecar(b)["ports"][0]["protocol"] = "SCTP"; }).error().code,
      "InvalidContainerPort");
  expectError(
      validateEdited([](json& b) { sidecar(b)["ports"] = json::parse(R"([{"port":80}])"); }),
      "DuplicateContainerPorts",
      "The port '80' (TCP) in container 'sidecar' of container group 'web-group' is "
      "exposed by more than one container. Containers in a group share one port "
      "namespace.");
}

TEST(ValidationTest, EnvironmentVariables) {
  expectError(
      validateEdited([](json& b) { web(b)["environmentVariables"][0]["name"] = "discovery.type"; }),
      "InvalidContainerEnvironmentVariable",
      "The environment variable name 'discovery.type' in container 'web' of container group "
      "'web-group' is invalid. A valid environment variable name must start with alphabetic "
      "character or '_', followed by a string of alphanumeric characters or '_' (e.g. "
      "'my_name', or 'MY_NAME', or 'MyName').");
  expectError(
      validateEdited([](json& b) { web(b)["environmentVariables"][1]["value"] = "plain"; }),
      "InvalidContainerEnvironmentVariable",
      "The environment variable 'TOKEN' in container 'web' of container group 'web-group' is "
      "invalid. Only one of 'value' and 'secureValue' can be specified.");
}

TEST(ValidationTest, VolumeMounts) {
  expectError(validateEdited([](json& b) { web(b)["volumeMounts"][0]["name"] = "nope"; }),
              "InvalidVolumeMount",
              "The volume mount 'nope' in container 'web' of container group 'web-group' is "
              "invalid. No volume named 'nope' is defined in 'properties.volumes'.");
  EXPECT_EQ(validateEdited([](json& b) {
              b["properties"]["initContainers"][0]["properties"]["volumeMounts"][0]["name"] = "x";
            })
                .error()
                .code,
            "InvalidVolumeMount");
  EXPECT_EQ(
      validateEdited([](json& b) { web(b)["volumeMounts"][0]["mountPath"] = "/a:b"; }).error().code,
      "InvalidVolumeMount");
  EXPECT_EQ(
      validateEdited([](json& b) { web(b)["volumeMounts"][0]["mountPath"] = "rel"; }).error().code,
      "InvalidVolumeMount");
}

TEST(ValidationTest, Probes) {
  expectError(validateEdited([](json& b) {
                web(b)["livenessProbe"]["exec"] = json::parse(R"({"command":["true"]})");
              }),
              "InvalidContainerProbe",
              "The 'livenessProbe' of container 'web' in container group 'web-group' is invalid. "
              "Exactly one of 'exec' and 'httpGet' must be specified.");
  EXPECT_EQ(
      validateEdited([](json& b) { web(b)["livenessProbe"]["httpGet"]["port"] = 0; }).error().code,
      "InvalidContainerProbe");
  EXPECT_EQ(
      validateEdited([](json& b) { web(b)["readinessProbe"]["periodSeconds"] = 0; }).error().code,
      "InvalidContainerProbe");
  EXPECT_EQ(validateEdited([](json& b) { web(b)["livenessProbe"]["httpGet"]["scheme"] = "ftp"; })
                .error()
                .code,
            "InvalidContainerProbe");
}

TEST(ValidationTest, IpAddress) {
  expectError(
      validateEdited([](json& b) { b["properties"]["ipAddress"]["ports"] = json::array(); }),
      "MissingIpAddressPorts",
      "The ports in the 'ipAddress' of container group 'web-group' cannot be empty.");
  expectError(
      validateEdited([](json& b) { b["properties"]["ipAddress"]["ports"][0]["port"] = 8080; }),
      "IpAddressPortNotExposed",
      "The port '8080' (TCP) in the 'ipAddress' of container group 'web-group' is not "
      "exposed by any container. List it in the 'ports' of the container that listens on "
      "it.");
  // 9000 is exposed by the sidecar over UDP only.
  EXPECT_EQ(validateEdited([](json& b) {
              b["properties"]["ipAddress"]["ports"][0] = json::parse(R"({"port":9000})");
            })
                .error()
                .code,
            "IpAddressPortNotExposed");
  EXPECT_TRUE(validateEdited([](json& b) {
                b["properties"]["ipAddress"]["ports"][0] =
                    json::parse(R"({"port":9000,"protocol":"udp"})");
              }).has_value());
  expectError(
      validateEdited([](json& b) { b["properties"]["ipAddress"]["ports"][0]["port"] = 65536; }),
      "InvalidIpAddressPort",
      "The port '65536' in the 'ipAddress' of container group 'web-group' is invalid. The port "
      "must be between 1 and 65535.");
  EXPECT_EQ(validateEdited([](json& b) { b["properties"]["ipAddress"]["type"] = "Elastic"; })
                .error()
                .code,
            "InvalidIpAddressType");
  EXPECT_EQ(validateEdited([](json& b) { b["properties"]["ipAddress"]["dnsNameLabel"] = "ab"; })
                .error()
                .code,
            "InvalidDnsNameLabel");
  ValidationLimits noPorts;
  noPorts.maxIpAddressPorts = 0;
  EXPECT_EQ(validateEdited([](json&) {}, "web-group", noPorts).error().code,
            "TooManyIpAddressPorts");
}

TEST(ValidationTest, Volumes) {
  expectError(validateEdited([](json& b) {
                b["properties"]["volumes"][0] =
                    json::parse(R"({"name":"cache","gitRepo":{"repository":"r"}})");
              }),
              "UnsupportedVolumeType",
              "The volume 'cache' in container group 'web-group' uses 'gitRepo', which is not "
              "supported. The supported volume types are 'emptyDir,secret'.");
  EXPECT_EQ(validateEdited([](json& b) {
              b["properties"]["volumes"][0] = {{"name", "cache"}};
            })
                .error()
                .code,
            "InvalidVolume");
  EXPECT_EQ(
      validateEdited([](json& b) { b["properties"]["volumes"][1]["name"] = "cache"; }).error().code,
      "DuplicateVolumeNames");
  EXPECT_EQ(validateEdited(
                [](json& b) { b["properties"]["volumes"][1]["secret"]["tls.key"] = "not base64!"; })
                .error()
                .code,
            "InvalidSecretVolume");
  EXPECT_EQ(
      validateEdited([](json& b) { b["properties"]["volumes"][1]["secret"]["../x"] = "YQ=="; })
          .error()
          .code,
      "InvalidSecretVolume");
}

TEST(ValidationTest, RegistryCredentials) {
  expectError(validateEdited([](json& b) {
                auto& creds = b["properties"]["imageRegistryCredentials"];
                creds.push_back(creds[0]);
                creds.push_back(creds[0]);
                creds.push_back(creds[0]);
              }),
              "MoreImageRegistryCredentialsThanContainers",
              "More image registry credentials provided than containers in container group "
              "'web-group'.");
  EXPECT_EQ(validateEdited(
                [](json& b) { b["properties"]["imageRegistryCredentials"][0].erase("password"); })
                .error()
                .code,
            "InvalidImageRegistryCredential");
}

TEST(ValidationTest, GroupQuota) {
  expectError(validateEdited([](json& b) { sidecar(b)["resources"]["requests"]["cpu"] = 3.5; }),
              "ContainerGroupQuotaReached",
              "Resource type 'Microsoft.ContainerInstance/containerGroups' container group quota "
              "'StandardCoresPerContainerGroup' exceeded in container group 'web-group'. Limit: "
              "'4', Requested: '4.5'.");
  EXPECT_NE(validateEdited([](json& b) { sidecar(b)["resources"]["requests"]["memoryInGB"] = 15; })
                .error()
                .message.find("'MemoryInGBPerContainerGroup'"),
            std::string::npos);
  ValidationLimits big;
  big.quota = {8, 32};
  EXPECT_TRUE(validateEdited([](json& b) { sidecar(b)["resources"]["requests"]["cpu"] = 3.5; },
                             "web-group", big)
                  .has_value());
}

TEST(QuotaTest, SubscriptionQuota) {
  ContainerGroup g = testing::sampleGroup();  // 1.5 cores
  SubscriptionQuota quota{10, 3};
  EXPECT_TRUE(checkSubscriptionQuota(g, true, {8.5, 2}, quota).has_value());
  auto cores = checkSubscriptionQuota(g, false, {9, 2}, quota);
  ASSERT_FALSE(cores.has_value());
  EXPECT_EQ(cores.error().code, "ContainerGroupQuotaReached");
  EXPECT_EQ(cores.error().message,
            "Resource type 'Microsoft.ContainerInstance/containerGroups' container group quota "
            "'StandardCores' exceeded in region 'local'. Limit: '10', Usage: '9' Requested: "
            "'1.5'.");
  auto groups = checkSubscriptionQuota(g, true, {0, 3}, quota);
  ASSERT_FALSE(groups.has_value());
  EXPECT_NE(groups.error().message.find("quota 'ContainerGroups' exceeded"), std::string::npos);
  EXPECT_TRUE(checkSubscriptionQuota(g, false, {0, 3}, quota).has_value());
}

}  // namespace
}  // namespace berth::instances
