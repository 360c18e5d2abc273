#pragma once

// Typed core/v1 Pod, the subset Berth's node agent acts on. Field names follow the Kubernetes
// API (camelCase in JSON, same words here; `namespace_` and `Toleration::op` stand for the C++
// keywords "namespace" and "operator"). Decoding and encoding live in pod_codec.h, defaulting and
// validation in validation.h, quantities in quantity.h; this header is plain data with ==.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::api {

struct OwnerReference {
  std::string apiVersion;
  std::string kind;
  std::string name;
  std::string uid;
  bool controller = false;
  bool operator==(const OwnerReference&) const = default;
};

struct ObjectMeta {
  std::string name;
  std::string generateName;
  std::string namespace_;  // "namespace" in JSON
  std::string uid;
  std::string resourceVersion;
  int64_t generation = 0;
  std::string creationTimestamp;  // RFC 3339
  std::optional<std::string> deletionTimestamp;
  std::optional<int64_t> deletionGracePeriodSeconds;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::vector<OwnerReference> ownerReferences;
  std::vector<std::string> finalizers;
  bool operator==(const ObjectMeta&) const = default;
};

// --- spec -------------------------------------------------------------------------------------

struct KeySelector {  // configMapKeyRef / secretKeyRef
  std::string name;
  std::string key;
  bool optional = false;
  bool operator==(const KeySelector&) const = default;
};

struct ObjectFieldSelector {  // fieldRef
  std::string apiVersion;     // defaulted to "v1"
  std::string fieldPath;
  bool operator==(const ObjectFieldSelector&) const = default;
};

struct EnvVarSource {
  std::optional<KeySelector> configMapKeyRef;
  std::optional<KeySelector> secretKeyRef;
  std::optional<ObjectFieldSelector> fieldRef;
  bool operator==(const EnvVarSource&) const = default;
};

struct EnvVar {
  std::string name;
  std::string value;
  std::optional<EnvVarSource> valueFrom;
  bool operator==(const EnvVar&) const = default;
};

// envFrom[].configMapRef / secretRef.
struct EnvFromRef {
  std::string name;
  bool optional = false;
  bool operator==(const EnvFromRef&) const = default;
};

// Every key of a ConfigMap or Secret as an environment variable ("envFrom" in JSON).
struct EnvFromSource {
  std::string prefix;
  std::optional<EnvFromRef> configMapRef;
  std::optional<EnvFromRef> secretRef;
  bool operator==(const EnvFromSource&) const = default;
};

struct ContainerPort {
  std::string name;
  int32_t containerPort = 0;
  int32_t hostPort = 0;  // 0: not published on the host
  std::string protocol;  // TCP (default), UDP, SCTP
  std::string hostIP;
  bool operator==(const ContainerPort&) const = default;
};

// Quantities are kept as written ("250m", "64Mi") and parsed by quantity.h where needed.
struct ResourceRequirements {
  std::map<std::string, std::string> requests;
  std::map<std::string, std::string> limits;
  bool operator==(const ResourceRequirements&) const = default;
};

struct VolumeMount {
  std::string name;
  std::string mountPath;
  bool readOnly = false;
  std::string subPath;
  bool operator==(const VolumeMount&) const = default;
};

struct Capabilities {
  std::vector<std::string> add;
  std::vector<std::string> drop;
  bool operator==(const Capabilities&) const = default;
};

struct SeccompProfile {
  std::string type;  // RuntimeDefault | Unconfined | Localhost
  std::string localhostProfile;
  bool operator==(const SeccompProfile&) const = default;
};

struct SecurityContext {
  std::optional<int64_t> runAsUser;
  std::optional<int64_t> runAsGroup;
  std::optional<bool> runAsNonRoot;
  std::optional<bool> readOnlyRootFilesystem;
  std::optional<bool> privileged;
  std::optional<bool> allowPrivilegeEscalation;
  std::optional<Capabilities> capabilities;
  std::optional<SeccompProfile> seccompProfile;
  bool operator==(const SecurityContext&) const = default;
};

struct ExecAction {
  std::vector<std::string> command;
  bool operator==(const ExecAction&) const = default;
};

struct HttpHeader {
  std::string name;
  std::string value;
  bool operator==(const HttpHeader&) const = default;
};

struct HttpGetAction {
  std::string path;  // defaulted to "/"

  std::string port;  // number or name, as written
  std::string host;
  std::string scheme;  // HTTP (default) or HTTPS
  std::vector<HttpHeader> httpHeaders;
  bool operator==(const HttpGetAction&) const = default;
};

struct TcpSocketAction {
  std::string port;
  std::string host;
  bool operator==(const TcpSocketAction&) const = default;
};

struct Probe {
  std::optional<ExecAction> exec;
  std::optional<HttpGetAction> httpGet;
  std::optional<TcpSocketAction> tcpSocket;
  int32_t initialDelaySeconds = 0;
  int32_t timeoutSeconds = 1;
  int32_t periodSeconds = 10;
  int32_t successThreshold = 1;
  int32_t failureThreshold = 3;
  std::optional<int64_t> terminationGracePeriodSeconds;
  bool operator==(const Probe&) const = default;
};

struct Container {
  std::string name;
  std::string image;
  std::vector<std::string> command;  // replaces the image ENTRYPOINT
  std::vector<std::string> args;     // replaces the image CMD
  std::string workingDir;
  std::vector<ContainerPort> ports;
  std::vector<EnvFromSource> envFrom;
  std::vector<EnvVar> env;
  ResourceRequirements resources;
  std::vector<VolumeMount> volumeMounts;
  std::optional<Probe> livenessProbe;
  std::optional<Probe> readinessProbe;
  std::optional<Probe> startupProbe;
  std::string imagePullPolicy;  // Always | IfNotPresent | Never (defaulted)
  std::optional<SecurityContext> securityContext;
  std::string terminationMessagePath;    // defaulted to /dev/termination-log
  std::string terminationMessagePolicy;  // File (default) | FallbackToLogsOnError
  bool stdin = false;
  bool stdinOnce = false;
  bool tty = false;
  bool operator==(const Container&) const = default;
};

struct EmptyDirVolumeSource {
  std::string medium;  // "" (node disk) or "Memory" (tmpfs)
  std::optional<std::string> sizeLimit;
  bool operator==(const EmptyDirVolumeSource&) const = default;
};

struct HostPathVolumeSource {
  std::string path;
  std::string type;  // "", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, ...
  bool operator==(const HostPathVolumeSource&) const = default;
};

struct KeyToPath {
  std::string key;
  std::string path;
  std::optional<int32_t> mode;
  bool operator==(const KeyToPath&) const = default;
};

struct ConfigMapVolumeSource {
  std::string name;
  std::vector<KeyToPath> items;
  std::optional<int32_t> defaultMode;
  bool optional = false;
  bool operator==(const ConfigMapVolumeSource&) const = default;
};

struct SecretVolumeSource {
  std::string secretName;
  std::vector<KeyToPath> items;
  std::optional<int32_t> defaultMode;
  bool optional = false;
  bool operator==(const SecretVolumeSource&) const = default;
};

struct Volume {
  std::string name;
  std::optional<EmptyDirVolumeSource> emptyDir;
  std::optional<HostPathVolumeSource> hostPath;
  std::optional<ConfigMapVolumeSource> configMap;
  std::optional<SecretVolumeSource> secret;
  bool operator==(const Volume&) const = default;
};

struct Sysctl {
  std::string name;
  std::string value;
  bool operator==(const Sysctl&) const = default;
};

struct PodSecurityContext {
  std::optional<int64_t> runAsUser;
  std::optional<int64_t> runAsGroup;
  std::optional<bool> runAsNonRoot;
  std::optional<int64_t> fsGroup;
  std::vector<int64_t> supplementalGroups;
  std::vector<Sysctl> sysctls;
  std::optional<SeccompProfile> seccompProfile;
  bool operator==(const PodSecurityContext&) const = default;
};

struct Toleration {
  std::string key;
  std::string op;  // "operator" in JSON: Exists | Equal
  std::string value;
  std::string effect;
  std::optional<int64_t> tolerationSeconds;
  bool operator==(const Toleration&) const = default;
};

struct LocalObjectReference {
  std::string name;
  bool operator==(const LocalObjectReference&) const = default;
};

struct HostAlias {  // an extra /etc/hosts line
  std::string ip;
  std::vector<std::string> hostnames;
  bool operator==(const HostAlias&) const = default;
};

struct PodDnsConfigOption {
  std::string name;
  std::optional<std::string> value;
  bool operator==(const PodDnsConfigOption&) const = default;
};

struct PodDnsConfig {  // merged into /etc/resolv.conf ("dnsConfig" in JSON)
  std::vector<std::string> nameservers;
  std::vector<std::string> searches;
  std::vector<PodDnsConfigOption> options;
  bool operator==(const PodDnsConfig&) const = default;
};

struct PodSpec {
  std::vector<Container> initContainers;
  std::vector<Container> containers;
  std::vector<Volume> volumes;
  std::string restartPolicy;  // Always | OnFailure | Never (defaulted to Always)
  std::optional<int64_t> terminationGracePeriodSeconds;  // defaulted to 30
  std::optional<int64_t> activeDeadlineSeconds;
  std::string dnsPolicy;  // ClusterFirst (default) | ClusterFirstWithHostNet | Default | None
  std::optional<PodDnsConfig> dnsConfig;
  std::vector<HostAlias> hostAliases;
  std::map<std::string, std::string> nodeSelector;
  std::string serviceAccountName;
  std::string nodeName;
  bool hostNetwork = false;
  bool hostPID = false;
  bool hostIPC = false;
  std::optional<bool> shareProcessNamespace;
  std::string hostname;
  std::string subdomain;
  std::optional<PodSecurityContext> securityContext;
  std::vector<LocalObjectReference> imagePullSecrets;
  std::vector<Toleration> tolerations;
  std::string schedulerName;
  std::optional<int32_t> priority;
  bool operator==(const PodSpec&) const = default;
};

// --- status -----------------------------------------------------------------------------------

struct ContainerStateWaiting {
  std::string reason;  // ContainerCreating, ErrImagePull, ImagePullBackOff, CrashLoopBackOff, ...
  std::string message;
  bool operator==(const ContainerStateWaiting&) const = default;
};

struct ContainerStateRunning {
  std::string startedAt;
  bool operator==(const ContainerStateRunning&) const = default;
};

struct ContainerStateTerminated {
  int32_t exitCode = 0;
  int32_t signal = 0;
  std::string reason;  // Completed, Error, OOMKilled, ContainerCannotRun
  std::string message;
  std::string startedAt;
  std::string finishedAt;
  std::string containerID;
  bool operator==(const ContainerStateTerminated&) const = default;
};

// Exactly one member is set (or none: "{}").
struct ContainerState {
  std::optional<ContainerStateWaiting> waiting;
  std::optional<ContainerStateRunning> running;
  std::optional<ContainerStateTerminated> terminated;
  bool operator==(const ContainerState&) const = default;
};

struct ContainerStatus {
  std::string name;
  ContainerState state;
  ContainerState lastState;
  bool ready = false;
  int32_t restartCount = 0;
  std::string image;
  std::string imageID;
  std::string containerID;  // "berth://<runtime id>"
  std::optional<bool> started;
  bool operator==(const ContainerStatus&) const = default;
};

struct PodCondition {
  std::string type;    // PodScheduled, Initialized, ContainersReady, Ready
  std::string status;  // True | False | Unknown
  std::string reason;
  std::string message;
  std::string lastProbeTime;
  std::string lastTransitionTime;
  bool operator==(const PodCondition&) const = default;
};

struct PodIP {
  std::string ip;
  bool operator==(const PodIP&) const = default;
};

struct PodStatus {
  std::string phase;  // Pending | Running | Succeeded | Failed | Unknown
  std::vector<PodCondition> conditions;
  std::string message;
  std::string reason;
  std::string hostIP;
  std::vector<PodIP> hostIPs;
  std::string podIP;
  std::vector<PodIP> podIPs;
  std::string startTime;
  std::vector<ContainerStatus> initContainerStatuses;
  std::vector<ContainerStatus> containerStatuses;
  std::string qosClass;
  bool operator==(const PodStatus&) const = default;
};

struct Pod {
  std::string apiVersion = "v1";
  std::string kind = "Pod";
  ObjectMeta metadata;
  PodSpec spec;
  PodStatus status;
  bool operator==(const Pod&) const = default;
};

}  // namespace berth::api
