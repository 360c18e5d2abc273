#pragma once

// Builders of Pod/Node JSON for scheduler tests, and a clock the test advances by hand.

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "base/clock.h"

namespace berth::scheduler::testing {

using nlohmann::json;

class FakeClock final : public Clock {
 public:
  WallTime now() const override {
    return WallTime(std::chrono::seconds(1'800'000'000)) + elapsed();
  }
  MonoTime monotonic() const override { return MonoTime(std::chrono::hours(1)) + elapsed(); }
  void advance(std::chrono::milliseconds d) { ms_ += d.count(); }

 private:
  std::chrono::milliseconds elapsed() const { return std::chrono::milliseconds(ms_.load()); }
  std::atomic<int64_t> ms_{0};
};

// A pod with one container requesting `cpu`/`memory` (omitted when empty).
inline json makePod(const std::string& name, const std::string& cpu = "",
                    const std::string& memory = "") {
  json requests = json::object();
  if (!cpu.empty()) {
    requests["cpu"] = cpu;
  }
  if (!memory.empty()) {
    requests["memory"] = memory;
  }
  return {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", name},
        {"namespace", "default"},
        {"uid", "uid-" + name},
        {"creationTimestamp", "2026-01-01T00:00:00Z"}}},
      {"spec",
       {{"schedulerName", "default-scheduler"},
        {"containers",
         json::array(
             {{{"name", "c"}, {"image", "busybox"}, {"resources", {{"requests", requests}}}}})}}},
      {"status", {{"phase", "Pending"}}}};
}

inline json makeNode(const std::string& name, const std::string& cpu = "4",
                     const std::string& memory = "8Gi", const std::string& pods = "110") {
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", name}, {"labels", {{"kubernetes.io/hostname", name}}}}},
          {"spec", json::object()},
          {"status",
           {{"allocatable",
             {{"cpu", cpu}, {"memory", memory}, {"pods", pods}, {"ephemeral-storage", "100Gi"}}},
            {"conditions", json::array({{{"type", "Ready"}, {"status", "True"}}})}}}};
}

inline json withTaint(json node, const std::string& key, const std::string& value,
                      const std::string& effect) {
  node["spec"]["taints"].push_back({{"key", key}, {"value", value}, {"effect", effect}});
  return node;
}

inline json boundTo(json pod, const std::string& node) {
  pod["spec"]["nodeName"] = node;
  pod["status"]["phase"] = "Running";
  return pod;
}

}  // namespace berth::scheduler::testing
