#pragma once

// Container group -> the Kubernetes objects that run it on the instance pool: one core/v1 Pod
// plus the Secrets it references. Expects a group that passed validateContainerGroup.
//
//   containers / initContainers  name, image, command (ACI's exec-form command is the k8s
//                                command; there are no args), env, ports, volumeMounts, probes
//   environmentVariables         value -> value; secureValue -> valueFrom.secretKeyRef into
//                                Secret "<group>--env", key "<container>.<NAME>"
//   resources                    requests cpu cores -> millicores ("1.5" -> "1500m", "2" -> "2"),
//                                memoryInGB -> binary quantities, 1 GB counted as 1 GiB ("1.5" ->
//                                "1536Mi", "2" -> "2Gi"), gpu.count -> nvidia.com/gpu. Limits are
//                                ACI's limits where given, else the requests (ACI: without a limit
//                                a container may use up to its request). Init containers request
//                                and are limited to the group's totals (ACI gives them the whole
//                                group, one at a time).
//   ports                        containerPort + protocol; a port also listed in a Public
//                                ipAddress is published on the host (hostPort = port): the group
//                                is reachable on its host's address until cluster DNS exists
//   probes                       exec -> exec; httpGet -> httpGet (scheme upper case, path "/"
//                                when empty); thresholds and timings copied when given
//   restartPolicy                copied; volumes emptyDir -> emptyDir, secret -> a Secret
//                                "<group>--volume-<name>" (data = the base64 values as given) and
//                                a secret volume
//   imageRegistryCredentials     with a password -> one kubernetes.io/dockerconfigjson Secret
//                                "<group>--registry" in imagePullSecrets (identity-only
//                                credentials have no Berth equivalent and are skipped)
//   dnsConfig                    nameServers, searchDomains (space-separated) and options
//                                ("ndots:2 edns0") -> pod dnsConfig
//   placement                    nodeSelector berth.io/pool=instances and a toleration of the
//                                taint berth.io/pool=instances:NoSchedule
// Names, labels and annotations: pod_naming.h. Pure functions.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/pod.h"
#include "base/error.h"
#include "instances/container_group.h"

namespace berth::instances {

struct PodObjects {
  nlohmann::json namespaceObject;       // core/v1 Namespace the pod lives in
  api::Pod pod;                         // status empty
  std::vector<nlohmann::json> secrets;  // core/v1 Secrets, in the order above, only if needed
  nlohmann::json podJson() const;       // api::encodePod(pod)
};

// kInvalidArgument naming the field for what validation should have refused (an unsupported
// volume, a secret value that is not base64).
Result<PodObjects> groupToPod(const ContainerGroup& group);

// "1500m", "2", "100m" (rounded up to a millicore).
std::string cpuQuantity(double cores);
// "1536Mi", "2Gi" (rounded up to a MiB).
std::string memoryQuantity(double gigabytes);

}  // namespace berth::instances
