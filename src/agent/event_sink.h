#pragma once

// Where the pod sync loop reports what it does to a pod (core/v1 Events when the agent is joined
// to a control plane, nothing for a static-only agent), and the kubelet's wording of each event,
// so that `kubectl describe pod` reads the same as on a Kubernetes node.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "api/pod.h"

namespace berth::agent {

enum class EventType { kNormal, kWarning };

struct PodEvent {
  EventType type = EventType::kNormal;
  std::string reason;   // Pulling, Pulled, Created, Started, Killing, BackOff, Failed, ...
  std::string message;  // as the kubelet writes it
  // The part of the pod concerned: "spec.containers{web}", "spec.initContainers{init}", or
  // empty for the pod as a whole.
  std::string fieldPath;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Records `event` about `pod`. Called from the sync loop's workers (with the pod's lock held):
  // must not block; implementations queue and send on a thread of their own.
  virtual void record(const api::Pod& pod, PodEvent event) = 0;
};

using EventSinkPtr = std::shared_ptr<EventSink>;

// The kubelet's events (pkg/kubelet/events and the places that emit them, Kubernetes 1.32).
namespace events {

// "spec.containers{name}" or "spec.initContainers{name}".
std::string containerFieldPath(const std::string& container, bool init);

// A duration as Go's time.Duration prints it at millisecond precision: "512ms", "1.5s",
// "2m3.004s", "0s".
std::string goDuration(std::chrono::milliseconds d);

// Normal Pulling: Pulling image "busybox:1"
PodEvent pulling(const std::string& fieldPath, const std::string& image);
// Normal Pulled: Successfully pulled image "x" in 1.2s (1.2s including waiting). Image size:
// 1234 bytes.
PodEvent pulled(const std::string& fieldPath, const std::string& image,
                std::chrono::milliseconds took, std::chrono::milliseconds withWaiting,
                int64_t sizeBytes);
// Normal Pulled: Container image "x" already present on machine
PodEvent alreadyPresent(const std::string& fieldPath, const std::string& image);
// Warning ErrImageNeverPull: Container image "x" is not present with pull policy of Never
PodEvent neverPull(const std::string& fieldPath, const std::string& image);
// Warning Failed: Failed to pull image "x": <error>
PodEvent pullFailed(const std::string& fieldPath, const std::string& image,
                    const std::string& error);
// Normal BackOff: Back-off pulling image "x"
PodEvent pullBackOff(const std::string& fieldPath, const std::string& image);
// Warning Failed: Error: <what> (a waiting reason such as ErrImagePull, or an error message)
PodEvent failed(const std::string& fieldPath, const std::string& what);
// Normal Created: Created container: web
PodEvent created(const std::string& fieldPath, const std::string& container);
// Normal Started: Started container web
PodEvent started(const std::string& fieldPath, const std::string& container);
// Normal Killing: Stopping container web
PodEvent killing(const std::string& fieldPath, const std::string& container);
// Warning Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 500
// (`kind` is "Liveness", "Readiness" or "Startup").
PodEvent unhealthy(const std::string& fieldPath, const std::string& kind,
                   const std::string& output);
// Normal Killing: Container web failed liveness probe, will be restarted
PodEvent probeKilling(const std::string& fieldPath, const std::string& container,
                      const std::string& kind);
// Warning BackOff: Back-off restarting failed container web in pod web-1_default(<uid>)
PodEvent crashBackOff(const std::string& fieldPath, const std::string& container,
                      const api::Pod& pod);
// Warning FailedMount: MountVolume.SetUp failed for volume "cfg" : configmap "x" not found
PodEvent failedMount(const std::string& volume, const std::string& error);

}  // namespace events
}  // namespace berth::agent
