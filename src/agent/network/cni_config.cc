#include "agent/network/cni_config.h"

namespace berth::network {
namespace {

using nlohmann::json;

json base(const NetworkConfig& config, const std::string& type) {
  return json{{"cniVersion", kCniVersion}, {"name", config.name}, {"type", type}};
}

// The address part of "10.88.0.5/16".
std::string stripPrefix(const std::string& cidr) {
  return cidr.substr(0, cidr.find('/'));
}

}  // namespace

json portMappingJson(const PortMapping& port) {
  json m{{"hostPort", port.hostPort},
         {"containerPort", port.containerPort},
         {"protocol", port.protocol.empty() ? "tcp" : port.protocol}};
  if (!port.hostIP.empty()) {
    m["hostIP"] = port.hostIP;
  }
  return m;
}

std::vector<PluginConfig> buildPluginChain(const NetworkConfig& config,
                                           const std::vector<PortMapping>& ports) {
  std::vector<PluginConfig> chain;
  chain.push_back({"loopback", "lo", base(config, "loopback")});

  json ipam{{"type", "host-local"},
            {"ranges", json::array({json::array({json{{"subnet", config.subnet}}})})},
            {"routes", json::array({json{{"dst", "0.0.0.0/0"}}})}};
  if (!config.ipamDataDir.empty()) {
    ipam["dataDir"] = config.ipamDataDir.string();
  }
  json bridge = base(config, "bridge");
  bridge["bridge"] = config.bridge;
  bridge["isGateway"] = true;
  // Masquerade is one rule for the whole subnet (subnet_masq.h), not a chain per pod.
  bridge["ipMasq"] = false;
  // Lets a pod reach itself through its own Service/host port.
  bridge["hairpinMode"] = true;
  bridge["mtu"] = config.mtu;
  bridge["ipam"] = std::move(ipam);
  chain.push_back({"bridge", "eth0", std::move(bridge)});

  if (!ports.empty()) {
    json portmap = base(config, "portmap");
    portmap["capabilities"] = json{{"portMappings", true}};
    // SNAT makes hairpin and localhost-originated connections to host ports work.
    portmap["snat"] = true;
    json mappings = json::array();
    for (const auto& p : ports) {
      mappings.push_back(portMappingJson(p));
    }
    portmap["runtimeConfig"] = json{{"portMappings", std::move(mappings)}};
    chain.push_back({"portmap", "eth0", std::move(portmap)});
  }
  return chain;
}

Result<CniAddress> parseAddResult(const std::string& resultJson, const std::string& ifname) {
  json result = json::parse(resultJson, nullptr, /*allow_exceptions=*/false);
  if (result.is_discarded() || !result.is_object()) {
    return fail(ErrorCode::kInternal, "cni result is not a json object");
  }
  const json& ips = result.value("ips", json::array());
  const json& interfaces = result.value("interfaces", json::array());
  if (!ips.is_array() || !interfaces.is_array()) {
    return fail(ErrorCode::kInternal, "cni result: 'ips' or 'interfaces' is not an array");
  }
  auto isOurs = [&](const json& ip) {
    if (!ip.contains("interface")) {
      return true;
    }
    const json& idx = ip["interface"];
    if (!idx.is_number_unsigned() || idx.get<size_t>() >= interfaces.size()) {
      return false;
    }
    return interfaces[idx.get<size_t>()].value("name", "") == ifname;
  };
  auto isV4 = [](const json& ip) {
    return ip.is_object() && ip.value("address", "").find(':') == std::string::npos &&
           !ip.value("address", "").empty();
  };
  const json* chosen = nullptr;
  for (const auto& ip : ips) {
    if (isV4(ip) && isOurs(ip)) {
      chosen = &ip;
      break;
    }
  }
  if (chosen == nullptr) {
    for (const auto& ip : ips) {
      if (isV4(ip)) {
        chosen = &ip;
        break;
      }
    }
  }
  if (chosen == nullptr) {
    return fail(ErrorCode::kInternal, "cni result has no ipv4 address for '{}'", ifname);
  }
  return CniAddress{stripPrefix(chosen->value("address", "")), chosen->value("gateway", "")};
}

Error parseCniError(const std::string& out, const std::string& fallback) {
  json e = json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (e.is_discarded() || !e.is_object() || !e.contains("msg") || !e["msg"].is_string()) {
    return Error(ErrorCode::kInternal, fallback);
  }
  std::string message = e["msg"].get<std::string>();
  if (e.contains("details") && e["details"].is_string() &&
      !e["details"].get<std::string>().empty()) {
    message += ": " + e["details"].get<std::string>();
  }
  int code = e.contains("code") && e["code"].is_number_integer() ? e["code"].get<int>() : 0;
  return Error(code == 11 ? ErrorCode::kUnavailable : ErrorCode::kInternal, message);
}

}  // namespace berth::network
