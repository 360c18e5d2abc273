#pragma once

// Removing the bridge plugin's masquerade rules for a sandbox whose network namespace is gone.
//
// bridge 1.1.1 DEL only tears down ipMasq when it can find the addresses inside the namespace;
// with CNI_NETNS empty (namespace lost, e.g. its mount was removed behind the agent's back) it
// releases the address but leaves the per-sandbox NAT chain behind. This reproduces the
// plugin's TeardownIPMasq: the chain is "CNI-" + the first 24 hex digits of
// sha512(network name + container id), jumped to from POSTROUTING for each pod address.

#include <string>
#include <vector>

#include "base/error.h"

namespace berth::network {

// The NAT chain name the CNI plugins use for (network, container id).
std::string masqChainName(const std::string& network, const std::string& containerId);

// Deletes the POSTROUTING jumps for `ips` (IPv4, no prefix) and the chain itself, through
// iptables (the backend the plugins use). Not an error if the chain does not exist.
// Errors: kInternal if iptables fails on an existing chain.
Status teardownIpMasq(const std::string& network, const std::string& containerId,
                      const std::vector<std::string>& ips);

}  // namespace berth::network
