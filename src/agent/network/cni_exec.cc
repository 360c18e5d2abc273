#include "agent/network/cni_exec.h"

#include <chrono>

#include "agent/network/cni_config.h"
#include "base/files.h"
#include "base/process.h"

namespace berth::network {
namespace {

// A plugin that has not answered by then is stuck (e.g. on the xtables lock); ADD and DEL
// normally take well under 100 ms (host.md §5).
constexpr std::chrono::seconds kPluginTimeout{60};

class ProcessCniExec : public CniExec {
 public:
  explicit ProcessCniExec(std::filesystem::path pluginDir) : pluginDir_(std::move(pluginDir)) {}

  Result<std::string> run(const CniCall& call) override {
    std::filesystem::path plugin = pluginDir_ / call.type;
    if (!files::exists(plugin)) {
      return fail(ErrorCode::kNotFound, "cni plugin '{}' not found", plugin.string());
    }
    process::Options options;
    options.env = {{"CNI_COMMAND", call.command},     {"CNI_CONTAINERID", call.containerId},
                   {"CNI_NETNS", call.netns},         {"CNI_IFNAME", call.ifname},
                   {"CNI_PATH", pluginDir_.string()}, {"CNI_ARGS", ""}};
    // Plugins look up iptables/ip6tables in PATH; keep the caller's PATH but nothing of the
    // caller's CNI_* variables.
    options.inheritEnv = true;
    options.input = call.config;
    options.timeout = kPluginTimeout;
    std::string what = fmt::format("cni {} '{}'", call.command == "ADD" ? "add" : "del", call.type);
    auto outcome = process::run({plugin.string()}, options);
    if (!outcome) {
      return fail(std::move(outcome.error()).wrap(what));
    }
    if (!outcome->succeeded()) {
      return fail(parseCniError(outcome->out, outcome->describe()).wrap(what));
    }
    return std::move(outcome->out);
  }

 private:
  std::filesystem::path pluginDir_;
};

}  // namespace

CniExecPtr makeCniExec(std::filesystem::path pluginDir) {
  return std::make_unique<ProcessCniExec>(std::move(pluginDir));
}

}  // namespace berth::network
