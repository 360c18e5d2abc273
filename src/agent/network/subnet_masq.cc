#include "agent/network/subnet_masq.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "base/files.h"
#include "base/process.h"

namespace berth::network {
namespace {

// Interface names are at most 15 bytes; nft identifiers take letters, digits, '_', '-', '.'.
Status validateBridge(const std::string& bridge) {
  if (bridge.empty() || bridge.size() > 15) {
    return fail(ErrorCode::kInvalidArgument, "bridge name '{}' is not 1-15 characters", bridge);
  }
  for (char c : bridge) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return fail(ErrorCode::kInvalidArgument, "bridge name '{}' has a character nft refuses",
                  bridge);
    }
  }
  return ok();
}

Status validateSubnet(const std::string& subnet) {
  auto slash = subnet.find('/');
  in_addr address{};
  if (slash == std::string::npos ||
      ::inet_pton(AF_INET, subnet.substr(0, slash).c_str(), &address) != 1) {
    return fail(ErrorCode::kInvalidArgument, "subnet '{}' is not an ipv4 cidr", subnet);
  }
  std::string bits = subnet.substr(slash + 1);
  if (bits.empty() || bits.size() > 2 ||
      !std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(bits) > 32) {
    return fail(ErrorCode::kInvalidArgument, "subnet '{}' is not an ipv4 cidr", subnet);
  }
  return ok();
}

Status nft(const std::string& script) {
  BERTH_ASSIGN_OR_RETURN(auto done, process::run({"nft", script}));
  if (!done.succeeded()) {
    return fail(ErrorCode::kInternal, "nft '{}': {}", script, done.describe());
  }
  return ok();
}

}  // namespace

std::string subnetMasqTable(const std::string& bridge) {
  return "berth-masq-" + bridge;
}

Status ensureSubnetMasq(const std::string& bridge, const std::string& subnet) {
  BERTH_TRY_STATUS(validateBridge(bridge));
  BERTH_TRY_STATUS(validateSubnet(subnet));
  std::string table = "ip " + subnetMasqTable(bridge);
  // Flushing before adding makes a repeat (or a changed subnet) leave exactly one rule.
  return nft(fmt::format(
      "add table {0}; "
      "add chain {0} postrouting {{ type nat hook postrouting priority srcnat; }}; "
      "flush chain {0} postrouting; "
      "add rule {0} postrouting ip saddr {1} ip daddr != {1} ip daddr != 224.0.0.0/4 masquerade",
      table, subnet));
}

Status removeSubnetMasq(const std::string& bridge) {
  BERTH_TRY_STATUS(validateBridge(bridge));
  // nft 1.0.6 has no "destroy": adding first makes the delete succeed when it is absent.
  std::string table = "ip " + subnetMasqTable(bridge);
  return nft(fmt::format("add table {0}; delete table {0}", table));
}

Status sweepOrphanSubnetMasqs() {
  BERTH_ASSIGN_OR_RETURN(auto listed, process::run({"nft", "list", "tables", "ip"}));
  if (!listed.succeeded()) {
    return fail(ErrorCode::kInternal, "nft list tables: {}", listed.describe());
  }
  const std::string prefix = "table ip " + subnetMasqTable("");
  size_t start = 0;
  while (start < listed.out.size()) {
    size_t end = listed.out.find('\n', start);
    if (end == std::string::npos) {
      end = listed.out.size();
    }
    std::string line = listed.out.substr(start, end - start);
    start = end + 1;
    if (line.rfind(prefix, 0) != 0) {
      continue;
    }
    std::string bridge = line.substr(prefix.size());
    if (!files::exists("/sys/class/net/" + bridge)) {
      BERTH_TRY_STATUS(removeSubnetMasq(bridge));
    }
  }
  return ok();
}

bool bridgeIsIdle(const std::string& bridge) {
  auto ports = files::listDir("/sys/class/net/" + bridge + "/brif");
  return !ports || ports->empty();
}

}  // namespace berth::network
