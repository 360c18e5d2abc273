#pragma once

// Running one CNI plugin (the protocol of the CNI spec 1.0.0: environment + config on stdin,
// result or error JSON on stdout). An interface so the chain logic can be tested with a fake.

#include <filesystem>
#include <memory>
#include <string>

#include "base/error.h"

namespace berth::network {

struct CniCall {
  std::string command;  // "ADD" or "DEL"
  std::string type;     // the plugin executable's name
  std::string containerId;
  std::string netns;  // CNI_NETNS; may be empty for DEL when the namespace is gone
  std::string ifname;
  std::string config;  // the stdin JSON
};

class CniExec {
 public:
  virtual ~CniExec() = default;

  // Runs the plugin and returns its stdout (the result JSON for ADD; usually empty for DEL).
  // Errors: kNotFound if the plugin is not installed; the plugin's CNI error message (see
  // parseCniError) if it failed; kDeadlineExceeded if it hung. Thread-safe.
  virtual Result<std::string> run(const CniCall& call) = 0;
};

using CniExecPtr = std::unique_ptr<CniExec>;

// Runs plugins from `pluginDir` (also CNI_PATH, so bridge finds host-local there).
CniExecPtr makeCniExec(std::filesystem::path pluginDir);

}  // namespace berth::network
