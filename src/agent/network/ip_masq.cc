#include "agent/network/ip_masq.h"

#include <openssl/evp.h>

#include "base/process.h"

namespace berth::network {
namespace {

std::string sha512Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha512(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += fmt::format("{:02x}", digest[i]);
  }
  return hex;
}

Result<process::Outcome> iptables(std::vector<std::string> args) {
  args.insert(args.begin(), {"iptables", "-w", "-t", "nat"});
  return process::run(args);
}

}  // namespace

std::string masqChainName(const std::string& network, const std::string& containerId) {
  return "CNI-" + sha512Hex(network + containerId).substr(0, 24);
}

Status teardownIpMasq(const std::string& network, const std::string& containerId,
                      const std::vector<std::string>& ips) {
  std::string chain = masqChainName(network, containerId);
  BERTH_ASSIGN_OR_RETURN(auto listed, iptables({"-S", chain}));
  if (!listed.succeeded()) {
    return ok();  // no such chain: already torn down
  }
  std::string comment = fmt::format("name: \"{}\" id: \"{}\"", network, containerId);
  for (const auto& ip : ips) {
    // Absent jumps are fine (an earlier attempt removed them).
    BERTH_TRY_STATUS(iptables({"-D", "POSTROUTING", "-s", ip + "/32", "-m", "comment", "--comment",
                               comment, "-j", chain}));
  }
  for (const char* op : {"-F", "-X"}) {
    BERTH_ASSIGN_OR_RETURN(auto done, iptables({op, chain}));
    if (!done.succeeded()) {
      return fail(ErrorCode::kInternal, "iptables {} '{}': {}", op, chain, done.describe());
    }
  }
  return ok();
}

}  // namespace berth::network
