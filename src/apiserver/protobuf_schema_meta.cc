// Descriptors for k8s.io/apimachinery/pkg/apis/meta/v1: ObjectMeta, LabelSelector, DeleteOptions.
// Field numbers and names: k8s.io/apimachinery pkg/apis/meta/v1/generated.proto.
// Flags: the Go JSON tags in the types.go beside it (see protobuf_schema.h).

#include "apiserver/protobuf_schema.h"

namespace berth::apiserver::protobuf {

namespace {

constexpr FieldDescriptor kOwnerReferenceFields[] = {
    {1, "kind", kString, kKeepZero},     {3, "name", kString, kKeepZero},
    {4, "uid", kString, kKeepZero},      {5, "apiVersion", kString, kKeepZero},
    {6, "controller", kBool, kKeepZero}, {7, "blockOwnerDeletion", kBool, kKeepZero},
};
constexpr MessageDescriptor kOwnerReference{"OwnerReference", kOwnerReferenceFields};

constexpr FieldDescriptor kManagedFieldsEntryFields[] = {
    {1, "manager", kString},     {2, "operation", kString},  {3, "apiVersion", kString},
    {4, "time", kTime},          {6, "fieldsType", kString}, {7, "fieldsV1", kFieldsV1},
    {8, "subresource", kString},
};
constexpr MessageDescriptor kManagedFieldsEntry{"ManagedFieldsEntry", kManagedFieldsEntryFields};

constexpr FieldDescriptor kObjectMetaFields[] = {
    {1, "name", kString},
    {2, "generateName", kString},
    {3, "namespace", kString},
    {4, "selfLink", kString},
    {5, "uid", kString},
    {6, "resourceVersion", kString},
    {7, "generation", kInt64},
    {8, "creationTimestamp", kTime},
    {9, "deletionTimestamp", kTime},
    {10, "deletionGracePeriodSeconds", kInt64, kKeepZero},
    {11, "labels", kString, kMap},
    {12, "annotations", kString, kMap},
    {13, "ownerReferences", kMessage, kRepeated, &kOwnerReference},
    {14, "finalizers", kString, kRepeated},
    {17, "managedFields", kMessage, kRepeated, &kManagedFieldsEntry},
};

constexpr FieldDescriptor kLabelSelectorRequirementFields[] = {
    {1, "key", kString, kKeepZero},
    {2, "operator", kString, kKeepZero},
    {3, "values", kString, kRepeated},
};
constexpr MessageDescriptor kLabelSelectorRequirement{"LabelSelectorRequirement",
                                                      kLabelSelectorRequirementFields};

constexpr FieldDescriptor kLabelSelectorFields[] = {
    {1, "matchLabels", kString, kMap},
    {2, "matchExpressions", kMessage, kRepeated, &kLabelSelectorRequirement},
};

constexpr FieldDescriptor kPreconditionsFields[] = {
    {1, "uid", kString, kKeepZero},
    {2, "resourceVersion", kString, kKeepZero},
};
constexpr MessageDescriptor kPreconditions{"Preconditions", kPreconditionsFields};

constexpr FieldDescriptor kDeleteOptionsFields[] = {
    {1, "gracePeriodSeconds", kInt64, kKeepZero},
    {2, "preconditions", kMessage, 0, &kPreconditions},
    {3, "orphanDependents", kBool, kKeepZero},
    {4, "propagationPolicy", kString, kKeepZero},
    {5, "dryRun", kString, kRepeated},
    {6, "ignoreStoreReadErrorWithClusterBreakingPotential", kBool, kKeepZero},
};

constexpr FieldDescriptor kConditionFields[] = {
    {1, "type", kString, kKeepZero},   {2, "status", kString, kKeepZero},
    {3, "observedGeneration", kInt64}, {4, "lastTransitionTime", kTime},
    {5, "reason", kString, kKeepZero}, {6, "message", kString, kKeepZero},
};

}  // namespace

constinit const MessageDescriptor kObjectMeta{"ObjectMeta", kObjectMetaFields};
constinit const MessageDescriptor kLabelSelector{"LabelSelector", kLabelSelectorFields};
constinit const MessageDescriptor kDeleteOptions{"DeleteOptions", kDeleteOptionsFields};
constinit const MessageDescriptor kCondition{"Condition", kConditionFields};

}  // namespace berth::apiserver::protobuf
