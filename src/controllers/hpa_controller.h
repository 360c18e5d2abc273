#pragma once

// The HorizontalPodAutoscaler controller (Kubernetes' pkg/controller/podautoscaler): every sync
// period, for each autoscaling/v2 HPA it reads the target's scale subresource (autoscaling/v1
// Scale of the Deployment/ReplicaSet/... named by spec.scaleTargetRef), the pods matching the
// scale's status.selector (from the shared pods informer) and their metrics, decides the
// replica count (hpa_algorithm.h), writes the target's scale when it changes (event
// SuccessfulRescale "New size: 4; reason: ...", source "horizontal-pod-autoscaler") and updates
// the HPA's status subresource (currentReplicas, desiredReplicas, lastScaleTime,
// currentMetrics, conditions AbleToScale/ScalingActive/ScalingLimited, observedGeneration)
// when it differs.
//
//   HpaController hpa(client, informers, clock, {});
//   informers.start(); informers.waitForSync(...);
//   hpa.start();
//
// A new HPA (and one whose spec changed) is synced at once; then each HPA is resynced every
// syncPeriod through WorkQueue::addAfter. The recommendations and scale events the
// stabilization windows and scaling policies look back on live in memory, per HPA, as in
// Kubernetes (a restarted controller starts with an empty history).
// Thread safety: start()/stop() from the owner; sync() from any thread.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "client/api_client.h"
#include "client/work_queue.h"
#include "controllers/controller.h"
#include "controllers/event_recorder.h"
#include "controllers/hpa_algorithm.h"
#include "controllers/hpa_metrics_source.h"
#include "controllers/informer_factory.h"

namespace berth::controllers {

struct HpaControllerOptions {
  // --horizontal-pod-autoscaler-sync-period
  std::chrono::milliseconds syncPeriod{15000};
  // --horizontal-pod-autoscaler-tolerance
  double tolerance = 0.1;
  // --horizontal-pod-autoscaler-cpu-initialization-period
  std::chrono::seconds cpuInitializationPeriod{300};
  // --horizontal-pod-autoscaler-initial-readiness-delay
  std::chrono::seconds delayOfInitialReadinessStatus{30};
  // --horizontal-pod-autoscaler-downscale-stabilization: the scale-down window of HPAs without
  // spec.behavior.scaleDown.stabilizationWindowSeconds.
  std::chrono::seconds downscaleStabilizationWindow{300};
  int workers = 1;
  // Null: the metrics.k8s.io API through the controller's client.
  std::shared_ptr<PodMetricsSource> metricsSource;
};

class HpaController final : public Controller {
 public:
  // Registers its handler on the HPA informer and makes sure the pods informer exists.
  // `client`, `informers` and `clock` must outlive the controller.
  HpaController(client::ApiClient& client, InformerFactory& informers, Clock& clock,
                HpaControllerOptions options = {});
  ~HpaController() override;  // stops

  std::string name() const override { return "horizontalpodautoscaling"; }
  void start() override;
  void stop() override;

  // Reconciles the HPA "namespace/name" once. A vanished HPA is not an error (its history is
  // dropped). The error of a failed step (getting the scale, computing the metrics, writing the
  // scale or the status) is returned after the status has recorded it.
  Status sync(const std::string& key);

 private:
  void worker();
  void scheduleResync(const std::string& key);
  // The target's scale subresource collection, from scaleTargetRef.
  Result<client::Resource> targetResource(const hpa::HpaSpec& spec, const std::string& ns) const;
  // PUTs the status when it differs from the cached object's.
  Status updateStatusIfNeeded(const nlohmann::json& hpa, const nlohmann::json& status);
  void record(const nlohmann::json& hpa, const std::string& type, const std::string& reason,
              const std::string& message);

  client::ApiClient& client_;
  Clock& clock_;
  HpaControllerOptions options_;
  hpa::AlgorithmOptions algorithm_;
  std::shared_ptr<PodMetricsSource> metrics_;
  client::Informer& hpas_;
  client::Informer& pods_;
  EventRecorder events_;
  client::WorkQueue queue_;

  std::mutex mu_;  // guards the maps below
  std::map<std::string, hpa::HpaHistory> histories_;
  std::map<std::string, std::chrono::steady_clock::time_point> nextResync_;

  std::vector<std::thread> threads_;
  bool started_ = false;
};

}  // namespace berth::controllers
