#pragma once

// A simulated cluster for Deployment controller tests: planSync's writes are applied to
// in-memory ReplicaSets, and their pods are created and become available tick by tick (the
// ReplicaSet controller and kubelet's part), so a whole rollout can be driven step by step.

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/clock.h"
#include "controllers/deployment_sync.h"
#include "controllers/deployment_util.h"

namespace berth::controllers::deployment::testing {

using nlohmann::json;

inline json makeDeployment(int replicas, const std::string& image, json maxSurge = "25%",
                           json maxUnavailable = "25%") {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata",
           {{"name", "web"}, {"namespace", "default"}, {"uid", "d-uid"}, {"generation", 1}}},
          {"spec",
           {{"replicas", replicas},
            {"selector", {{"matchLabels", {{"app", "web"}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", "web"}}}}},
              {"spec", {{"containers", json::array({{{"name", "c"}, {"image", image}}})}}}}},
            {"strategy",
             {{"type", "RollingUpdate"},
              {"rollingUpdate", {{"maxSurge", maxSurge}, {"maxUnavailable", maxUnavailable}}}}},
            {"progressDeadlineSeconds", 600},
            {"revisionHistoryLimit", 10}}}};
}

class Sim {
 public:
  explicit Sim(json deployment) : d(std::move(deployment)) {}

  // Changes the Deployment's spec (bumps the generation as the API server does).
  template <typename F>
  void editSpec(F f) {
    f(d["spec"]);
    d["metadata"]["generation"] = d["metadata"]["generation"].get<int64_t>() + 1;
  }
  void setImage(const std::string& image) {
    editSpec([&](json& spec) { spec["template"]["spec"]["containers"][0]["image"] = image; });
  }

  SyncPlan step() {
    SyncPlan plan =
        planSync({.deployment = d, .replicaSets = rss, .podsByReplicaSet = pods, .now = now});
    apply(plan);
    return plan;
  }

  void apply(const SyncPlan& plan) {
    for (const auto& w : plan.writes) {
      std::string name = w.object["metadata"]["name"];
      if (w.kind == ReplicaSetWrite::Kind::kCreate) {
        json rs = w.object;
        rs["metadata"]["uid"] = "rs-uid-" + std::to_string(++uids_);
        rs["metadata"]["creationTimestamp"] = rfc3339(now);
        rs["metadata"]["generation"] = 1;
        rs["metadata"]["resourceVersion"] = "1";
        rs["status"] = {{"observedGeneration", 1}};
        rss.push_back(rs);
      } else if (w.kind == ReplicaSetWrite::Kind::kUpdate) {
        for (auto& rs : rss) {
          if (rs["metadata"]["name"] == name) {
            json status = rs["status"];
            int64_t generation = rs["metadata"]["generation"];
            if (rs["spec"] != w.object["spec"]) {
              ++generation;
            }
            rs = w.object;
            rs["metadata"]["generation"] = generation;
            rs["status"] = status;
            rs["status"]["observedGeneration"] = generation;
          }
        }
      } else {
        std::erase_if(rss, [&](const json& rs) { return rs["metadata"]["name"] == name; });
        deleted.push_back(name);
      }
      if (w.event) {
        events.push_back(*w.event);
      }
    }
    if (plan.revision) {
      d["metadata"]["annotations"][kRevisionAnnotation] = *plan.revision;
    }
    if (plan.status) {
      d["status"] = *plan.status;
    }
    settle();
  }

  // Pods follow spec.replicas at once; scale-down removes unavailable pods first.
  void settle() {
    for (auto& rs : rss) {
      int replicas = rs["spec"]["replicas"];
      int available = rs["status"].value("availableReplicas", 0);
      rs["status"]["replicas"] = replicas;
      rs["status"]["availableReplicas"] = std::min(available, replicas);
      rs["status"]["readyReplicas"] = std::min(available, replicas);
    }
  }

  // One more pod of each ReplicaSet becomes available (when `healthy` says its template runs).
  void tick(const std::function<bool(const json& rs)>& healthy = nullptr) {
    now += std::chrono::seconds(5);
    for (auto& rs : rss) {
      if (healthy && !healthy(rs)) {
        continue;
      }
      int replicas = rs["spec"]["replicas"];
      int available = rs["status"].value("availableReplicas", 0);
      rs["status"]["availableReplicas"] = std::min(available + 1, replicas);
      rs["status"]["readyReplicas"] = std::min(available + 1, replicas);
    }
  }

  json* find(const std::string& name) {
    for (auto& rs : rss) {
      if (rs["metadata"]["name"] == name) {
        return &rs;
      }
    }
    return nullptr;
  }

  bool complete() const { return deploymentComplete(d, d.value("status", json::object())); }

  json d;
  std::vector<json> rss;
  std::map<std::string, std::vector<json>> pods;
  Clock::WallTime now = std::chrono::system_clock::from_time_t(1'800'000'000);
  std::vector<DeploymentEvent> events;
  std::vector<std::string> deleted;

 private:
  int uids_ = 0;
};

}  // namespace berth::controllers::deployment::testing
