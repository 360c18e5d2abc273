#pragma once

// A realistic PUT body and its decoded group, shared by the instances tests.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "instances/container_group_codec.h"

namespace berth::instances::testing {

inline GroupPath samplePath() {
  return {"00000000-0000-0000-0000-000000000001", "Demo-RG", "web-group"};
}

// Two containers (web exposes 80 publicly with a secure env var and probes; sidecar has a
// limit above its own request), an init container, emptyDir and secret volumes and a registry
// credential.
inline nlohmann::json sampleBody() {
  return nlohmann::json::parse(R"({
    "location": "local",
    "tags": {"team": "a"},
    "properties": {
      "containers": [
        {"name": "web", "properties": {
          "image": "nginx:1.25",
          "command": ["nginx", "-g", "daemon off;"],
          "ports": [{"port": 80, "protocol": "TCP"}],
          "environmentVariables": [
            {"name": "MODE", "value": "prod"},
            {"name": "TOKEN", "secureValue": "s3cret"}
          ],
          "resources": {"requests": {"cpu": 1.0, "memoryInGB": 1.5},
                        "limits": {"cpu": 1.5, "memoryInGB": 2.0}},
          "volumeMounts": [{"name": "cache", "mountPath": "/cache"},
                           {"name": "certs", "mountPath": "/certs", "readOnly": true}],
          "livenessProbe": {"httpGet": {"path": "/healthz", "port": 80, "scheme": "http"},
                            "initialDelaySeconds": 5, "periodSeconds": 10},
          "readinessProbe": {"exec": {"command": ["cat", "/tmp/ready"]}, "failureThreshold": 3}
        }},
        {"name": "sidecar", "properties": {
          "image": "busybox:1.36",
          "ports": [{"port": 9000, "protocol": "UDP"}],
          "resources": {"requests": {"cpu": 0.5, "memoryInGB": 0.5}}
        }}
      ],
      "initContainers": [
        {"name": "init", "properties": {"image": "busybox:1.36", "command": ["true"],
          "volumeMounts": [{"name": "cache", "mountPath": "/cache"}]}}
      ],
      "imageRegistryCredentials": [
        {"server": "registry.example:5000", "username": "u", "password": "p"}
      ],
      "restartPolicy": "OnFailure",
      "ipAddress": {"type": "Public", "ports": [{"port": 80, "protocol": "TCP"}],
                    "dnsNameLabel": "demo-web"},
      "osType": "Linux",
      "volumes": [
        {"name": "cache", "emptyDir": {}},
        {"name": "certs", "secret": {"tls.crt": "Y2VydA==", "tls.key": "a2V5"}}
      ]
    }
  })");
}

inline ContainerGroup sampleGroup() {
  auto group = decodeContainerGroup(sampleBody(), samplePath());
  EXPECT_TRUE(group.has_value()) << (group ? "" : group.error().message);
  return group.value_or(ContainerGroup{});
}

}  // namespace berth::instances::testing
