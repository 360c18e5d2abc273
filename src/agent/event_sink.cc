#include "agent/event_sink.h"

#include <fmt/format.h>

#include <cctype>

namespace berth::agent::events {

std::string containerFieldPath(const std::string& container, bool init) {
  return fmt::format("spec.{}{{{}}}", init ? "initContainers" : "containers", container);
}

std::string goDuration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) {
    return "0s";
  }
  std::string sign = ms < 0 ? "-" : "";
  ms = ms < 0 ? -ms : ms;
  if (ms < 1000) {
    return fmt::format("{}{}ms", sign, ms);
  }
  int64_t hours = ms / 3'600'000;
  int64_t minutes = ms / 60'000 % 60;
  int64_t seconds = ms / 1000 % 60;
  int64_t frac = ms % 1000;
  std::string out = sign;
  if (hours > 0) {
    out += fmt::format("{}h", hours);
  }
  if (hours > 0 || minutes > 0) {
    out += fmt::format("{}m", minutes);
  }
  out += std::to_string(seconds);
  if (frac > 0) {
    // Go trims trailing zeros of the fraction: 1.500s prints as 1.5s.
    std::string f = fmt::format("{:03}", frac);
    while (f.back() == '0') {
      f.pop_back();
    }
    out += "." + f;
  }
  return out + "s";
}

PodEvent pulling(const std::string& fieldPath, const std::string& image) {
  return {EventType::kNormal, "Pulling", fmt::format("Pulling image \"{}\"", image), fieldPath};
}

PodEvent pulled(const std::string& fieldPath, const std::string& image,
                std::chrono::milliseconds took, std::chrono::milliseconds withWaiting,
                int64_t sizeBytes) {
  return {EventType::kNormal, "Pulled",
          fmt::format("Successfully pulled image \"{}\" in {} ({} including waiting). Image size: "
                      "{} bytes.",
                      image, goDuration(took), goDuration(withWaiting), sizeBytes),
          fieldPath};
}

PodEvent alreadyPresent(const std::string& fieldPath, const std::string& image) {
  return {EventType::kNormal, "Pulled",
          fmt::format("Container image \"{}\" already present on machine", image), fieldPath};
}

PodEvent neverPull(const std::string& fieldPath, const std::string& image) {
  return {EventType::kWarning, "ErrImageNeverPull",
          fmt::format("Container image \"{}\" is not present with pull policy of Never", image),
          fieldPath};
}

PodEvent pullFailed(const std::string& fieldPath, const std::string& image,
                    const std::string& error) {
  return {EventType::kWarning, "Failed",
          fmt::format("Failed to pull image \"{}\": {}", image, error), fieldPath};
}

PodEvent pullBackOff(const std::string& fieldPath, const std::string& image) {
  return {EventType::kNormal, "BackOff", fmt::format("Back-off pulling image \"{}\"", image),
          fieldPath};
}

PodEvent failed(const std::string& fieldPath, const std::string& what) {
  return {EventType::kWarning, "Failed", "Error: " + what, fieldPath};
}

PodEvent created(const std::string& fieldPath, const std::string& container) {
  return {EventType::kNormal, "Created", "Created container: " + container, fieldPath};
}

PodEvent started(const std::string& fieldPath, const std::string& container) {
  return {EventType::kNormal, "Started", "Started container " + container, fieldPath};
}

PodEvent unhealthy(const std::string& fieldPath, const std::string& kind,
                   const std::string& output) {
  return PodEvent{EventType::kWarning, "Unhealthy",
                  fmt::format("{} probe failed: {}", kind, output), fieldPath};
}

PodEvent probeKilling(const std::string& fieldPath, const std::string& container,
                      const std::string& kind) {
  std::string lower = kind;
  for (auto& ch : lower) {
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return PodEvent{EventType::kNormal, "Killing",
                  fmt::format("Container {} failed {} probe, will be restarted", container, lower),
                  fieldPath};
}

PodEvent killing(const std::string& fieldPath, const std::string& container) {
  return {EventType::kNormal, "Killing", "Stopping container " + container, fieldPath};
}

PodEvent crashBackOff(const std::string& fieldPath, const std::string& container,
                      const api::Pod& pod) {
  // The kubelet names the pod as format.Pod does: name_namespace(uid).
  return {EventType::kWarning, "BackOff",
          fmt::format("Back-off restarting failed container {} in pod {}_{}({})", container,
                      pod.metadata.name, pod.metadata.namespace_, pod.metadata.uid),
          fieldPath};
}

PodEvent failedMount(const std::string& volume, const std::string& error) {
  return {EventType::kWarning, "FailedMount",
          fmt::format("MountVolume.SetUp failed for volume \"{}\" : {}", volume, error), ""};
}

}  // namespace berth::agent::events
