#pragma once

// Outbound masquerade for a whole pod subnet: one nftables table per bridge, instead of the
// bridge plugin's `ipMasq`, which adds an iptables chain and a POSTROUTING jump per pod (two
// iptables-nft runs per ADD and per DEL, each reading the whole nat table: the largest CPU
// cost of a pod start).
//
// The table `ip berth-masq-<bridge>` has one chain at the nat postrouting hook (priority
// srcnat) with one rule with the plugin's semantics: traffic from the subnet to anywhere
// outside it, except multicast, leaves with the host's address.
//
//   table ip berth-masq-berth0 {
//     chain postrouting {
//       type nat hook postrouting priority srcnat; policy accept;
//       ip saddr 10.88.0.0/16 ip daddr != 10.88.0.0/16 ip daddr != 224.0.0.0/4 masquerade
//     }
//   }
//
// ensureSubnetMasq and removeSubnetMasq are idempotent and atomic (one nft batch each). Requires
// CAP_NET_ADMIN and `nft`. One subnet per bridge: agents sharing a bridge must use the same pod
// subnet (the last ensure wins).

#include <string>

#include "base/error.h"

namespace berth::network {

// "berth-masq-" + bridge.
std::string subnetMasqTable(const std::string& bridge);

// Creates the table for `bridge` (or replaces its rule) masquerading `subnet` (IPv4 CIDR).
// Errors: kInvalidArgument for a subnet that is not an IPv4 CIDR; kInternal if nft fails.
Status ensureSubnetMasq(const std::string& bridge, const std::string& subnet);

// Deletes the table for `bridge`. Not an error if it does not exist. Errors: kInternal if nft
// fails.
Status removeSubnetMasq(const std::string& bridge);

// Deletes the tables of bridges that no longer exist (left by an agent that was killed and whose
// bridge was then deleted). A table is only made after its bridge (by the first ADD), so a
// table whose bridge is missing is debris. Errors: kInternal if nft fails.
Status sweepOrphanSubnetMasqs();

// True if `bridge` has no ports (no /sys/class/net/<bridge>/brif entries), or does not exist.
bool bridgeIsIdle(const std::string& bridge);

}  // namespace berth::network
