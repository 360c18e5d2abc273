// Descriptors for core/v1 PodTemplateSpec and PodSpec: volumes, scheduling, DNS, affinity.
// Skipped (not produced by kubectl create; a non-empty value is a decode error): ephemeral
// containers, the in-tree cloud/cluster volume plugins (gcePersistentDisk, awsElasticBlockStore,
// gitRepo, iscsi, glusterfs, rbd, flexVolume, cinder, cephfs, flocker, fc, azureFile,
// vsphereVolume, quobyte, azureDisk, photonPersistentDisk, portworxVolume, scaleIO, storageos),
// ephemeral volumes, clusterTrustBundle and podCertificate projections, and the alpha PodSpec
// fields schedulingGroup and evictionResponders.
// Field numbers and names: k8s.io/api core/v1/generated.proto.
// Flags: the Go JSON tags in the types.go beside it (see protobuf_schema.h).

#include "apiserver/protobuf_schema.h"

namespace berth::apiserver::protobuf {

namespace {

constexpr FieldDescriptor kHostPathVolumeSourceFields[] = {
    {1, "path", kString, kKeepZero},
    {2, "type", kString, kKeepZero},
};
constexpr MessageDescriptor kHostPathVolumeSource{"HostPathVolumeSource",
                                                  kHostPathVolumeSourceFields};

constexpr FieldDescriptor kEmptyDirVolumeSourceFields[] = {
    {1, "medium", kString},
    {2, "sizeLimit", kQuantity},
    {3, "mode", kInt32, kKeepZero},
};
constexpr MessageDescriptor kEmptyDirVolumeSource{"EmptyDirVolumeSource",
                                                  kEmptyDirVolumeSourceFields};

constexpr FieldDescriptor kKeyToPathFields[] = {
    {1, "key", kString, kKeepZero},
    {2, "path", kString, kKeepZero},
    {3, "mode", kInt32, kKeepZero},
    {4, "user", kInt64, kKeepZero},
};
constexpr MessageDescriptor kKeyToPath{"KeyToPath", kKeyToPathFields};

constexpr FieldDescriptor kSecretVolumeSourceFields[] = {
    {1, "secretName", kString},
    {2, "items", kMessage, kRepeated, &kKeyToPath},
    {3, "defaultMode", kInt32, kKeepZero},
    {4, "optional", kBool, kKeepZero},
    {5, "defaultUser", kInt64, kKeepZero},
};
constexpr MessageDescriptor kSecretVolumeSource{"SecretVolumeSource", kSecretVolumeSourceFields};

constexpr FieldDescriptor kNFSVolumeSourceFields[] = {
    {1, "server", kString, kKeepZero},
    {2, "path", kString, kKeepZero},
    {3, "readOnly", kBool},
};
constexpr MessageDescriptor kNFSVolumeSource{"NFSVolumeSource", kNFSVolumeSourceFields};

constexpr FieldDescriptor kPersistentVolumeClaimVolumeSourceFields[] = {
    {1, "claimName", kString, kKeepZero},
    {2, "readOnly", kBool},
};
constexpr MessageDescriptor kPersistentVolumeClaimVolumeSource{
    "PersistentVolumeClaimVolumeSource", kPersistentVolumeClaimVolumeSourceFields};

constexpr FieldDescriptor kDownwardAPIVolumeFileFields[] = {
    {1, "path", kString, kKeepZero},
    {2, "fieldRef", kMessage, 0, &kObjectFieldSelector},
    {3, "resourceFieldRef", kMessage, 0, &kResourceFieldSelector},
    {4, "mode", kInt32, kKeepZero},
    {5, "user", kInt64, kKeepZero},
};
constexpr MessageDescriptor kDownwardAPIVolumeFile{"DownwardAPIVolumeFile",
                                                   kDownwardAPIVolumeFileFields};

constexpr FieldDescriptor kDownwardAPIVolumeSourceFields[] = {
    {1, "items", kMessage, kRepeated, &kDownwardAPIVolumeFile},
    {2, "defaultMode", kInt32, kKeepZero},
    {3, "defaultUser", kInt64, kKeepZero},
};
constexpr MessageDescriptor kDownwardAPIVolumeSource{"DownwardAPIVolumeSource",
                                                     kDownwardAPIVolumeSourceFields};

constexpr FieldDescriptor kConfigMapVolumeSourceFields[] = {
    {1, "localObjectReference", kMessage, kInline, &kLocalObjectReference},
    {2, "items", kMessage, kRepeated, &kKeyToPath},
    {3, "defaultMode", kInt32, kKeepZero},
    {4, "optional", kBool, kKeepZero},
    {5, "defaultUser", kInt64, kKeepZero},
};
constexpr MessageDescriptor kConfigMapVolumeSource{"ConfigMapVolumeSource",
                                                   kConfigMapVolumeSourceFields};

constexpr FieldDescriptor kSecretProjectionFields[] = {
    {1, "localObjectReference", kMessage, kInline, &kLocalObjectReference},
    {2, "items", kMessage, kRepeated, &kKeyToPath},
    {4, "optional", kBool, kKeepZero},
};
constexpr MessageDescriptor kSecretProjection{"SecretProjection", kSecretProjectionFields};

constexpr FieldDescriptor kDownwardAPIProjectionFields[] = {
    {1, "items", kMessage, kRepeated, &kDownwardAPIVolumeFile},
};
constexpr MessageDescriptor kDownwardAPIProjection{"DownwardAPIProjection",
                                                   kDownwardAPIProjectionFields};

constexpr FieldDescriptor kConfigMapProjectionFields[] = {
    {1, "localObjectReference", kMessage, kInline, &kLocalObjectReference},
    {2, "items", kMessage, kRepeated, &kKeyToPath},
    {4, "optional", kBool, kKeepZero},
};
constexpr MessageDescriptor kConfigMapProjection{"ConfigMapProjection", kConfigMapProjectionFields};

constexpr FieldDescriptor kServiceAccountTokenProjectionFields[] = {
    {1, "audience", kString},
    {2, "expirationSeconds", kInt64, kKeepZero},
    {3, "path", kString, kKeepZero},
    {4, "user", kInt64, kKeepZero},
};
constexpr MessageDescriptor kServiceAccountTokenProjection{"ServiceAccountTokenProjection",
                                                           kServiceAccountTokenProjectionFields};

constexpr FieldDescriptor kVolumeProjectionFields[] = {
    {1, "secret", kMessage, 0, &kSecretProjection},
    {2, "downwardAPI", kMessage, 0, &kDownwardAPIProjection},
    {3, "configMap", kMessage, 0, &kConfigMapProjection},
    {4, "serviceAccountToken", kMessage, 0, &kServiceAccountTokenProjection},
};
constexpr MessageDescriptor kVolumeProjection{"VolumeProjection", kVolumeProjectionFields};

constexpr FieldDescriptor kProjectedVolumeSourceFields[] = {
    {1, "sources", kMessage, kRepeated, &kVolumeProjection},
    {2, "defaultMode", kInt32, kKeepZero},
    {3, "defaultUser", kInt64, kKeepZero},
};
constexpr MessageDescriptor kProjectedVolumeSource{"ProjectedVolumeSource",
                                                   kProjectedVolumeSourceFields};

constexpr FieldDescriptor kCSIVolumeSourceFields[] = {
    {1, "driver", kString, kKeepZero},
    {2, "readOnly", kBool, kKeepZero},
    {3, "fsType", kString, kKeepZero},
    {4, "volumeAttributes", kString, kMap},
    {5, "nodePublishSecretRef", kMessage, 0, &kLocalObjectReference},
};
constexpr MessageDescriptor kCSIVolumeSource{"CSIVolumeSource", kCSIVolumeSourceFields};

constexpr FieldDescriptor kImageVolumeSourceFields[] = {
    {1, "reference", kString},
    {2, "pullPolicy", kString},
};
constexpr MessageDescriptor kImageVolumeSource{"ImageVolumeSource", kImageVolumeSourceFields};

constexpr FieldDescriptor kVolumeSourceFields[] = {
    {1, "hostPath", kMessage, 0, &kHostPathVolumeSource},
    {2, "emptyDir", kMessage, 0, &kEmptyDirVolumeSource},
    {6, "secret", kMessage, 0, &kSecretVolumeSource},
    {7, "nfs", kMessage, 0, &kNFSVolumeSource},
    {10, "persistentVolumeClaim", kMessage, 0, &kPersistentVolumeClaimVolumeSource},
    {16, "downwardAPI", kMessage, 0, &kDownwardAPIVolumeSource},
    {19, "configMap", kMessage, 0, &kConfigMapVolumeSource},
    {26, "projected", kMessage, 0, &kProjectedVolumeSource},
    {28, "csi", kMessage, 0, &kCSIVolumeSource},
    {30, "image", kMessage, 0, &kImageVolumeSource},
};
constexpr MessageDescriptor kVolumeSource{"VolumeSource", kVolumeSourceFields};

constexpr FieldDescriptor kVolumeFields[] = {
    {1, "name", kString, kKeepZero},
    {2, "volumeSource", kMessage, kInline, &kVolumeSource},
};
constexpr MessageDescriptor kVolume{"Volume", kVolumeFields};

constexpr FieldDescriptor kNodeSelectorRequirementFields[] = {
    {1, "key", kString, kKeepZero},
    {2, "operator", kString, kKeepZero},
    {3, "values", kString, kRepeated},
};
constexpr MessageDescriptor kNodeSelectorRequirement{"NodeSelectorRequirement",
                                                     kNodeSelectorRequirementFields};

constexpr FieldDescriptor kNodeSelectorTermFields[] = {
    {1, "matchExpressions", kMessage, kRepeated, &kNodeSelectorRequirement},
    {2, "matchFields", kMessage, kRepeated, &kNodeSelectorRequirement},
};
constexpr MessageDescriptor kNodeSelectorTerm{"NodeSelectorTerm", kNodeSelectorTermFields};

constexpr FieldDescriptor kNodeSelectorFields[] = {
    {1, "nodeSelectorTerms", kMessage, kRepeated, &kNodeSelectorTerm},
};
constexpr MessageDescriptor kNodeSelector{"NodeSelector", kNodeSelectorFields};

constexpr FieldDescriptor kPreferredSchedulingTermFields[] = {
    {1, "weight", kInt32, kKeepZero},
    {2, "preference", kMessage, 0, &kNodeSelectorTerm},
};
constexpr MessageDescriptor kPreferredSchedulingTerm{"PreferredSchedulingTerm",
                                                     kPreferredSchedulingTermFields};

constexpr FieldDescriptor kNodeAffinityFields[] = {
    {1, "requiredDuringSchedulingIgnoredDuringExecution", kMessage, 0, &kNodeSelector},
    {2, "preferredDuringSchedulingIgnoredDuringExecution", kMessage, kRepeated,
     &kPreferredSchedulingTerm},
};
constexpr MessageDescriptor kNodeAffinity{"NodeAffinity", kNodeAffinityFields};

constexpr FieldDescriptor kPodAffinityTermFields[] = {
    {1, "labelSelector", kMessage, 0, &kLabelSelector},
    {2, "namespaces", kString, kRepeated},
    {3, "topologyKey", kString, kKeepZero},
    {4, "namespaceSelector", kMessage, 0, &kLabelSelector},
    {5, "matchLabelKeys", kString, kRepeated},
    {6, "mismatchLabelKeys", kString, kRepeated},
};
constexpr MessageDescriptor kPodAffinityTerm{"PodAffinityTerm", kPodAffinityTermFields};

constexpr FieldDescriptor kWeightedPodAffinityTermFields[] = {
    {1, "weight", kInt32, kKeepZero},
    {2, "podAffinityTerm", kMessage, 0, &kPodAffinityTerm},
};
constexpr MessageDescriptor kWeightedPodAffinityTerm{"WeightedPodAffinityTerm",
                                                     kWeightedPodAffinityTermFields};

constexpr FieldDescriptor kPodAffinityFields[] = {
    {1, "requiredDuringSchedulingIgnoredDuringExecution", kMessage, kRepeated, &kPodAffinityTerm},
    {2, "preferredDuringSchedulingIgnoredDuringExecution", kMessage, kRepeated,
     &kWeightedPodAffinityTerm},
};
constexpr MessageDescriptor kPodAffinity{"PodAffinity", kPodAffinityFields};

constexpr FieldDescriptor kPodAntiAffinityFields[] = {
    {1, "requiredDuringSchedulingIgnoredDuringExecution", kMessage, kRepeated, &kPodAffinityTerm},
    {2, "preferredDuringSchedulingIgnoredDuringExecution", kMessage, kRepeated,
     &kWeightedPodAffinityTerm},
};
constexpr MessageDescriptor kPodAntiAffinity{"PodAntiAffinity", kPodAntiAffinityFields};

constexpr FieldDescriptor kAffinityFields[] = {
    {1, "nodeAffinity", kMessage, 0, &kNodeAffinity},
    {2, "podAffinity", kMessage, 0, &kPodAffinity},
    {3, "podAntiAffinity", kMessage, 0, &kPodAntiAffinity},
};
constexpr MessageDescriptor kAffinity{"Affinity", kAffinityFields};

constexpr FieldDescriptor kTolerationFields[] = {
    {1, "key", kString},
    {2, "operator", kString},
    {3, "value", kString},
    {4, "effect", kString},
    {5, "tolerationSeconds", kInt64, kKeepZero},
};
constexpr MessageDescriptor kToleration{"Toleration", kTolerationFields};

constexpr FieldDescriptor kHostAliasFields[] = {
    {1, "ip", kString, kKeepZero},
    {2, "hostnames", kString, kRepeated},
};
constexpr MessageDescriptor kHostAlias{"HostAlias", kHostAliasFields};

constexpr FieldDescriptor kPodDNSConfigOptionFields[] = {
    {1, "name", kString},
    {2, "value", kString, kKeepZero},
};
constexpr MessageDescriptor kPodDNSConfigOption{"PodDNSConfigOption", kPodDNSConfigOptionFields};

constexpr FieldDescriptor kPodDNSConfigFields[] = {
    {1, "nameservers", kString, kRepeated},
    {2, "searches", kString, kRepeated},
    {3, "options", kMessage, kRepeated, &kPodDNSConfigOption},
};
constexpr MessageDescriptor kPodDNSConfig{"PodDNSConfig", kPodDNSConfigFields};

constexpr FieldDescriptor kPodReadinessGateFields[] = {
    {1, "conditionType", kString, kKeepZero},
};
constexpr MessageDescriptor kPodReadinessGate{"PodReadinessGate", kPodReadinessGateFields};

constexpr FieldDescriptor kTopologySpreadConstraintFields[] = {
    {1, "maxSkew", kInt32, kKeepZero},
    {2, "topologyKey", kString, kKeepZero},
    {3, "whenUnsatisfiable", kString, kKeepZero},
    {4, "labelSelector", kMessage, 0, &kLabelSelector},
    {5, "minDomains", kInt32, kKeepZero},
    {6, "nodeAffinityPolicy", kString, kKeepZero},
    {7, "nodeTaintsPolicy", kString, kKeepZero},
    {8, "matchLabelKeys", kString, kRepeated},
};
constexpr MessageDescriptor kTopologySpreadConstraint{"TopologySpreadConstraint",
                                                      kTopologySpreadConstraintFields};

constexpr FieldDescriptor kPodOSFields[] = {
    {1, "name", kString, kKeepZero},
};
constexpr MessageDescriptor kPodOS{"PodOS", kPodOSFields};

constexpr FieldDescriptor kPodSchedulingGateFields[] = {
    {1, "name", kString, kKeepZero},
};
constexpr MessageDescriptor kPodSchedulingGate{"PodSchedulingGate", kPodSchedulingGateFields};

constexpr FieldDescriptor kPodResourceClaimFields[] = {
    {1, "name", kString, kKeepZero},
    {3, "resourceClaimName", kString, kKeepZero},
    {4, "resourceClaimTemplateName", kString, kKeepZero},
};
constexpr MessageDescriptor kPodResourceClaim{"PodResourceClaim", kPodResourceClaimFields};

constexpr FieldDescriptor kPodSpecFields[] = {
    {1, "volumes", kMessage, kRepeated, &kVolume},
    {2, "containers", kMessage, kRepeated, &kContainer},
    {3, "restartPolicy", kString},
    {4, "terminationGracePeriodSeconds", kInt64, kKeepZero},
    {5, "activeDeadlineSeconds", kInt64, kKeepZero},
    {6, "dnsPolicy", kString},
    {7, "nodeSelector", kString, kMap},
    {8, "serviceAccountName", kString},
    {9, "serviceAccount", kString},
    {10, "nodeName", kString},
    {11, "hostNetwork", kBool},
    {12, "hostPID", kBool},
    {13, "hostIPC", kBool},
    {14, "securityContext", kMessage, 0, &kPodSecurityContext},
    {15, "imagePullSecrets", kMessage, kRepeated, &kLocalObjectReference},
    {16, "hostname", kString},
    {17, "subdomain", kString},
    {18, "affinity", kMessage, 0, &kAffinity},
    {19, "schedulerName", kString},
    {20, "initContainers", kMessage, kRepeated, &kContainer},
    {21, "automountServiceAccountToken", kBool, kKeepZero},
    {22, "tolerations", kMessage, kRepeated, &kToleration},
    {23, "hostAliases", kMessage, kRepeated, &kHostAlias},
    {24, "priorityClassName", kString},
    {25, "priority", kInt32, kKeepZero},
    {26, "dnsConfig", kMessage, 0, &kPodDNSConfig},
    {27, "shareProcessNamespace", kBool, kKeepZero},
    {28, "readinessGates", kMessage, kRepeated, &kPodReadinessGate},
    {29, "runtimeClassName", kString, kKeepZero},
    {30, "enableServiceLinks", kBool, kKeepZero},
    {31, "preemptionPolicy", kString, kKeepZero},
    {32, "overhead", kQuantity, kMap},
    {33, "topologySpreadConstraints", kMessage, kRepeated, &kTopologySpreadConstraint},
    {35, "setHostnameAsFQDN", kBool, kKeepZero},
    {36, "os", kMessage, 0, &kPodOS},
    {37, "hostUsers", kBool, kKeepZero},
    {38, "schedulingGates", kMessage, kRepeated, &kPodSchedulingGate},
    {39, "resourceClaims", kMessage, kRepeated, &kPodResourceClaim},
    {40, "resources", kMessage, 0, &kResourceRequirements},
    {41, "hostnameOverride", kString, kKeepZero},
};
constexpr MessageDescriptor kPodSpec{"PodSpec", kPodSpecFields};

constexpr FieldDescriptor kPodTemplateSpecFields[] = {
    {1, "metadata", kMessage, 0, &kObjectMeta},
    {2, "spec", kMessage, 0, &kPodSpec},
};

}  // namespace

constinit const MessageDescriptor kPodTemplateSpec{"PodTemplateSpec", kPodTemplateSpecFields};

}  // namespace berth::apiserver::protobuf
