#pragma once

// Typed core/v1 Pod, the subset Berth's node agent acts on. Field names follow the Kubernetes
// API (camelCase in JSON, same words here). Decoding, encoding, defaulting and validation live
// in pod_codec.h, defaults.h and validation.h; this header is plain data.

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
};

// --- spec -------------------------------------------------------------------------------------

struct KeySelector {  // configMapKeyRef / secretKeyRef
  std::string name;
  std::string key;
  bool optional = false;
};

struct FieldSelector {  // fieldRef
  std::string fieldPath;
};

struct EnvVarSource {
  std::optional<KeySelector> configMapKeyRef;
  std::optional<KeySelector> secretKeyRef;
  std::optional<FieldSelector> fieldRef;
};

struct EnvVar {
  std::string name;
  std::string value;
  std::optional<EnvVarSource> valueFrom;
};

struct ContainerPort {
  std::string name;
  int32_t containerPort = 0;
  int32_t hostPort = 0;  // 0: not published on the host
  std::string protocol;  // TCP (default), UDP, SCTP
  std::string hostIP;
};

// Quantities are kept as written ("250m", "64Mi") and parsed by quantity.h where needed.
struct ResourceRequirements {
  std::map<std::string, std::string> requests;
  std::map<std::string, std::string> limits;
};

struct VolumeMount {
  std::string name;
  std::string mountPath;
  bool readOnly = false;
  std::string subPath;
};

struct Capabilities {
  std::vector<std::string> add;
  std::vector<std::string> drop;
};

struct SecurityContext {
  std::optional<int64_t> runAsUser;
  std::optional<int64_t> runAsGroup;
  std::optional<bool> runAsNonRoot;
  std::optional<bool> readOnlyRootFilesystem;
  std::optional<bool> privileged;
  std::optional<bool> allowPrivilegeEscalation;
  std::optional<Capabilities> capabilities;
};

struct ExecAction {
  std::vector<std::string> command;
};

struct HttpGetAction {
  std::string path;
  std::string port;  // number or name, as written
  std::string host;
  std::string scheme;  // HTTP (default) or HTTPS
};

struct TcpSocketAction {
  std::string port;
  std::string host;
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
};

struct Container {
  std::string name;
  std::string image;
  std::vector<std::string> command;  // replaces the image ENTRYPOINT
  std::vector<std::string> args;     // replaces the image CMD
  std::string workingDir;
  std::vector<ContainerPort> ports;
  std::vector<EnvVar> env;
  ResourceRequirements resources;
  std::vector<VolumeMount> volumeMounts;
  std::optional<Probe> livenessProbe;
  std::optional<Probe> readinessProbe;
  std::optional<Probe> startupProbe;
  std::string imagePullPolicy;  // Always | IfNotPresent | Never (defaulted)
  std::optional<SecurityContext> securityContext;
  std::string terminationMessagePath;
  bool stdin = false;
  bool tty = false;
};

struct EmptyDirVolumeSource {
  std::string medium;  // "" (node disk) or "Memory" (tmpfs)
  std::optional<std::string> sizeLimit;
};

struct HostPathVolumeSource {
  std::string path;
  std::string type;  // "", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, ...
};

struct KeyToPath {
  std::string key;
  std::string path;
  std::optional<int32_t> mode;
};

struct ConfigMapVolumeSource {
  std::string name;
  std::vector<KeyToPath> items;
  std::optional<int32_t> defaultMode;
  bool optional = false;
};

struct SecretVolumeSource {
  std::string secretName;
  std::vector<KeyToPath> items;
  std::optional<int32_t> defaultMode;
  bool optional = false;
};

struct Volume {
  std::string name;
  std::optional<EmptyDirVolumeSource> emptyDir;
  std::optional<HostPathVolumeSource> hostPath;
  std::optional<ConfigMapVolumeSource> configMap;
  std::optional<SecretVolumeSource> secret;
};

struct PodSecurityContext {
  std::optional<int64_t> runAsUser;
  std::optional<int64_t> runAsGroup;
  std::optional<bool> runAsNonRoot;
  std::optional<int64_t> fsGroup;
  std::vector<int64_t> supplementalGroups;
};

struct Toleration {
  std::string key;
  std::string op;  // "operator" in JSON: Exists | Equal
  std::string value;
  std::string effect;
  std::optional<int64_t> tolerationSeconds;
};

struct LocalObjectReference {
  std::string name;
};

struct PodSpec {
  std::vector<Container> initContainers;
  std::vector<Container> containers;
  std::vector<Volume> volumes;
  std::string restartPolicy;  // Always | OnFailure | Never (defaulted to Always)
  std::optional<int64_t> terminationGracePeriodSeconds;  // defaulted to 30
  std::optional<int64_t> activeDeadlineSeconds;
  std::string dnsPolicy;
  std::map<std::string, std::string> nodeSelector;
  std::string serviceAccountName;
  std::string nodeName;
  bool hostNetwork = false;
  bool hostPID = false;
  bool hostIPC = false;
  std::string hostname;
  std::string subdomain;
  std::optional<PodSecurityContext> securityContext;
  std::vector<LocalObjectReference> imagePullSecrets;
  std::vector<Toleration> tolerations;
  std::string schedulerName;
  std::optional<int32_t> priority;
};

// --- status -----------------------------------------------------------------------------------

struct ContainerStateWaiting {
  std::string reason;  // ContainerCreating, ErrImagePull, ImagePullBackOff, CrashLoopBackOff, ...
  std::string message;
};

struct ContainerStateRunning {
  std::string startedAt;
};

struct ContainerStateTerminated {
  int32_t exitCode = 0;
  int32_t signal = 0;
  std::string reason;  // Completed, Error, OOMKilled, ContainerCannotRun
  std::string message;
  std::string startedAt;
  std::string finishedAt;
  std::string containerID;
};

// Exactly one member is set (or none: "{}").
struct ContainerState {
  std::optional<ContainerStateWaiting> waiting;
  std::optional<ContainerStateRunning> running;
  std::optional<ContainerStateTerminated> terminated;
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
};

struct PodCondition {
  std::string type;    // PodScheduled, Initialized, ContainersReady, Ready
  std::string status;  // True | False | Unknown
  std::string reason;
  std::string message;
  std::string lastProbeTime;
  std::string lastTransitionTime;
};

struct PodIP {
  std::string ip;
};

struct PodStatus {
  std::string phase;  // Pending | Running | Succeeded | Failed | Unknown
  std::vector<PodCondition> conditions;
  std::string message;
  std::string reason;
  std::string hostIP;
  std::string podIP;
  std::vector<PodIP> podIPs;
  std::string startTime;
  std::vector<ContainerStatus> initContainerStatuses;
  std::vector<ContainerStatus> containerStatuses;
  std::string qosClass;
};

struct Pod {
  std::string apiVersion = "v1";
  std::string kind = "Pod";
  ObjectMeta metadata;
  PodSpec spec;
  PodStatus status;
};

}  // namespace berth::api
