// Descriptors for apps/v1 Deployment, batch/v1 Job and CronJob, autoscaling/v1
// HorizontalPodAutoscaler and policy/v1 Eviction. Skipped: the alpha JobSpec.scheduling.
// Field numbers and names: k8s.io/api apps/v1, batch/v1, autoscaling/v1, policy/v1 generated.proto.
// Flags: the Go JSON tags in the types.go beside it (see protobuf_schema.h).

#include "apiserver/protobuf_schema.h"

namespace berth::apiserver::protobuf {

namespace {

constexpr FieldDescriptor kRollingUpdateDeploymentFields[] = {
    {1, "maxUnavailable", kIntOrString},
    {2, "maxSurge", kIntOrString},
};
constexpr MessageDescriptor kRollingUpdateDeployment{"RollingUpdateDeployment",
                                                     kRollingUpdateDeploymentFields};

constexpr FieldDescriptor kDeploymentStrategyFields[] = {
    {1, "type", kString},
    {2, "rollingUpdate", kMessage, 0, &kRollingUpdateDeployment},
};
constexpr MessageDescriptor kDeploymentStrategy{"DeploymentStrategy", kDeploymentStrategyFields};

constexpr FieldDescriptor kDeploymentSpecFields[] = {
    {1, "replicas", kInt32, kKeepZero},
    {2, "selector", kMessage, 0, &kLabelSelector},
    {3, "template", kMessage, 0, &kPodTemplateSpec},
    {4, "strategy", kMessage, 0, &kDeploymentStrategy},
    {5, "minReadySeconds", kInt32},
    {6, "revisionHistoryLimit", kInt32, kKeepZero},
    {7, "paused", kBool},
    {9, "progressDeadlineSeconds", kInt32, kKeepZero},
};
constexpr MessageDescriptor kDeploymentSpec{"DeploymentSpec", kDeploymentSpecFields};

constexpr FieldDescriptor kDeploymentConditionFields[] = {
    {1, "type", kString, kKeepZero}, {2, "status", kString, kKeepZero},
    {4, "reason", kString},          {5, "message", kString},
    {6, "lastUpdateTime", kTime},    {7, "lastTransitionTime", kTime},
};
constexpr MessageDescriptor kDeploymentCondition{"DeploymentCondition", kDeploymentConditionFields};

constexpr FieldDescriptor kDeploymentStatusFields[] = {
    {1, "observedGeneration", kInt64},
    {2, "replicas", kInt32},
    {3, "updatedReplicas", kInt32},
    {4, "availableReplicas", kInt32},
    {5, "unavailableReplicas", kInt32},
    {6, "conditions", kMessage, kRepeated, &kDeploymentCondition},
    {7, "readyReplicas", kInt32},
    {8, "collisionCount", kInt32, kKeepZero},
    {9, "terminatingReplicas", kInt32, kKeepZero},
};
constexpr MessageDescriptor kDeploymentStatus{"DeploymentStatus", kDeploymentStatusFields};

constexpr FieldDescriptor kDeploymentFields[] = {
    {1, "metadata", kMessage, 0, &kObjectMeta},
    {2, "spec", kMessage, 0, &kDeploymentSpec},
    {3, "status", kMessage, 0, &kDeploymentStatus},
};

constexpr FieldDescriptor kPodFailurePolicyOnExitCodesRequirementFields[] = {
    {1, "containerName", kString, kKeepZero},
    {2, "operator", kString, kKeepZero},
    {3, "values", kInt32, kRepeated},
};
constexpr MessageDescriptor kPodFailurePolicyOnExitCodesRequirement{
    "PodFailurePolicyOnExitCodesRequirement", kPodFailurePolicyOnExitCodesRequirementFields};

constexpr FieldDescriptor kPodFailurePolicyOnPodConditionsPatternFields[] = {
    {1, "type", kString, kKeepZero},
    {2, "status", kString, kKeepZero},
};
constexpr MessageDescriptor kPodFailurePolicyOnPodConditionsPattern{
    "PodFailurePolicyOnPodConditionsPattern", kPodFailurePolicyOnPodConditionsPatternFields};

constexpr FieldDescriptor kPodFailurePolicyRuleFields[] = {
    {1, "action", kString, kKeepZero},
    {2, "onExitCodes", kMessage, 0, &kPodFailurePolicyOnExitCodesRequirement},
    {3, "onPodConditions", kMessage, kRepeated, &kPodFailurePolicyOnPodConditionsPattern},
};
constexpr MessageDescriptor kPodFailurePolicyRule{"PodFailurePolicyRule",
                                                  kPodFailurePolicyRuleFields};

constexpr FieldDescriptor kPodFailurePolicyFields[] = {
    {1, "rules", kMessage, kRepeated, &kPodFailurePolicyRule},
};
constexpr MessageDescriptor kPodFailurePolicy{"PodFailurePolicy", kPodFailurePolicyFields};

constexpr FieldDescriptor kSuccessPolicyRuleFields[] = {
    {1, "succeededIndexes", kString, kKeepZero},
    {2, "succeededCount", kInt32, kKeepZero},
};
constexpr MessageDescriptor kSuccessPolicyRule{"SuccessPolicyRule", kSuccessPolicyRuleFields};

constexpr FieldDescriptor kSuccessPolicyFields[] = {
    {1, "rules", kMessage, kRepeated, &kSuccessPolicyRule},
};
constexpr MessageDescriptor kSuccessPolicy{"SuccessPolicy", kSuccessPolicyFields};

constexpr FieldDescriptor kJobSpecFields[] = {
    {1, "parallelism", kInt32, kKeepZero},
    {2, "completions", kInt32, kKeepZero},
    {3, "activeDeadlineSeconds", kInt64, kKeepZero},
    {4, "selector", kMessage, 0, &kLabelSelector},
    {5, "manualSelector", kBool, kKeepZero},
    {6, "template", kMessage, 0, &kPodTemplateSpec},
    {7, "backoffLimit", kInt32, kKeepZero},
    {8, "ttlSecondsAfterFinished", kInt32, kKeepZero},
    {9, "completionMode", kString, kKeepZero},
    {10, "suspend", kBool, kKeepZero},
    {11, "podFailurePolicy", kMessage, 0, &kPodFailurePolicy},
    {12, "backoffLimitPerIndex", kInt32, kKeepZero},
    {13, "maxFailedIndexes", kInt32, kKeepZero},
    {14, "podReplacementPolicy", kString, kKeepZero},
    {15, "managedBy", kString, kKeepZero},
    {16, "successPolicy", kMessage, 0, &kSuccessPolicy},
};
constexpr MessageDescriptor kJobSpec{"JobSpec", kJobSpecFields};

constexpr FieldDescriptor kJobConditionFields[] = {
    {1, "type", kString, kKeepZero}, {2, "status", kString, kKeepZero},
    {3, "lastProbeTime", kTime},     {4, "lastTransitionTime", kTime},
    {5, "reason", kString},          {6, "message", kString},
};
constexpr MessageDescriptor kJobCondition{"JobCondition", kJobConditionFields};

constexpr FieldDescriptor kUncountedTerminatedPodsFields[] = {
    {1, "succeeded", kString, kRepeated},
    {2, "failed", kString, kRepeated},
};
constexpr MessageDescriptor kUncountedTerminatedPods{"UncountedTerminatedPods",
                                                     kUncountedTerminatedPodsFields};

constexpr FieldDescriptor kJobStatusFields[] = {
    {1, "conditions", kMessage, kRepeated, &kJobCondition},
    {2, "startTime", kTime},
    {3, "completionTime", kTime},
    {4, "active", kInt32},
    {5, "succeeded", kInt32},
    {6, "failed", kInt32},
    {7, "completedIndexes", kString},
    {8, "uncountedTerminatedPods", kMessage, 0, &kUncountedTerminatedPods},
    {9, "ready", kInt32, kKeepZero},
    {10, "failedIndexes", kString, kKeepZero},
    {11, "terminating", kInt32, kKeepZero},
};
constexpr MessageDescriptor kJobStatus{"JobStatus", kJobStatusFields};

constexpr FieldDescriptor kJobFields[] = {
    {1, "metadata", kMessage, 0, &kObjectMeta},
    {2, "spec", kMessage, 0, &kJobSpec},
    {3, "status", kMessage, 0, &kJobStatus},
};

constexpr FieldDescriptor kJobTemplateSpecFields[] = {
    {1, "metadata", kMessage, 0, &kObjectMeta},
    {2, "spec", kMessage, 0, &kJobSpec},
};
constexpr MessageDescriptor kJobTemplateSpec{"JobTemplateSpec", kJobTemplateSpecFields};

constexpr FieldDescriptor kCronJobSpecFields[] = {
    {1, "schedule", kString, kKeepZero},
    {2, "startingDeadlineSeconds", kInt64, kKeepZero},
    {3, "concurrencyPolicy", kString},
    {4, "suspend", kBool, kKeepZero},
    {5, "jobTemplate", kMessage, 0, &kJobTemplateSpec},
    {6, "successfulJobsHistoryLimit", kInt32, kKeepZero},
    {7, "failedJobsHistoryLimit", kInt32, kKeepZero},
    {8, "timeZone", kString, kKeepZero},
};
constexpr MessageDescriptor kCronJobSpec{"CronJobSpec", kCronJobSpecFields};

constexpr FieldDescriptor kObjectReferenceFields[] = {
    {1, "kind", kString},      {2, "namespace", kString},  {3, "name", kString},
    {4, "uid", kString},       {5, "apiVersion", kString}, {6, "resourceVersion", kString},
    {7, "fieldPath", kString},
};
constexpr MessageDescriptor kObjectReference{"ObjectReference", kObjectReferenceFields};

constexpr FieldDescriptor kCronJobStatusFields[] = {
    {1, "active", kMessage, kRepeated, &kObjectReference},
    {4, "lastScheduleTime", kTime},
    {5, "lastSuccessfulTime", kTime},
};
constexpr MessageDescriptor kCronJobStatus{"CronJobStatus", kCronJobStatusFields};

constexpr FieldDescriptor kCronJobFields[] = {
    {1, "metadata", kMessage, 0, &kObjectMeta},
    {2, "spec", kMessage, 0, &kCronJobSpec},
    {3, "status", kMessage, 0, &kCronJobStatus},
};

constexpr FieldDescriptor kCrossVersionObjectReferenceFields[] = {
    {1, "kind", kString, kKeepZero},
    {2, "name", kString, kKeepZero},
    {3, "apiVersion", kString},
};
constexpr MessageDescriptor kCrossVersionObjectReference{"CrossVersionObjectReference",
                                                         kCrossVersionObjectReferenceFields};

constexpr FieldDescriptor kHorizontalPodAutoscalerSpecFields[] = {
    {1, "scaleTargetRef", kMessage, 0, &kCrossVersionObjectReference},
    {2, "minReplicas", kInt32, kKeepZero},
    {3, "maxReplicas", kInt32, kKeepZero},
    {4, "targetCPUUtilizationPercentage", kInt32, kKeepZero},
};
constexpr MessageDescriptor kHorizontalPodAutoscalerSpec{"HorizontalPodAutoscalerSpec",
                                                         kHorizontalPodAutoscalerSpecFields};

constexpr FieldDescriptor kHorizontalPodAutoscalerStatusFields[] = {
    {1, "observedGeneration", kInt64, kKeepZero},
    {2, "lastScaleTime", kTime},
    {3, "currentReplicas", kInt32, kKeepZero},
    {4, "desiredReplicas", kInt32, kKeepZero},
    {5, "currentCPUUtilizationPercentage", kInt32, kKeepZero},
};
constexpr MessageDescriptor kHorizontalPodAutoscalerStatus{"HorizontalPodAutoscalerStatus",
                                                           kHorizontalPodAutoscalerStatusFields};

constexpr FieldDescriptor kHorizontalPodAutoscalerFields[] = {
    {1, "metadata", kMessage, 0, &kObjectMeta},
    {2, "spec", kMessage, 0, &kHorizontalPodAutoscalerSpec},
    {3, "status", kMessage, 0, &kHorizontalPodAutoscalerStatus},
};

constexpr FieldDescriptor kEvictionFields[] = {
    {1, "metadata", kMessage, 0, &kObjectMeta},
    {2, "deleteOptions", kMessage, 0, &kDeleteOptions},
};

}  // namespace

constinit const MessageDescriptor kDeployment{"Deployment", kDeploymentFields};
constinit const MessageDescriptor kJob{"Job", kJobFields};
constinit const MessageDescriptor kCronJob{"CronJob", kCronJobFields};
constinit const MessageDescriptor kHorizontalPodAutoscaler{"HorizontalPodAutoscaler",
                                                           kHorizontalPodAutoscalerFields};
constinit const MessageDescriptor kEviction{"Eviction", kEvictionFields};

}  // namespace berth::apiserver::protobuf
