#include "apiserver/builtin_types.h"

namespace berth::apiserver {

void registerBuiltinTypes(ResourceRegistry& registry, NowFn now) {
  registry.add(podType(now));
  registry.add(namespaceType(now));
  registry.add(nodeType(now));
  registry.add(eventType(now));
  registry.add(configMapType(now));
  registry.add(secretType(now));
  registry.add(leaseType(now));
  registry.add(deploymentType(now));
  registry.add(replicaSetType(now));
  registry.add(horizontalPodAutoscalerType(now));
  registry.add(horizontalPodAutoscalerV1Type(now));
  registry.add(podMetricsType());
  registry.add(nodeMetricsType());
  registry.add(containerGroupType(now));
  registry.add(meterRecordType(now));
}

}  // namespace berth::apiserver
