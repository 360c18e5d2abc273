#include "instances/group_to_pod.h"

#include <gtest/gtest.h>

#include "api/pod_codec.h"
#include "api/validation.h"
#include "base/base64.h"
#include "instances/pod_naming.h"
#include "sample_group.h"

namespace berth::instances {
namespace {

using nlohmann::json;
using testing::sampleGroup;

const nlohmann::json* findSecret(const PodObjects& objects, const std::string& name) {
  for (const json& s : objects.secrets) {
    if (s["metadata"]["name"] == name) {
      return &s;
    }
  }
  return nullptr;
}

TEST(QuantityTest, CpuAndMemory) {
  EXPECT_EQ(cpuQuantity(1), "1");
  EXPECT_EQ(cpuQuantity(1.5), "1500m");
  EXPECT_EQ(cpuQuantity(0.1), "100m");
  EXPECT_EQ(cpuQuantity(0.0001), "1m");
  EXPECT_EQ(memoryQuantity(1.5), "1536Mi");
  EXPECT_EQ(memoryQuantity(2), "2Gi");
  EXPECT_EQ(memoryQuantity(0.1), "103Mi");
}

TEST(NamingTest, NamespaceIsAValidLabelAndCaseInsensitive) {
  std::string ns = podNamespace("SUB-1", "My_Resource.Group(1)");
  EXPECT_EQ(ns, podNamespace("sub-1", "my_resource.group(1)"));
  EXPECT_TRUE(ns.starts_with("aci-my-resource-group-1-")) << ns;
  EXPECT_NE(ns, podNamespace("sub-2", "My_Resource.Group(1)"));
  std::string longNs = podNamespace("s", std::string(90, 'r'));
  EXPECT_LE(longNs.size(), 63u);
  EXPECT_NE(longNs, podNamespace("s", std::string(89, 'r')));
  EXPECT_EQ(podNamespace("s", "___").substr(0, 4), "aci-");
  EXPECT_EQ(podNamespace("s", "___").size(), 14u);
}

TEST(GroupToPodTest, PodMetadataAndPlacement) {
  auto objects = groupToPod(sampleGroup());
  ASSERT_TRUE(objects.has_value()) << objects.error().message();
  const api::Pod& pod = objects->pod;
  std::string ns = podNamespace("00000000-0000-0000-0000-000000000001", "Demo-RG");
  EXPECT_EQ(pod.metadata.name, "web-group");
  EXPECT_EQ(pod.metadata.namespace_, ns);
  EXPECT_EQ(objects->namespaceObject["metadata"]["name"], ns);
  EXPECT_EQ(pod.metadata.labels.at("berth.io/pool"), "instances");
  EXPECT_EQ(pod.metadata.labels.at("instances.berth.io/group"), "web-group");
  EXPECT_EQ(pod.metadata.annotations.at("instances.berth.io/resource-group"), "Demo-RG");
  EXPECT_EQ(pod.metadata.annotations.at("instances.berth.io/id"), containerGroupId(sampleGroup()));
  EXPECT_EQ(groupKeyOf(pod.metadata),
            (GroupKey{"00000000-0000-0000-0000-000000000001", "Demo-RG", "web-group"}));
  EXPECT_EQ(pod.spec.nodeSelector,
            (std::map<std::string, std::string>{{"berth.io/pool", "instances"}}));
  ASSERT_EQ(pod.spec.tolerations.size(), 1u);
  EXPECT_EQ(pod.spec.tolerations[0],
            (api::Toleration{"berth.io/pool", "Equal", "instances", "NoSchedule", std::nullopt}));
  EXPECT_EQ(pod.spec.restartPolicy, "OnFailure");
  // The API server accepts it.
  api::Pod defaulted = pod;
  api::setPodDefaults(defaulted);
  EXPECT_TRUE(api::validatePod(defaulted).empty());
  EXPECT_EQ(api::decodePod(objects->podJson()).value(), pod);
}

TEST(GroupToPodTest, Containers) {
  auto objects = groupToPod(sampleGroup());
  ASSERT_TRUE(objects.has_value());
  const api::Pod& pod = objects->pod;
  ASSERT_EQ(pod.spec.containers.size(), 2u);
  const api::Container& web = pod.spec.containers[0];
  EXPECT_EQ(web.image, "nginx:1.25");
  EXPECT_EQ(web.command, (std::vector<std::string>{"nginx", "-g", "daemon off;"}));
  EXPECT_TRUE(web.args.empty());
  ASSERT_EQ(web.ports.size(), 1u);
  EXPECT_EQ(web.ports[0].containerPort, 80);
  EXPECT_EQ(web.ports[0].hostPort, 80);  // published: listed in the Public ipAddress
  EXPECT_EQ(web.ports[0].protocol, "TCP");
  const api::Container& sidecar = pod.spec.containers[1];
  EXPECT_EQ(sidecar.ports[0].hostPort, 0);
  EXPECT_EQ(sidecar.ports[0].protocol, "UDP");
  EXPECT_EQ(web.resources.requests,
            (std::map<std::string, std::string>{{"cpu", "1"}, {"memory", "1536Mi"}}));
  EXPECT_EQ(web.resources.limits,
            (std::map<std::string, std::string>{{"cpu", "1500m"}, {"memory", "2Gi"}}));
  // No ACI limit: limited to the request.
  EXPECT_EQ(sidecar.resources.limits, sidecar.resources.requests);
  EXPECT_EQ(sidecar.resources.requests.at("cpu"), "500m");
  EXPECT_EQ(web.volumeMounts[1], (api::VolumeMount{"certs", "/certs", true, ""}));
  ASSERT_TRUE(web.livenessProbe && web.livenessProbe->httpGet);
  EXPECT_EQ(web.livenessProbe->httpGet->port, "80");
  EXPECT_EQ(web.livenessProbe->httpGet->scheme, "HTTP");
  EXPECT_EQ(web.livenessProbe->initialDelaySeconds, 5);
  ASSERT_TRUE(web.readinessProbe && web.readinessProbe->exec);
  EXPECT_EQ(web.readinessProbe->exec->command, (std::vector<std::string>{"cat", "/tmp/ready"}));
  EXPECT_EQ(web.readinessProbe->periodSeconds, 10);  // Kubernetes default kept
  ASSERT_EQ(pod.spec.initContainers.size(), 1u);
  const api::Container& init = pod.spec.initContainers[0];
  EXPECT_EQ(init.command, std::vector<std::string>{"true"});
  EXPECT_EQ(init.resources.requests,
            (std::map<std::string, std::string>{{"cpu", "1500m"}, {"memory", "2Gi"}}));
}

TEST(GroupToPodTest, SecureEnvironmentGoesThroughASecret) {
  auto objects = groupToPod(sampleGroup());
  ASSERT_TRUE(objects.has_value());
  const api::Container& web = objects->pod.spec.containers[0];
  EXPECT_EQ(web.env[0].value, "prod");
  EXPECT_EQ(web.env[1].name, "TOKEN");
  EXPECT_EQ(web.env[1].value, "");
  ASSERT_TRUE(web.env[1].valueFrom && web.env[1].valueFrom->secretKeyRef);
  EXPECT_EQ(web.env[1].valueFrom->secretKeyRef->name, "web-group--env");
  EXPECT_EQ(web.env[1].valueFrom->secretKeyRef->key, "web.TOKEN");
  const json* secret = findSecret(*objects, "web-group--env");
  ASSERT_NE(secret, nullptr);
  EXPECT_EQ((*secret)["type"], "Opaque");
  EXPECT_EQ((*secret)["metadata"]["namespace"], objects->pod.metadata.namespace_);
  EXPECT_EQ(base64Decode((*secret)["data"]["web.TOKEN"].get<std::string>()).value(), "s3cret");
  // The pod itself never carries the secret value.
  EXPECT_EQ(objects->podJson().dump().find("s3cret"), std::string::npos);
}

TEST(GroupToPodTest, VolumesAndPullSecret) {
  auto objects = groupToPod(sampleGroup());
  ASSERT_TRUE(objects.has_value());
  const api::Pod& pod = objects->pod;
  ASSERT_EQ(pod.spec.volumes.size(), 2u);
  EXPECT_TRUE(pod.spec.volumes[0].emptyDir.has_value());
  ASSERT_TRUE(pod.spec.volumes[1].secret.has_value());
  EXPECT_EQ(pod.spec.volumes[1].secret->secretName, "web-group--volume-certs");
  const json* vol = findSecret(*objects, "web-group--volume-certs");
  ASSERT_NE(vol, nullptr);
  EXPECT_EQ((*vol)["data"], json({{"tls.crt", "Y2VydA=="}, {"tls.key", "a2V5"}}));

  ASSERT_EQ(pod.spec.imagePullSecrets.size(), 1u);
  EXPECT_EQ(pod.spec.imagePullSecrets[0].name, "web-group--registry");
  const json* pull = findSecret(*objects, "web-group--registry");
  ASSERT_NE(pull, nullptr);
  EXPECT_EQ((*pull)["type"], "kubernetes.io/dockerconfigjson");
  json config =
      json::parse(base64Decode((*pull)["data"][".dockerconfigjson"].get<std::string>()).value());
  EXPECT_EQ(config["auths"]["registry.example:5000"],
            json({{"username", "u"}, {"password", "p"}, {"auth", base64Encode("u:p")}}));
}

TEST(GroupToPodTest, MinimalGroupHasNoSecrets) {
  ContainerGroup g = sampleGroup();
  g.properties.containers[0].environmentVariables.clear();
  g.properties.imageRegistryCredentials.clear();
  g.properties.volumes.resize(1);
  g.properties.ipAddress->type = "Private";
  auto objects = groupToPod(g);
  ASSERT_TRUE(objects.has_value());
  EXPECT_TRUE(objects->secrets.empty());
  EXPECT_TRUE(objects->pod.spec.imagePullSecrets.empty());
  EXPECT_EQ(objects->pod.spec.containers[0].ports[0].hostPort, 0);  // Private: not published
}

TEST(GroupToPodTest, DnsConfigAndGpu) {
  ContainerGroup g = sampleGroup();
  g.properties.dnsConfig = DnsConfiguration{{"10.0.0.10"}, "svc.local local", "ndots:2 edns0"};
  g.properties.containers[1].resources.requests.gpu = GpuResource{2, "V100"};
  auto objects = groupToPod(g);
  ASSERT_TRUE(objects.has_value());
  const auto& dns = objects->pod.spec.dnsConfig;
  ASSERT_TRUE(dns.has_value());
  EXPECT_EQ(dns->nameservers, std::vector<std::string>{"10.0.0.10"});
  EXPECT_EQ(dns->searches, (std::vector<std::string>{"svc.local", "local"}));
  ASSERT_EQ(dns->options.size(), 2u);
  EXPECT_EQ(dns->options[0].value, "2");
  EXPECT_FALSE(dns->options[1].value.has_value());
  EXPECT_EQ(objects->pod.spec.containers[1].resources.limits.at("nvidia.com/gpu"), "2");
}

TEST(GroupToPodTest, UnsupportedVolumeIsAnError) {
  ContainerGroup g = sampleGroup();
  g.properties.volumes[0] = Volume{"cache", false, std::nullopt, "azureFile"};
  auto objects = groupToPod(g);
  ASSERT_FALSE(objects.has_value());
  EXPECT_EQ(objects.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(objects.error().message(), "volume 'cache': unsupported volume type 'azureFile'");
}

}  // namespace
}  // namespace berth::instances
