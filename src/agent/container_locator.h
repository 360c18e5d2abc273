#pragma once

// How the node's HTTP endpoint (logs, exec) finds a container of a pod. The pod sync loop
// implements it; the endpoint only reads.

#include <filesystem>
#include <optional>
#include <string>

#include "base/error.h"

namespace berth::agent {

struct ContainerLocation {
  std::string podUid;
  std::string container;          // resolved name (the first container when none was asked)
  std::filesystem::path dir;      // runtime::ContainerSpec::dir of the current instance
  std::filesystem::path logPath;  // CRI log of the current (or last) instance
  std::optional<std::filesystem::path> previousLogPath;  // the instance before, if any
  bool running = false;
};

class ContainerLocator {
 public:
  virtual ~ContainerLocator() = default;
  // kNotFound naming what is missing: "pod 'default/web' not found",
  // "container 'x' is not valid for pod 'web'". An empty `container` picks the first one.
  virtual Result<ContainerLocation> locate(const std::string& namespace_, const std::string& pod,
                                           const std::string& container) = 0;
};

}  // namespace berth::agent
