#include <gtest/gtest.h>

#include "api/validation.h"

namespace berth::api {
namespace {

Pod minimalPod(const std::string& image = "busybox:1.36") {
  Pod p;
  p.metadata.name = "p";
  Container c;
  c.name = "c";
  c.image = image;
  p.spec.containers = {c};
  return p;
}

TEST(DefaultsTest, PodLevelDefaults) {
  Pod p = minimalPod();
  setPodDefaults(p);
  EXPECT_EQ(p.metadata.namespace_, "default");
  EXPECT_EQ(p.spec.restartPolicy, "Always");
  EXPECT_EQ(p.spec.terminationGracePeriodSeconds, 30);
  EXPECT_EQ(p.spec.dnsPolicy, "ClusterFirst");
  EXPECT_EQ(p.spec.schedulerName, "default-scheduler");
  EXPECT_TRUE(p.spec.securityContext.has_value());
  const Container& c = p.spec.containers[0];
  EXPECT_EQ(c.terminationMessagePath, "/dev/termination-log");
  EXPECT_EQ(c.terminationMessagePolicy, "File");
  EXPECT_TRUE(validatePod(p).empty());
}

TEST(DefaultsTest, KeepsValuesAlreadySet) {
  Pod p = minimalPod();
  p.metadata.namespace_ = "team";
  p.spec.restartPolicy = "Never";
  p.spec.terminationGracePeriodSeconds = 0;
  p.spec.dnsPolicy = "Default";
  p.spec.containers[0].imagePullPolicy = "Never";
  p.spec.containers[0].terminationMessagePath = "/tmp/msg";
  setPodDefaults(p);
  EXPECT_EQ(p.metadata.namespace_, "team");
  EXPECT_EQ(p.spec.restartPolicy, "Never");
  EXPECT_EQ(p.spec.terminationGracePeriodSeconds, 0);
  EXPECT_EQ(p.spec.dnsPolicy, "Default");
  EXPECT_EQ(p.spec.containers[0].imagePullPolicy, "Never");
  EXPECT_EQ(p.spec.containers[0].terminationMessagePath, "/tmp/msg");
}

TEST(DefaultsTest, ImagePullPolicyFollowsTheTag) {
  const std::pair<const char*, const char*> cases[] = {
      {"busybox", "Always"},
      {"busybox:latest", "Always"},
      {"127.0.0.1:5000/bb", "Always"},  // registry port is not a tag
      {"127.0.0.1:5000/bb:latest", "Always"},
      {"127.0.0.1:5000/bb:1", "IfNotPresent"},
      {"busybox:1.36", "IfNotPresent"},
      {"busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
       "IfNotPresent"},
      {"busybox:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
       "Always"},
      {"", "IfNotPresent"},
  };
  for (const auto& [image, policy] : cases) {
    SCOPED_TRACE(image);
    Pod p = minimalPod(image);
    p.spec.initContainers = p.spec.containers;
    setPodDefaults(p);
    EXPECT_EQ(p.spec.containers[0].imagePullPolicy, policy);
    EXPECT_EQ(p.spec.initContainers[0].imagePullPolicy, policy);
  }
}

TEST(DefaultsTest, PortsEnvProbesAndResources) {
  Pod p = minimalPod();
  Container& c = p.spec.containers[0];
  c.ports = {{"", 80, 0, "", ""}, {"", 53, 0, "UDP", ""}};
  c.env = {{"POD", "",
            EnvVarSource{std::nullopt, std::nullopt, ObjectFieldSelector{"", "metadata.name"}}}};
  c.resources.limits = {{"cpu", "1"}, {"memory", "64Mi"}};
  c.resources.requests = {{"cpu", "100m"}};
  Probe probe;
  probe.httpGet = HttpGetAction{};
  probe.httpGet->port = "80";
  probe.timeoutSeconds = 0;
  probe.periodSeconds = 0;
  probe.successThreshold = 0;
  probe.failureThreshold = 0;
  c.livenessProbe = probe;
  setPodDefaults(p);
  EXPECT_EQ(c.ports[0].protocol, "TCP");
  EXPECT_EQ(c.ports[1].protocol, "UDP");
  EXPECT_EQ(c.ports[0].hostPort, 0);
  EXPECT_EQ(c.env[0].valueFrom->fieldRef->apiVersion, "v1");
  EXPECT_EQ(c.resources.requests,
            (std::map<std::string, std::string>{{"cpu", "100m"}, {"memory", "64Mi"}}));
  EXPECT_EQ(c.livenessProbe->timeoutSeconds, 1);
  EXPECT_EQ(c.livenessProbe->periodSeconds, 10);
  EXPECT_EQ(c.livenessProbe->successThreshold, 1);
  EXPECT_EQ(c.livenessProbe->failureThreshold, 3);
  EXPECT_EQ(c.livenessProbe->httpGet->path, "/");
  EXPECT_EQ(c.livenessProbe->httpGet->scheme, "HTTP");
  EXPECT_TRUE(validatePod(p).empty()) << validatePod(p)[0].str();
}

TEST(DefaultsTest, HostNetworkPublishesContainerPorts) {
  Pod p = minimalPod();
  p.spec.hostNetwork = true;
  p.spec.containers[0].ports = {{"", 8080, 0, "", ""}};
  setPodDefaults(p);
  EXPECT_EQ(p.spec.containers[0].ports[0].hostPort, 8080);
}

TEST(DefaultsTest, VolumesKeepTheirSourceAndGetModes) {
  Pod p = minimalPod();
  p.spec.volumes = {
      {"e", EmptyDirVolumeSource{}, std::nullopt, std::nullopt, std::nullopt},
      {"h", std::nullopt, HostPathVolumeSource{"/tmp", ""}, std::nullopt, std::nullopt},
      {"c", std::nullopt, std::nullopt, ConfigMapVolumeSource{"cm", {}, {}, false}, std::nullopt},
      {"s", std::nullopt, std::nullopt, std::nullopt, SecretVolumeSource{"s", {}, 0400, false}},
      {"none", std::nullopt, std::nullopt, std::nullopt, std::nullopt},
  };
  setPodDefaults(p);
  EXPECT_EQ(p.spec.volumes[0].emptyDir->medium, "");
  EXPECT_EQ(p.spec.volumes[1].hostPath->type, "");
  EXPECT_EQ(p.spec.volumes[2].configMap->defaultMode, 0644);
  EXPECT_EQ(p.spec.volumes[3].secret->defaultMode, 0400);
  EXPECT_FALSE(p.spec.volumes[4].emptyDir);  // reported by validation instead
}

TEST(DefaultsTest, IsIdempotent) {
  Pod p = minimalPod("img");
  p.spec.containers[0].ports = {{"", 80, 0, "", ""}};
  setPodDefaults(p);
  Pod again = p;
  setPodDefaults(again);
  EXPECT_TRUE(again == p);
}

}  // namespace
}  // namespace berth::api
