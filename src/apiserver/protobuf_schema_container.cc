// Descriptors for core/v1 Container and everything below it (probes, env, security contexts).
// Field numbers and names: k8s.io/api core/v1/generated.proto.
// Flags: the Go JSON tags in the types.go beside it (see protobuf_schema.h).

#include "apiserver/protobuf_schema.h"

namespace berth::apiserver::protobuf {

namespace {

constexpr FieldDescriptor kContainerPortFields[] = {
    {1, "name", kString},     {2, "hostPort", kInt32}, {3, "containerPort", kInt32, kKeepZero},
    {4, "protocol", kString}, {5, "hostIP", kString},
};
constexpr MessageDescriptor kContainerPort{"ContainerPort", kContainerPortFields};

constexpr FieldDescriptor kConfigMapKeySelectorFields[] = {
    {1, "localObjectReference", kMessage, kInline, &kLocalObjectReference},
    {2, "key", kString, kKeepZero},
    {3, "optional", kBool, kKeepZero},
};
constexpr MessageDescriptor kConfigMapKeySelector{"ConfigMapKeySelector",
                                                  kConfigMapKeySelectorFields};

constexpr FieldDescriptor kSecretKeySelectorFields[] = {
    {1, "localObjectReference", kMessage, kInline, &kLocalObjectReference},
    {2, "key", kString, kKeepZero},
    {3, "optional", kBool, kKeepZero},
};
constexpr MessageDescriptor kSecretKeySelector{"SecretKeySelector", kSecretKeySelectorFields};

constexpr FieldDescriptor kFileKeySelectorFields[] = {
    {1, "volumeName", kString, kKeepZero},
    {2, "path", kString, kKeepZero},
    {3, "key", kString, kKeepZero},
    {4, "optional", kBool, kKeepZero},
};
constexpr MessageDescriptor kFileKeySelector{"FileKeySelector", kFileKeySelectorFields};

constexpr FieldDescriptor kEnvVarSourceFields[] = {
    {1, "fieldRef", kMessage, 0, &kObjectFieldSelector},
    {2, "resourceFieldRef", kMessage, 0, &kResourceFieldSelector},
    {3, "configMapKeyRef", kMessage, 0, &kConfigMapKeySelector},
    {4, "secretKeyRef", kMessage, 0, &kSecretKeySelector},
    {5, "fileKeyRef", kMessage, 0, &kFileKeySelector},
};
constexpr MessageDescriptor kEnvVarSource{"EnvVarSource", kEnvVarSourceFields};

constexpr FieldDescriptor kEnvVarFields[] = {
    {1, "name", kString, kKeepZero},
    {2, "value", kString},
    {3, "valueFrom", kMessage, 0, &kEnvVarSource},
};
constexpr MessageDescriptor kEnvVar{"EnvVar", kEnvVarFields};

constexpr FieldDescriptor kVolumeMountFields[] = {
    {1, "name", kString, kKeepZero},
    {2, "readOnly", kBool},
    {3, "mountPath", kString, kKeepZero},
    {4, "subPath", kString},
    {5, "mountPropagation", kString, kKeepZero},
    {6, "subPathExpr", kString},
    {7, "recursiveReadOnly", kString, kKeepZero},
    {8, "bindMountOptions", kString, kRepeated},
};
constexpr MessageDescriptor kVolumeMount{"VolumeMount", kVolumeMountFields};

constexpr FieldDescriptor kExecActionFields[] = {
    {1, "command", kString, kRepeated},
};
constexpr MessageDescriptor kExecAction{"ExecAction", kExecActionFields};

constexpr FieldDescriptor kHTTPHeaderFields[] = {
    {1, "name", kString, kKeepZero},
    {2, "value", kString, kKeepZero},
};
constexpr MessageDescriptor kHTTPHeader{"HTTPHeader", kHTTPHeaderFields};

constexpr FieldDescriptor kHTTPGetActionFields[] = {
    {1, "path", kString},
    {2, "port", kIntOrString},
    {3, "host", kString},
    {4, "scheme", kString},
    {5, "httpHeaders", kMessage, kRepeated, &kHTTPHeader},
    {6, "protocol", kString, kKeepZero},
};
constexpr MessageDescriptor kHTTPGetAction{"HTTPGetAction", kHTTPGetActionFields};

constexpr FieldDescriptor kTCPSocketActionFields[] = {
    {1, "port", kIntOrString},
    {2, "host", kString},
};
constexpr MessageDescriptor kTCPSocketAction{"TCPSocketAction", kTCPSocketActionFields};

constexpr FieldDescriptor kGRPCActionFields[] = {
    {1, "port", kInt32, kKeepZero},
    {2, "service", kString, kKeepZero},
    {3, "mode", kString, kKeepZero},
};
constexpr MessageDescriptor kGRPCAction{"GRPCAction", kGRPCActionFields};

constexpr FieldDescriptor kProbeHandlerFields[] = {
    {1, "exec", kMessage, 0, &kExecAction},
    {2, "httpGet", kMessage, 0, &kHTTPGetAction},
    {3, "tcpSocket", kMessage, 0, &kTCPSocketAction},
    {4, "grpc", kMessage, 0, &kGRPCAction},
};
constexpr MessageDescriptor kProbeHandler{"ProbeHandler", kProbeHandlerFields};

constexpr FieldDescriptor kProbeFields[] = {
    {1, "handler", kMessage, kInline, &kProbeHandler},
    {2, "initialDelaySeconds", kInt32},
    {3, "timeoutSeconds", kInt32},
    {4, "periodSeconds", kInt32},
    {5, "successThreshold", kInt32},
    {6, "failureThreshold", kInt32},
    {7, "terminationGracePeriodSeconds", kInt64, kKeepZero},
};
constexpr MessageDescriptor kProbe{"Probe", kProbeFields};

constexpr FieldDescriptor kSleepActionFields[] = {
    {1, "seconds", kInt64, kKeepZero},
};
constexpr MessageDescriptor kSleepAction{"SleepAction", kSleepActionFields};

constexpr FieldDescriptor kLifecycleHandlerFields[] = {
    {1, "exec", kMessage, 0, &kExecAction},
    {2, "httpGet", kMessage, 0, &kHTTPGetAction},
    {3, "tcpSocket", kMessage, 0, &kTCPSocketAction},
    {4, "sleep", kMessage, 0, &kSleepAction},
};
constexpr MessageDescriptor kLifecycleHandler{"LifecycleHandler", kLifecycleHandlerFields};

constexpr FieldDescriptor kLifecycleFields[] = {
    {1, "postStart", kMessage, 0, &kLifecycleHandler},
    {2, "preStop", kMessage, 0, &kLifecycleHandler},
    {3, "stopSignal", kString, kKeepZero},
};
constexpr MessageDescriptor kLifecycle{"Lifecycle", kLifecycleFields};

constexpr FieldDescriptor kCapabilitiesFields[] = {
    {1, "add", kString, kRepeated},
    {2, "drop", kString, kRepeated},
};
constexpr MessageDescriptor kCapabilities{"Capabilities", kCapabilitiesFields};

constexpr FieldDescriptor kSELinuxOptionsFields[] = {
    {1, "user", kString},
    {2, "role", kString},
    {3, "type", kString},
    {4, "level", kString},
};
constexpr MessageDescriptor kSELinuxOptions{"SELinuxOptions", kSELinuxOptionsFields};

constexpr FieldDescriptor kWindowsSecurityContextOptionsFields[] = {
    {1, "gmsaCredentialSpecName", kString, kKeepZero},
    {2, "gmsaCredentialSpec", kString, kKeepZero},
    {3, "runAsUserName", kString, kKeepZero},
    {4, "hostProcess", kBool, kKeepZero},
};
constexpr MessageDescriptor kWindowsSecurityContextOptions{"WindowsSecurityContextOptions",
                                                           kWindowsSecurityContextOptionsFields};

constexpr FieldDescriptor kSeccompProfileFields[] = {
    {1, "type", kString, kKeepZero},
    {2, "localhostProfile", kString, kKeepZero},
};
constexpr MessageDescriptor kSeccompProfile{"SeccompProfile", kSeccompProfileFields};

constexpr FieldDescriptor kAppArmorProfileFields[] = {
    {1, "type", kString, kKeepZero},
    {2, "localhostProfile", kString, kKeepZero},
};
constexpr MessageDescriptor kAppArmorProfile{"AppArmorProfile", kAppArmorProfileFields};

constexpr FieldDescriptor kSecurityContextFields[] = {
    {1, "capabilities", kMessage, 0, &kCapabilities},
    {2, "privileged", kBool, kKeepZero},
    {3, "seLinuxOptions", kMessage, 0, &kSELinuxOptions},
    {4, "runAsUser", kInt64, kKeepZero},
    {5, "runAsNonRoot", kBool, kKeepZero},
    {6, "readOnlyRootFilesystem", kBool, kKeepZero},
    {7, "allowPrivilegeEscalation", kBool, kKeepZero},
    {8, "runAsGroup", kInt64, kKeepZero},
    {9, "procMount", kString, kKeepZero},
    {10, "windowsOptions", kMessage, 0, &kWindowsSecurityContextOptions},
    {11, "seccompProfile", kMessage, 0, &kSeccompProfile},
    {12, "appArmorProfile", kMessage, 0, &kAppArmorProfile},
};
constexpr MessageDescriptor kSecurityContext{"SecurityContext", kSecurityContextFields};

constexpr FieldDescriptor kConfigMapEnvSourceFields[] = {
    {1, "localObjectReference", kMessage, kInline, &kLocalObjectReference},
    {2, "optional", kBool, kKeepZero},
};
constexpr MessageDescriptor kConfigMapEnvSource{"ConfigMapEnvSource", kConfigMapEnvSourceFields};

constexpr FieldDescriptor kSecretEnvSourceFields[] = {
    {1, "localObjectReference", kMessage, kInline, &kLocalObjectReference},
    {2, "optional", kBool, kKeepZero},
};
constexpr MessageDescriptor kSecretEnvSource{"SecretEnvSource", kSecretEnvSourceFields};

constexpr FieldDescriptor kEnvFromSourceFields[] = {
    {1, "prefix", kString},
    {2, "configMapRef", kMessage, 0, &kConfigMapEnvSource},
    {3, "secretRef", kMessage, 0, &kSecretEnvSource},
};
constexpr MessageDescriptor kEnvFromSource{"EnvFromSource", kEnvFromSourceFields};

constexpr FieldDescriptor kVolumeDeviceFields[] = {
    {1, "name", kString, kKeepZero},
    {2, "devicePath", kString, kKeepZero},
};
constexpr MessageDescriptor kVolumeDevice{"VolumeDevice", kVolumeDeviceFields};

constexpr FieldDescriptor kContainerResizePolicyFields[] = {
    {1, "resourceName", kString, kKeepZero},
    {2, "restartPolicy", kString, kKeepZero},
};
constexpr MessageDescriptor kContainerResizePolicy{"ContainerResizePolicy",
                                                   kContainerResizePolicyFields};

constexpr FieldDescriptor kContainerRestartRuleOnExitCodesFields[] = {
    {1, "operator", kString},
    {2, "values", kInt32, kRepeated},
};
constexpr MessageDescriptor kContainerRestartRuleOnExitCodes{
    "ContainerRestartRuleOnExitCodes", kContainerRestartRuleOnExitCodesFields};

constexpr FieldDescriptor kContainerRestartRuleFields[] = {
    {1, "action", kString},
    {2, "exitCodes", kMessage, 0, &kContainerRestartRuleOnExitCodes},
};
constexpr MessageDescriptor kContainerRestartRule{"ContainerRestartRule",
                                                  kContainerRestartRuleFields};

constexpr FieldDescriptor kContainerFields[] = {
    {1, "name", kString, kKeepZero},
    {2, "image", kString},
    {3, "command", kString, kRepeated},
    {4, "args", kString, kRepeated},
    {5, "workingDir", kString},
    {6, "ports", kMessage, kRepeated, &kContainerPort},
    {7, "env", kMessage, kRepeated, &kEnvVar},
    {8, "resources", kMessage, 0, &kResourceRequirements},
    {9, "volumeMounts", kMessage, kRepeated, &kVolumeMount},
    {10, "livenessProbe", kMessage, 0, &kProbe},
    {11, "readinessProbe", kMessage, 0, &kProbe},
    {12, "lifecycle", kMessage, 0, &kLifecycle},
    {13, "terminationMessagePath", kString},
    {14, "imagePullPolicy", kString},
    {15, "securityContext", kMessage, 0, &kSecurityContext},
    {16, "stdin", kBool},
    {17, "stdinOnce", kBool},
    {18, "tty", kBool},
    {19, "envFrom", kMessage, kRepeated, &kEnvFromSource},
    {20, "terminationMessagePolicy", kString},
    {21, "volumeDevices", kMessage, kRepeated, &kVolumeDevice},
    {22, "startupProbe", kMessage, 0, &kProbe},
    {23, "resizePolicy", kMessage, kRepeated, &kContainerResizePolicy},
    {24, "restartPolicy", kString, kKeepZero},
    {25, "restartPolicyRules", kMessage, kRepeated, &kContainerRestartRule},
};

constexpr FieldDescriptor kObjectFieldSelectorFields[] = {
    {1, "apiVersion", kString},
    {2, "fieldPath", kString, kKeepZero},
};

constexpr FieldDescriptor kResourceFieldSelectorFields[] = {
    {1, "containerName", kString},
    {2, "resource", kString, kKeepZero},
    {3, "divisor", kQuantity},
};

constexpr FieldDescriptor kResourceClaimFields[] = {
    {1, "name", kString, kKeepZero},
    {2, "request", kString},
};
constexpr MessageDescriptor kResourceClaim{"ResourceClaim", kResourceClaimFields};

constexpr FieldDescriptor kResourceRequirementsFields[] = {
    {1, "limits", kQuantity, kMap},
    {2, "requests", kQuantity, kMap},
    {3, "claims", kMessage, kRepeated, &kResourceClaim},
};

constexpr FieldDescriptor kSysctlFields[] = {
    {1, "name", kString, kKeepZero},
    {2, "value", kString, kKeepZero},
};
constexpr MessageDescriptor kSysctl{"Sysctl", kSysctlFields};

constexpr FieldDescriptor kPodSecurityContextFields[] = {
    {1, "seLinuxOptions", kMessage, 0, &kSELinuxOptions},
    {2, "runAsUser", kInt64, kKeepZero},
    {3, "runAsNonRoot", kBool, kKeepZero},
    {4, "supplementalGroups", kInt64, kRepeated},
    {5, "fsGroup", kInt64, kKeepZero},
    {6, "runAsGroup", kInt64, kKeepZero},
    {7, "sysctls", kMessage, kRepeated, &kSysctl},
    {8, "windowsOptions", kMessage, 0, &kWindowsSecurityContextOptions},
    {9, "fsGroupChangePolicy", kString, kKeepZero},
    {10, "seccompProfile", kMessage, 0, &kSeccompProfile},
    {11, "appArmorProfile", kMessage, 0, &kAppArmorProfile},
    {12, "supplementalGroupsPolicy", kString, kKeepZero},
    {13, "seLinuxChangePolicy", kString, kKeepZero},
};

constexpr FieldDescriptor kLocalObjectReferenceFields[] = {
    {1, "name", kString},
};

}  // namespace

constinit const MessageDescriptor kContainer{"Container", kContainerFields};
constinit const MessageDescriptor kObjectFieldSelector{"ObjectFieldSelector",
                                                       kObjectFieldSelectorFields};
constinit const MessageDescriptor kResourceFieldSelector{"ResourceFieldSelector",
                                                         kResourceFieldSelectorFields};
constinit const MessageDescriptor kResourceRequirements{"ResourceRequirements",
                                                        kResourceRequirementsFields};
constinit const MessageDescriptor kPodSecurityContext{"PodSecurityContext",
                                                      kPodSecurityContextFields};
constinit const MessageDescriptor kLocalObjectReference{"LocalObjectReference",
                                                        kLocalObjectReferenceFields};

}  // namespace berth::apiserver::protobuf
