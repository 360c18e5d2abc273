#pragma once

// Invoking a chain of CNI plugins the way a runtime runs a conflist (CNI spec 1.0.0): ADD in
// order, each plugin of the same interface receiving the previous one's result as prevResult;
// DEL in reverse order, each receiving the interface's final ADD result as prevResult.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/network/cni_config.h"
#include "agent/network/cni_exec.h"
#include "base/error.h"

namespace berth::network {

// The final ADD result of each interface of the chain, by interface name ("lo", "eth0").
using CniResults = std::map<std::string, nlohmann::json>;

struct CniTarget {
  std::string containerId;
  std::string netns;  // empty for DEL when the namespace is gone
};

// Runs ADD for every plugin in order. If a plugin fails, DEL is run for it and for every
// plugin before it (reverse order, errors ignored: the ADD error is the one reported), so
// nothing is left attached. Errors: the failing plugin's error; kInternal if a result is not
// JSON.
Result<CniResults> addChain(CniExec& exec, const std::vector<PluginConfig>& chain,
                            const CniTarget& target);

// Runs DEL for every plugin in reverse order with the cached `results` as prevResult (missing
// entries: no prevResult). Continues past failures so as much as possible is released, and
// returns the first error.
Status delChain(CniExec& exec, const std::vector<PluginConfig>& chain, const CniTarget& target,
                const CniResults& results);

}  // namespace berth::network
