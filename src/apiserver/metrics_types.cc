// The metrics.k8s.io/v1beta1 resource types: names for discovery and OpenAPI only. Their
// objects live in the MetricsCache and are served by metrics_routes.cc.

#include "apiserver/builtin_types.h"

namespace berth::apiserver {

namespace {

ResourceType metricsType(std::string resource, std::string kind, std::string singular,
                         bool namespaced) {
  ResourceType t;
  t.group = "metrics.k8s.io";
  t.version = "v1beta1";
  t.resource = std::move(resource);
  t.kind = std::move(kind);
  t.singular = std::move(singular);
  t.namespaced = namespaced;
  t.verbs = {"get", "list"};
  return t;
}

}  // namespace

ResourceType podMetricsType() {
  return metricsType("pods", "PodMetrics", "", true);
}

ResourceType nodeMetricsType() {
  return metricsType("nodes", "NodeMetrics", "", false);
}

}  // namespace berth::apiserver
