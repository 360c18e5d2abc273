// Descriptors for core/v1 Namespace, ConfigMap, Secret and Service.
// Field numbers and names: k8s.io/api core/v1/generated.proto.
// Flags: the Go JSON tags in the types.go beside it (see protobuf_schema.h).

#include "apiserver/protobuf_schema.h"

namespace berth::apiserver::protobuf {

namespace {

constexpr FieldDescriptor kNamespaceSpecFields[] = {
    {1, "finalizers", kString, kRepeated},
};
constexpr MessageDescriptor kNamespaceSpec{"NamespaceSpec", kNamespaceSpecFields};

constexpr FieldDescriptor kNamespaceConditionFields[] = {
    {1, "type", kString, kKeepZero},  {2, "status", kString, kKeepZero},
    {4, "lastTransitionTime", kTime}, {5, "reason", kString},
    {6, "message", kString},
};
constexpr MessageDescriptor kNamespaceCondition{"NamespaceCondition", kNamespaceConditionFields};

constexpr FieldDescriptor kNamespaceStatusFields[] = {
    {1, "phase", kString},
    {2, "conditions", kMessage, kRepeated, &kNamespaceCondition},
};
constexpr MessageDescriptor kNamespaceStatus{"NamespaceStatus", kNamespaceStatusFields};

constexpr FieldDescriptor kNamespaceFields[] = {
    {1, "metadata", kMessage, 0, &kObjectMeta},
    {2, "spec", kMessage, 0, &kNamespaceSpec},
    {3, "status", kMessage, 0, &kNamespaceStatus},
};

constexpr FieldDescriptor kConfigMapFields[] = {
    {1, "metadata", kMessage, 0, &kObjectMeta},
    {2, "data", kString, kMap},
    {3, "binaryData", kBytes, kMap},
    {4, "immutable", kBool, kKeepZero},
};

constexpr FieldDescriptor kSecretFields[] = {
    {1, "metadata", kMessage, 0, &kObjectMeta},
    {2, "data", kBytes, kMap},
    {3, "type", kString},
    {4, "stringData", kString, kMap},
    {5, "immutable", kBool, kKeepZero},
};

constexpr FieldDescriptor kServicePortFields[] = {
    {1, "name", kString},           {2, "protocol", kString},
    {3, "port", kInt32, kKeepZero}, {4, "targetPort", kIntOrString},
    {5, "nodePort", kInt32},        {6, "appProtocol", kString, kKeepZero},
};
constexpr MessageDescriptor kServicePort{"ServicePort", kServicePortFields};

constexpr FieldDescriptor kClientIPConfigFields[] = {
    {1, "timeoutSeconds", kInt32, kKeepZero},
};
constexpr MessageDescriptor kClientIPConfig{"ClientIPConfig", kClientIPConfigFields};

constexpr FieldDescriptor kSessionAffinityConfigFields[] = {
    {1, "clientIP", kMessage, 0, &kClientIPConfig},
};
constexpr MessageDescriptor kSessionAffinityConfig{"SessionAffinityConfig",
                                                   kSessionAffinityConfigFields};

constexpr FieldDescriptor kServiceSpecFields[] = {
    {1, "ports", kMessage, kRepeated, &kServicePort},
    {2, "selector", kString, kMap},
    {3, "clusterIP", kString},
    {4, "type", kString},
    {5, "externalIPs", kString, kRepeated},
    {7, "sessionAffinity", kString},
    {8, "loadBalancerIP", kString},
    {9, "loadBalancerSourceRanges", kString, kRepeated},
    {10, "externalName", kString},
    {11, "externalTrafficPolicy", kString},
    {12, "healthCheckNodePort", kInt32},
    {13, "publishNotReadyAddresses", kBool},
    {14, "sessionAffinityConfig", kMessage, 0, &kSessionAffinityConfig},
    {17, "ipFamilyPolicy", kString, kKeepZero},
    {18, "clusterIPs", kString, kRepeated},
    {19, "ipFamilies", kString, kRepeated},
    {20, "allocateLoadBalancerNodePorts", kBool, kKeepZero},
    {21, "loadBalancerClass", kString, kKeepZero},
    {22, "internalTrafficPolicy", kString, kKeepZero},
    {23, "trafficDistribution", kString, kKeepZero},
};
constexpr MessageDescriptor kServiceSpec{"ServiceSpec", kServiceSpecFields};

constexpr FieldDescriptor kPortStatusFields[] = {
    {1, "port", kInt32, kKeepZero},
    {2, "protocol", kString, kKeepZero},
    {3, "error", kString, kKeepZero},
};
constexpr MessageDescriptor kPortStatus{"PortStatus", kPortStatusFields};

constexpr FieldDescriptor kLoadBalancerIngressFields[] = {
    {1, "ip", kString},
    {2, "hostname", kString},
    {3, "ipMode", kString, kKeepZero},
    {4, "ports", kMessage, kRepeated, &kPortStatus},
};
constexpr MessageDescriptor kLoadBalancerIngress{"LoadBalancerIngress", kLoadBalancerIngressFields};

constexpr FieldDescriptor kLoadBalancerStatusFields[] = {
    {1, "ingress", kMessage, kRepeated, &kLoadBalancerIngress},
};
constexpr MessageDescriptor kLoadBalancerStatus{"LoadBalancerStatus", kLoadBalancerStatusFields};

constexpr FieldDescriptor kServiceStatusFields[] = {
    {1, "loadBalancer", kMessage, 0, &kLoadBalancerStatus},
    {2, "conditions", kMessage, kRepeated, &kCondition},
};
constexpr MessageDescriptor kServiceStatus{"ServiceStatus", kServiceStatusFields};

constexpr FieldDescriptor kServiceFields[] = {
    {1, "metadata", kMessage, 0, &kObjectMeta},
    {2, "spec", kMessage, 0, &kServiceSpec},
    {3, "status", kMessage, 0, &kServiceStatus},
};

}  // namespace

constinit const MessageDescriptor kNamespace{"Namespace", kNamespaceFields};
constinit const MessageDescriptor kConfigMap{"ConfigMap", kConfigMapFields};
constinit const MessageDescriptor kSecret{"Secret", kSecretFields};
constinit const MessageDescriptor kService{"Service", kServiceFields};

}  // namespace berth::apiserver::protobuf
