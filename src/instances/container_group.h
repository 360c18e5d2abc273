#pragma once

// Typed Microsoft.ContainerInstance/containerGroups resource (api-version 2023-05-01 shape), the
// subset Berth acts on. Field names follow the ARM JSON (camelCase, same words here). Decoding
// and encoding live in container_group_codec.h, checks in group_validation.h; this header is
// plain data with ==. Read-only fields (provisioningState, instanceView, fqdn, ...) are set by
// the server, never taken from a PUT body.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::instances {

struct ContainerPort {
  int64_t port = 0;
  std::string protocol;  // "TCP" | "UDP" (normalised upper case), "" when not given
  bool operator==(const ContainerPort&) const = default;
};

struct EnvironmentVariable {
  std::string name;
  std::optional<std::string> value;
  std::optional<std::string> secureValue;  // never encoded for GET
  bool operator==(const EnvironmentVariable&) const = default;
};

struct GpuResource {
  int64_t count = 0;
  std::string sku;  // K80 | P100 | V100 (modelAsString)
  bool operator==(const GpuResource&) const = default;
};

struct ResourceRequests {
  double cpu = 0;         // cores; 0 means "not given" (checked by validation)
  double memoryInGB = 0;  // GB, Berth counts 1 GB as 1 GiB (see group_to_pod.h)
  std::optional<GpuResource> gpu;
  bool operator==(const ResourceRequests&) const = default;
};

struct ResourceLimits {
  std::optional<double> cpu;
  std::optional<double> memoryInGB;
  std::optional<GpuResource> gpu;
  bool operator==(const ResourceLimits&) const = default;
};

struct ResourceRequirements {
  bool requestsGiven = false;  // "requests" was present in the body
  ResourceRequests requests;
  std::optional<ResourceLimits> limits;
  bool operator==(const ResourceRequirements&) const = default;
};

struct VolumeMount {
  std::string name;
  std::string mountPath;
  bool readOnly = false;
  bool operator==(const VolumeMount&) const = default;
};

struct HttpHeader {
  std::string name;
  std::string value;
  bool operator==(const HttpHeader&) const = default;
};

struct HttpGet {
  std::string path;
  int64_t port = 0;
  std::string scheme;  // "http" | "https" (lower case, as the spec's enum), "" when not given
  std::vector<HttpHeader> httpHeaders;
  bool operator==(const HttpGet&) const = default;
};

struct ExecProbe {
  std::vector<std::string> command;
  bool operator==(const ExecProbe&) const = default;
};

struct ContainerProbe {
  std::optional<ExecProbe> exec;
  std::optional<HttpGet> httpGet;
  std::optional<int64_t> initialDelaySeconds;
  std::optional<int64_t> periodSeconds;
  std::optional<int64_t> failureThreshold;
  std::optional<int64_t> successThreshold;
  std::optional<int64_t> timeoutSeconds;
  bool operator==(const ContainerProbe&) const = default;
};

// --- read-only status (instanceView) ----------------------------------------------------------

struct ContainerState {
  std::string state;  // Running | Waiting | Terminated
  std::string startTime;
  std::optional<int64_t> exitCode;
  std::string finishTime;
  std::string detailStatus;
  bool operator==(const ContainerState&) const = default;
};

struct Event {
  int64_t count = 0;
  std::string firstTimestamp;
  std::string lastTimestamp;
  std::string name;  // Pulling, Pulled, Created, Started, Killing, Unhealthy, ...
  std::string message;
  std::string type;  // Normal | Warning
  bool operator==(const Event&) const = default;
};

struct ContainerInstanceView {
  int64_t restartCount = 0;
  std::optional<ContainerState> currentState;
  std::optional<ContainerState> previousState;
  std::vector<Event> events;
  bool operator==(const ContainerInstanceView&) const = default;
};

struct GroupInstanceView {
  std::string state;  // Pending | Running | Succeeded | Failed | Stopped
  std::vector<Event> events;
  bool operator==(const GroupInstanceView&) const = default;
};

// --- spec -------------------------------------------------------------------------------------

struct Container {
  std::string name;
  std::string image;
  std::vector<std::string> command;  // exec form; replaces the image ENTRYPOINT (no args)
  std::vector<ContainerPort> ports;
  std::vector<EnvironmentVariable> environmentVariables;
  ResourceRequirements resources;
  std::vector<VolumeMount> volumeMounts;
  std::optional<ContainerProbe> livenessProbe;
  std::optional<ContainerProbe> readinessProbe;
  std::optional<ContainerInstanceView> instanceView;  // read-only
  bool operator==(const Container&) const = default;
};

// Init containers have no ports, resources or probes.
struct InitContainer {
  std::string name;
  std::string image;
  std::vector<std::string> command;
  std::vector<EnvironmentVariable> environmentVariables;
  std::vector<VolumeMount> volumeMounts;
  std::optional<ContainerInstanceView> instanceView;  // read-only
  bool operator==(const InitContainer&) const = default;
};

struct ImageRegistryCredential {
  std::string server;
  std::string username;
  std::optional<std::string> password;  // never encoded for GET
  std::string identity;
  std::string identityUrl;
  bool operator==(const ImageRegistryCredential&) const = default;
};

struct IpAddress {
  std::vector<ContainerPort> ports;  // protocol defaulted to "TCP" by the decoder
  std::string type;                  // Public | Private
  std::string ip;                    // read-only in practice: the address Berth assigned
  std::string dnsNameLabel;
  std::string fqdn;  // read-only
  bool operator==(const IpAddress&) const = default;
};

struct Volume {
  std::string name;
  bool emptyDir = false;                                     // "emptyDir": {}
  std::optional<std::map<std::string, std::string>> secret;  // file name -> base64 content
  // A volume kind Berth does not serve ("azureFile", "gitRepo", ...), refused by validation.
  std::string unsupportedKind;
  bool operator==(const Volume&) const = default;
};

struct DnsConfiguration {
  std::vector<std::string> nameServers;
  std::string searchDomains;
  std::string options;
  bool operator==(const DnsConfiguration&) const = default;
};

struct ContainerGroupProperties {
  std::string provisioningState;  // read-only
  std::vector<Container> containers;
  std::vector<InitContainer> initContainers;
  std::vector<ImageRegistryCredential> imageRegistryCredentials;
  std::string restartPolicy;  // Always (default) | OnFailure | Never
  std::optional<IpAddress> ipAddress;
  std::string osType;  // Linux | Windows
  std::vector<Volume> volumes;
  std::optional<GroupInstanceView> instanceView;  // read-only
  std::string sku;                                // Standard (default) | Dedicated | Confidential
  std::string priority;                           // "" | Regular | Spot
  std::optional<DnsConfiguration> dnsConfig;
  bool operator==(const ContainerGroupProperties&) const = default;
};

struct ContainerGroup {
  // Envelope; id, name and type come from the request path, not the body.
  std::string subscriptionId;
  std::string resourceGroup;
  std::string name;
  std::string location;
  std::map<std::string, std::string> tags;
  std::vector<std::string> zones;
  ContainerGroupProperties properties;
  bool operator==(const ContainerGroup&) const = default;
};

inline constexpr const char* kContainerGroupType = "Microsoft.ContainerInstance/containerGroups";

// "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ContainerInstance/containerGroups/
// {name}".
std::string containerGroupId(const ContainerGroup& group);
std::string containerGroupId(const std::string& subscriptionId, const std::string& resourceGroup,
                             const std::string& name);

}  // namespace berth::instances
