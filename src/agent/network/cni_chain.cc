#include "agent/network/cni_chain.h"

#include <spdlog/spdlog.h>

namespace berth::network {
namespace {

using nlohmann::json;

CniCall callFor(const char* command, const PluginConfig& plugin, const CniTarget& target,
                const CniResults& results) {
  json config = plugin.config;
  if (auto it = results.find(plugin.ifname); it != results.end()) {
    config["prevResult"] = it->second;
  }
  return CniCall{command,      plugin.type,   target.containerId,
                 target.netns, plugin.ifname, config.dump()};
}

// DEL of chain[0..last], in reverse order; the first error is returned.
Status delPrefix(CniExec& exec, const std::vector<PluginConfig>& chain, size_t count,
                 const CniTarget& target, const CniResults& results) {
  Status first = ok();
  for (size_t i = count; i-- > 0;) {
    if (auto r = exec.run(callFor("DEL", chain[i], target, results)); !r && first) {
      first = fail(std::move(r.error()));
    }
  }
  return first;
}

}  // namespace

Result<CniResults> addChain(CniExec& exec, const std::vector<PluginConfig>& chain,
                            const CniTarget& target) {
  CniResults results;
  for (size_t i = 0; i < chain.size(); ++i) {
    auto out = exec.run(callFor("ADD", chain[i], target, results));
    Result<json> parsed = out ? json::parse(*out, nullptr, /*allow_exceptions=*/false)
                              : Result<json>(std::unexpected(out.error()));
    if (parsed && (parsed->is_discarded() || !parsed->is_object())) {
      parsed =
          fail(ErrorCode::kInternal, "cni add '{}': result is not a json object", chain[i].type);
    }
    if (!parsed) {
      // The spec lets DEL follow a partial ADD; it is how the failing plugin releases what
      // it had already set up (a veth, an address).
      if (auto s = delPrefix(exec, chain, i + 1, target, results); !s) {
        spdlog::warn("undo of failed cni add for '{}': {}", target.containerId,
                     s.error().message());
      }
      return fail(std::move(parsed.error()));
    }
    results[chain[i].ifname] = std::move(*parsed);
  }
  return results;
}

Status delChain(CniExec& exec, const std::vector<PluginConfig>& chain, const CniTarget& target,
                const CniResults& results) {
  return delPrefix(exec, chain, chain.size(), target, results);
}

}  // namespace berth::network
