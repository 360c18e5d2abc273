#include "controllers/hpa_metrics_source.h"

namespace berth::controllers {
namespace {

class ApiPodMetricsSource final : public PodMetricsSource {
 public:
  explicit ApiPodMetricsSource(client::ApiClient& client) : client_(client) {}

  Result<std::vector<hpa::PodMetricsSample>> podMetrics(const std::string& ns,
                                                        const std::string& selector) override {
    auto list = client_.list(client::Resource::podMetrics(ns), {.labelSelector = selector});
    if (!list) {
      return fail(
          std::move(list.error()).wrap("unable to fetch metrics from resource metrics API"));
    }
    auto items = list->find("items");
    if (items == list->end() || !items->is_array() || items->empty()) {
      return fail(ErrorCode::kUnavailable, "no metrics returned from resource metrics API");
    }
    std::vector<hpa::PodMetricsSample> out;
    for (const auto& item : *items) {
      auto sample = hpa::parsePodMetrics(item);
      if (!sample) {
        return fail(
            std::move(sample.error()).wrap("unable to fetch metrics from resource metrics API"));
      }
      out.push_back(std::move(*sample));
    }
    return out;
  }

 private:
  client::ApiClient& client_;
};

}  // namespace

std::shared_ptr<PodMetricsSource> apiPodMetricsSource(client::ApiClient& client) {
  return std::make_shared<ApiPodMetricsSource>(client);
}

}  // namespace berth::controllers
