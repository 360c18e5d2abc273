#pragma once

// Linux capability names and the set a container gets.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::runtime {

// "CAP_NET_ADMIN" for "NET_ADMIN", "net_admin" or "CAP_NET_ADMIN"; kInvalidArgument naming the
// input when it is not a capability this code knows.
Result<std::string> canonicalCapability(std::string_view name);

// The bit of a canonical capability name, or -1.
int capabilityBit(std::string_view canonical);

// The default set of a non-privileged container (Docker's and containerd's), canonical names.
const std::vector<std::string>& defaultCapabilities();

// Every capability whose bit is set in `mask` (e.g. the CapBnd of this process), in bit order.
std::vector<std::string> capabilitiesInMask(uint64_t mask);

// The bounding set of the calling process (CapBnd of /proc/self/status); all ones if unreadable.
uint64_t processBoundingSet();

// The set a container runs with: the default set (or all of `available` when privileged), minus
// `drop`, plus `add`; "ALL" in drop empties the set first, "ALL" in add adds all of `available`.
// Capabilities outside `available` cannot be granted by a runtime running without them:
// kInvalidArgument naming the first such capability. Result is sorted by bit.
Result<std::vector<std::string>> containerCapabilities(const std::vector<std::string>& add,
                                                       const std::vector<std::string>& drop,
                                                       bool privileged, uint64_t available);

}  // namespace berth::runtime
