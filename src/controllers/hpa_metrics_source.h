#pragma once

// Where the autoscaler reads pod usage from: the resource metrics API (metrics.k8s.io/v1beta1
// PodMetrics, which the API server fills from the agents' /stats/summary) in production, a fake
// in tests. Thread safety: implementations may be called from any thread.

#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "client/api_client.h"
#include "controllers/hpa_types.h"

namespace berth::controllers {

class PodMetricsSource {
 public:
  virtual ~PodMetricsSource() = default;

  // The metrics of the pods of `ns` matching the label selector `selector` (string form). The
  // error message is shown in the HPA's conditions, worded as Kubernetes' metrics client:
  // "unable to fetch metrics from resource metrics API: <reason>", "no metrics returned from
  // resource metrics API".
  virtual Result<std::vector<hpa::PodMetricsSample>> podMetrics(const std::string& ns,
                                                                const std::string& selector) = 0;
};

// GET /apis/metrics.k8s.io/v1beta1/namespaces/NS/pods?labelSelector=... through `client`,
// which must outlive the source.
std::shared_ptr<PodMetricsSource> apiPodMetricsSource(client::ApiClient& client);

}  // namespace berth::controllers
