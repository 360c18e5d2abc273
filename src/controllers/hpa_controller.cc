#include "controllers/hpa_controller.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "client/informer.h"

namespace berth::controllers {
namespace {

using client::Resource;
using nlohmann::json;

constexpr const char* kComponent = "horizontal-pod-autoscaler";

std::string namespaceOf(const std::string& key) {
  auto slash = key.find('/');
  return slash == std::string::npos ? "" : key.substr(0, slash);
}

// Kubernetes' setConditionInList: updates the condition of that type (lastTransitionTime only
// when its status changes) or appends it.
void setCondition(json& conditions, const hpa::Condition& c, Clock::WallTime now) {
  if (!conditions.is_array()) {
    conditions = json::array();
  }
  json* existing = nullptr;
  for (json& item : conditions) {
    if (item.value("type", "") == c.type) {
      existing = &item;
      break;
    }
  }
  if (existing == nullptr) {
    conditions.push_back({{"type", c.type}});
    existing = &conditions.back();
  }
  if (existing->value("status", "") != c.status) {
    (*existing)["lastTransitionTime"] = rfc3339(now);
  }
  (*existing)["status"] = c.status;
  (*existing)["reason"] = c.reason;
  (*existing)["message"] = c.message;
}

// Kubernetes' setStatus: a new status keeping lastScaleTime and the conditions.
json makeStatus(const json& old, int64_t generation, int32_t current, int32_t desired,
                const json& metrics, const json& conditions) {
  json status = {{"currentReplicas", current}, {"desiredReplicas", desired}};
  if (old.contains("lastScaleTime")) {
    status["lastScaleTime"] = old["lastScaleTime"];
  }
  if (metrics.is_array() && !metrics.empty()) {
    status["currentMetrics"] = metrics;
  }
  status["conditions"] = conditions.is_array() ? conditions : json::array();
  if (generation > 0) {
    status["observedGeneration"] = generation;
  }
  return status;
}

int32_t intAt(const json& object, const char* a, const char* b) {
  if (!object.contains(a) || !object[a].is_object()) {
    return 0;
  }
  const json& inner = object[a];
  auto it = inner.find(b);
  return it != inner.end() && it->is_number_integer() ? it->get<int32_t>() : 0;
}

// The plural of a scalable kind (the RESTMapper's job in Kubernetes).
std::string pluralOf(const std::string& kind) {
  static const std::map<std::string, std::string> kKnown = {
      {"Deployment", "deployments"},
      {"ReplicaSet", "replicasets"},
      {"StatefulSet", "statefulsets"},
      {"ReplicationController", "replicationcontrollers"}};
  if (auto it = kKnown.find(kind); it != kKnown.end()) {
    return it->second;
  }
  std::string lower = kind;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return std::tolower(ch); });
  return lower + "s";
}

}  // namespace

HpaController::HpaController(client::ApiClient& client, InformerFactory& informers, Clock& clock,
                             HpaControllerOptions options)
    : client_(client),
      clock_(clock),
      options_(std::move(options)),
      metrics_(options_.metricsSource ? options_.metricsSource : apiPodMetricsSource(client)),
      hpas_(informers.informer(Resource::horizontalPodAutoscalers())),
      pods_(informers.informer(Resource::pods())),
      events_(client, clock, kComponent) {
  algorithm_.calculator = {options_.tolerance, options_.cpuInitializationPeriod,
                           options_.delayOfInitialReadinessStatus};
  algorithm_.downscaleStabilizationWindow = options_.downscaleStabilizationWindow;
  hpas_.addHandler({
      .onAdd = [this](const json& hpa) { queue_.add(client::Informer::keyOf(hpa)); },
      .onUpdate =
          [this](const json& oldHpa, const json& newHpa) {
            // Status writes (ours included) wait for the periodic resync; spec changes do not.
            auto generation = [](const json& o) {
              return o.contains("metadata") ? o["metadata"].value("generation", int64_t{0}) : 0;
            };
            if (generation(oldHpa) != generation(newHpa) ||
                oldHpa.value("spec", json()) != newHpa.value("spec", json())) {
              queue_.add(client::Informer::keyOf(newHpa));
            }
          },
      .onDelete = [this](const json& hpa) { queue_.add(client::Informer::keyOf(hpa)); },
  });
}

HpaController::~HpaController() {
  stop();
}

void HpaController::start() {
  if (started_) {
    return;
  }
  started_ = true;
  events_.start();
  for (const json& hpa : hpas_.list()) {
    queue_.add(client::Informer::keyOf(hpa));
  }
  for (int i = 0; i < std::max(options_.workers, 1); ++i) {
    threads_.emplace_back([this] { worker(); });
  }
}

void HpaController::stop() {
  queue_.shutDown();
  for (auto& t : threads_) {
    t.join();
  }
  threads_.clear();
  if (started_) {
    events_.stop();
  }
}

void HpaController::worker() {
  while (auto key = queue_.get()) {
    Status status = sync(*key);
    if (!status) {
      spdlog::warn("hpa '{}': {}", *key, status.error().message());
    }
    if (hpas_.get(*key)) {
      scheduleResync(*key);
    }
    queue_.done(*key);
  }
}

void HpaController::scheduleResync(const std::string& key) {
  // One pending resync per HPA: extra syncs (spec changes) do not start extra chains.
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    auto& next = nextResync_[key];
    if (next > now) {
      return;
    }
    next = now + options_.syncPeriod;
  }
  queue_.addAfter(key, options_.syncPeriod);
}

Result<Resource> HpaController::targetResource(const hpa::HpaSpec& spec,
                                               const std::string& ns) const {
  const std::string& apiVersion = spec.targetApiVersion;
  auto slash = apiVersion.find('/');
  if (apiVersion.empty() ||
      apiVersion.find('/', slash == std::string::npos ? 0 : slash + 1) != std::string::npos) {
    return fail(ErrorCode::kInvalidArgument, "unexpected GroupVersion string: {}", apiVersion);
  }
  Resource r;
  r.group = slash == std::string::npos ? "" : apiVersion.substr(0, slash);
  r.version = slash == std::string::npos ? apiVersion : apiVersion.substr(slash + 1);
  r.resource = pluralOf(spec.targetKind);
  r.namespace_ = ns;
  return r;
}

void HpaController::record(const json& hpa, const std::string& type, const std::string& reason,
                           const std::string& message) {
  json object = hpa;
  object["apiVersion"] = "autoscaling/v2";
  object["kind"] = "HorizontalPodAutoscaler";
  events_.record(object, type, reason, message);
}

Status HpaController::updateStatusIfNeeded(const json& hpa, const json& status) {
  if (hpa.value("status", json::object()) == status) {
    return ok();
  }
  json object = hpa;
  object["status"] = status;
  auto r =
      client_.update(Resource::horizontalPodAutoscalers(namespaceOf(client::Informer::keyOf(hpa))),
                     object, "status");
  if (!r) {
    record(hpa, "Warning", "FailedUpdateStatus", r.error().message());
    return fail(
        std::move(r.error()).wrap("failed to update status for " + client::Informer::keyOf(hpa)));
  }
  return ok();
}

Status HpaController::sync(const std::string& key) {
  auto cached = hpas_.get(key);
  if (!cached) {
    std::lock_guard lock(mu_);
    histories_.erase(key);
    nextResync_.erase(key);
    return ok();
  }
  const json& hpaObject = *cached;
  const std::string ns = namespaceOf(key);
  const Clock::WallTime now = clock_.now();
  const json oldStatus = hpaObject.value("status", json::object());
  const int64_t generation = hpaObject["metadata"].value("generation", int64_t{0});
  json conditions = oldStatus.value("conditions", json::array());

  auto spec = hpa::parseHpaSpec(hpaObject.value("spec", json::object()),
                                options_.downscaleStabilizationWindow);
  if (!spec) {
    return fail(std::move(spec.error()).wrap("hpa '" + key + "'"));
  }
  std::string reference = fmt::format("{}/{}/{}", spec->targetKind, ns, spec->targetName);

  // The target's scale.
  Result<json> scale = fail(ErrorCode::kInternal, "no scale");
  auto target = targetResource(*spec, ns);
  if (target) {
    scale = client_.get(*target, spec->targetName, "scale");
  }
  if (!target || !scale) {
    const Error& error = target ? scale.error() : target.error();
    record(hpaObject, "Warning", "FailedGetScale", error.message());
    setCondition(
        conditions,
        {"AbleToScale", "False", "FailedGetScale",
         "the HPA controller was unable to get the target's current scale: " + error.message()},
        now);
    json status = oldStatus;
    status["conditions"] = conditions;
    if (auto s = updateStatusIfNeeded(hpaObject, status); !s) {
      spdlog::warn("hpa '{}': {}", key, s.error().message());
    }
    return fail(ErrorCode::kUnavailable, "failed to query scale subresource for {}: {}", reference,
                error.message());
  }
  const int32_t current = intAt(*scale, "spec", "replicas");

  hpa::HpaInput input;
  input.spec = &*spec;
  input.currentReplicas = current;
  input.now = now;
  if (scale->contains("status") && (*scale)["status"].is_object()) {
    input.selector = (*scale)["status"].value("selector", "");
  }
  if (hpa::needsMetrics(*spec, current) && !input.selector.empty()) {
    for (const json& pod : pods_.list()) {
      if (pod.contains("metadata") && pod["metadata"].value("namespace", "") == ns) {
        input.pods.push_back(hpa::parsePod(pod));
      }
    }
    input.podMetrics = metrics_->podMetrics(ns, input.selector);
  }

  hpa::HpaDecision decision;
  {
    // One worker holds a key at a time, so the history is only shared with the map's owner.
    std::lock_guard lock(mu_);
    decision = hpa::decide(input, algorithm_, histories_[key]);
  }
  for (const auto& c : decision.conditions) {
    setCondition(conditions, c, now);
  }
  for (const auto& e : decision.events) {
    record(hpaObject, e.type, e.reason, e.message);
  }
  const int32_t oldDesired = oldStatus.value("desiredReplicas", 0);
  if (decision.failed) {
    json status =
        makeStatus(oldStatus, generation, current, oldDesired, decision.currentMetrics, conditions);
    if (auto s = updateStatusIfNeeded(hpaObject, status); !s) {
      spdlog::warn("hpa '{}': {}", key, s.error().message());
    }
    return fail(ErrorCode::kUnavailable,
                "failed to compute desired number of replicas based on listed metrics for {}: {}",
                reference, decision.error);
  }

  if (decision.rescale) {
    json newScale = *scale;
    newScale["spec"]["replicas"] = decision.desiredReplicas;
    auto written = client_.update(*target, newScale, "scale");
    if (!written) {
      const std::string& message = written.error().message();
      record(hpaObject, "Warning", "FailedRescale",
             fmt::format("New size: {}; reason: {}; error: {}", decision.desiredReplicas,
                         decision.rescaleReason, message));
      setCondition(conditions,
                   {"AbleToScale", "False", "FailedUpdateScale",
                    "the HPA controller was unable to update the target scale: " + message},
                   now);
      json status = makeStatus(oldStatus, generation, current, oldDesired, decision.currentMetrics,
                               conditions);
      if (auto s = updateStatusIfNeeded(hpaObject, status); !s) {
        spdlog::warn("hpa '{}': {}", key, s.error().message());
      }
      return fail(ErrorCode::kUnavailable, "failed to rescale {}: {}", reference, message);
    }
    setCondition(conditions,
                 {"AbleToScale", "True", "SucceededRescale",
                  fmt::format("the HPA controller was able to update the target scale to {}",
                              decision.desiredReplicas)},
                 now);
    record(
        hpaObject, "Normal", "SuccessfulRescale",
        fmt::format("New size: {}; reason: {}", decision.desiredReplicas, decision.rescaleReason));
    {
      std::lock_guard lock(mu_);
      hpa::storeScaleEvent(*spec, histories_[key], current, decision.desiredReplicas, now);
    }
    spdlog::info("hpa '{}': rescaled {} from {} to {}: {}", key, reference, current,
                 decision.desiredReplicas, decision.rescaleReason);
  }
  json status = makeStatus(oldStatus, generation, current, decision.desiredReplicas,
                           decision.currentMetrics, conditions);
  if (decision.rescale) {
    status["lastScaleTime"] = rfc3339(now);
  }
  BERTH_TRY_STATUS(updateStatusIfNeeded(hpaObject, status));
  if (!decision.error.empty()) {
    // Some metrics failed, the others were enough to scale on.
    return fail(ErrorCode::kUnavailable, "{}", decision.error);
  }
  return ok();
}

}  // namespace berth::controllers
