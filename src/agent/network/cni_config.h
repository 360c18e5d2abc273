#pragma once

// The CNI network configurations Berth hands to the plugins (CNI spec 1.0.0) and the parsing of
// what the plugins answer. Pure functions on JSON: no I/O.
//
// The attachment is the equivalent of this conflist, one plugin per entry, in ADD order:
//   loopback                      (lo up in the sandbox)
//   bridge + host-local IPAM      (eth0 on the bridge, an address from the subnet; no ipMasq:
//                                 the subnet's masquerade is one rule, see subnet_masq.h)
//   portmap                       (only when host ports are requested)
// loopback is a separate attachment in CNI terms (ifname "lo"), but it lives and dies with the
// sandbox, so it is kept in the same chain.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/network/pod_network.h"
#include "base/error.h"

namespace berth::network {

inline constexpr char kCniVersion[] = "1.0.0";

// One plugin of the chain: its full stdin config (without prevResult, which is added at call
// time) and the interface name it is invoked with (CNI_IFNAME).
struct PluginConfig {
  std::string type;  // the plugin executable: "loopback", "bridge", "portmap"
  std::string ifname;
  nlohmann::json config;
};

// The chain for a sandbox with these host ports, in ADD order. `config.subnet` must be an IPv4
// CIDR; host-local picks the gateway (the subnet's first address).
std::vector<PluginConfig> buildPluginChain(const NetworkConfig& config,
                                           const std::vector<PortMapping>& ports);

// The runtimeConfig.portMappings entry for one mapping, as the portmap plugin expects it.
nlohmann::json portMappingJson(const PortMapping& port);

// What a successful ADD result says about the pod's interface.
struct CniAddress {
  std::string ip;       // "10.88.0.5" (no prefix length)
  std::string gateway;  // "10.88.0.1"; empty if the result names none
};

// Parses a CNI 1.0.0 result: the first IPv4 address assigned to the interface named `ifname`
// (or with no interface index, or the first address at all as a last resort). Errors:
// kInternal when the text is not JSON or holds no address.
Result<CniAddress> parseAddResult(const std::string& resultJson, const std::string& ifname);

// The Error for a failed plugin run. `out` is the plugin's stdout, which per the spec holds
// `{"code": N, "msg": "...", "details": "..."}`; the message is "msg: details" (or just msg).
// Falls back to `fallback` (e.g. the exit status and stderr) when stdout is not a CNI error.
// Code 11 (try again later) maps to kUnavailable, anything else to kInternal.
Error parseCniError(const std::string& out, const std::string& fallback);

}  // namespace berth::network
