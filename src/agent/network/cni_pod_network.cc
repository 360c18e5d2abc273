#include "agent/network/cni_pod_network.h"

#include <spdlog/spdlog.h>

#include <mutex>

#include "agent/network/cni_cache.h"
#include "agent/network/cni_chain.h"
#include "agent/network/ip_masq.h"
#include "agent/network/namespaces.h"
#include "agent/network/subnet_masq.h"
#include "base/files.h"

namespace berth::network {
namespace {

namespace fs = std::filesystem;

constexpr char kCacheFile[] = "cni.json";
constexpr char kPodIfname[] = "eth0";

// Caught here rather than as an iptables usage error from deep inside portmap.
Status validatePorts(const std::vector<PortMapping>& ports) {
  for (const auto& p : ports) {
    if (p.hostPort < 1 || p.hostPort > 65535 || p.containerPort < 1 || p.containerPort > 65535) {
      return fail(ErrorCode::kInvalidArgument, "port mapping {} -> {}: ports must be 1-65535",
                  p.hostPort, p.containerPort);
    }
    if (p.protocol != "tcp" && p.protocol != "udp" && p.protocol != "sctp") {
      return fail(ErrorCode::kInvalidArgument,
                  "port mapping {}: protocol '{}' is not 'tcp', 'udp' or 'sctp'", p.hostPort,
                  p.protocol);
    }
  }
  return ok();
}

class CniPodNetwork : public PodNetwork {
 public:
  CniPodNetwork(NetworkConfig config, CniExecPtr exec)
      : config_(std::move(config)), exec_(std::move(exec)) {}

  Result<Sandbox> create(const std::string& id, const fs::path& dir, const std::string& hostname,
                         const std::vector<PortMapping>& ports) override {
    auto sandbox = doCreate(id, dir, hostname, ports);
    if (!sandbox) {
      return fail(std::move(sandbox.error()).wrap(fmt::format("create sandbox '{}'", id)));
    }
    return sandbox;
  }

  Status destroy(const std::string& id, const fs::path& dir,
                 const std::vector<PortMapping>& ports) override {
    fs::path nsDir = sandboxNsDir(dir);
    auto cache = loadCache(nsDir / kCacheFile);
    if (!cache && cache.error().code() != ErrorCode::kNotFound) {
      // Unreadable cache: detach with what the configuration would have been.
      spdlog::warn("sandbox '{}': {}; deleting with the current network config", id,
                   cache.error().message());
      cache = CniCache{id, "", buildPluginChain(config_, ports), {}};
    }
    if (cache) {
      // Without a live namespace, plugins release what lives outside it (addresses, rules).
      NamespaceFiles files = namespaceFiles(nsDir);
      CniTarget target{cache->containerId, isNamespaceFile(files.net) ? files.net.string() : ""};
      Status s = delChain(*exec_, cache->chain, target, cache->results);
      if (s && target.netns.empty()) {
        s = teardownLostMasq(*cache);
      }
      if (!s) {
        // Keep the namespaces and cache so a retry can release the rest.
        return fail(std::move(s.error()).wrap(fmt::format("destroy sandbox '{}'", id)));
      }
      releaseMasqIfIdle(cache->chain);
    }
    // No cache: nothing was ever added (it is written before the first ADD).
    if (auto s = removeNamespaces(nsDir); !s) {
      return fail(std::move(s.error()).wrap(fmt::format("destroy sandbox '{}'", id)));
    }
    return ok();
  }

  Result<Sandbox> inspect(const fs::path& dir) override {
    fs::path nsDir = sandboxNsDir(dir);
    BERTH_ASSIGN_OR_RETURN(CniCache cache, loadCache(nsDir / kCacheFile));
    NamespaceFiles files = namespaceFiles(nsDir);
    for (const auto* f : {&files.net, &files.ipc, &files.uts}) {
      if (!isNamespaceFile(*f)) {
        return fail(ErrorCode::kNotFound, "sandbox in '{}': namespace '{}' is not mounted",
                    dir.string(), f->string());
      }
    }
    auto it = cache.results.find(kPodIfname);
    if (it == cache.results.end()) {
      return fail(ErrorCode::kNotFound, "sandbox in '{}': network attachment not completed",
                  dir.string());
    }
    BERTH_ASSIGN_OR_RETURN(CniAddress address, parseAddResult(it->second.dump(), kPodIfname));
    return Sandbox{files.net, files.ipc, files.uts, address.ip, address.gateway};
  }

 private:
  Result<Sandbox> doCreate(const std::string& id, const fs::path& dir, const std::string& hostname,
                           const std::vector<PortMapping>& ports) {
    BERTH_TRY_STATUS(validatePorts(ports));
    fs::path nsDir = sandboxNsDir(dir);
    fs::path cachePath = nsDir / kCacheFile;
    if (files::exists(cachePath)) {
      return fail(ErrorCode::kAlreadyExists, "a sandbox exists in '{}'", dir.string());
    }
    BERTH_ASSIGN_OR_RETURN(NamespaceFiles ns, createNamespaces(nsDir, hostname));

    CniCache cache{id, ns.net.string(), buildPluginChain(config_, ports), {}};
    auto address = attach(cache, cachePath);
    if (!address) {
      if (auto s = removeNamespaces(nsDir); !s) {
        spdlog::warn("sandbox '{}': undo: {}", id, s.error().message());
      }
      return fail(std::move(address.error()));
    }
    return Sandbox{ns.net, ns.ipc, ns.uts, address->ip, address->gateway};
  }

  // ADD, with the cache written before (so an interrupted ADD can still be deleted) and after
  // (so DEL gets the results). On failure nothing stays attached.
  Result<CniAddress> attach(CniCache& cache, const fs::path& cachePath) {
    BERTH_TRY_STATUS(saveCache(cachePath, cache));
    CniTarget target{cache.containerId, cache.netns};
    BERTH_ASSIGN_OR_RETURN(cache.results, addChain(*exec_, cache.chain, target));
    Result<CniAddress> address = addressOf(cache);
    if (address) {
      if (auto s = ensureMasq(); !s) {
        address = fail(std::move(s.error()));
      }
    }
    if (address) {
      if (auto s = saveCache(cachePath, cache); !s) {
        address = fail(std::move(s.error()));
      }
    }
    if (!address) {
      (void)delChain(*exec_, cache.chain, target, cache.results);
      releaseMasqIfIdle(cache.chain);
    }
    return address;
  }

  // Installs the subnet's masquerade once per process (and again after releaseMasqIfIdle
  // removed it); the first time, also removes the tables of bridges that are gone. Called after the
  // ADD, so that a concurrent release either sees this sandbox's veth on the bridge or has finished
  // before this runs.
  Status ensureMasq() {
    std::lock_guard lock(masqMu_);
    if (!masqSwept_) {
      masqSwept_ = true;
      if (auto s = sweepOrphanSubnetMasqs(); !s) {
        spdlog::warn("remove masquerade of deleted bridges: {}", s.error().message());
      }
    }
    if (!masqInstalled_) {
      BERTH_TRY_STATUS(ensureSubnetMasq(config_.bridge, config_.subnet));
      masqInstalled_ = true;
    }
    return ok();
  }

  // After a DEL: removes the subnet masquerade of the sandbox's bridge (from its cached chain,
  // which may predate a config change) once no sandbox is left on it. Sandboxes made with the
  // plugin's per-pod ipMasq had no subnet rule.
  void releaseMasqIfIdle(const std::vector<PluginConfig>& chain) {
    for (const auto& plugin : chain) {
      if (plugin.type != "bridge" || plugin.config.value("ipMasq", false)) {
        continue;
      }
      std::string bridge = plugin.config.value("bridge", "");
      std::lock_guard lock(masqMu_);
      if (bridge.empty() || !bridgeIsIdle(bridge)) {
        continue;
      }
      if (auto s = removeSubnetMasq(bridge); !s) {
        spdlog::warn("bridge '{}': remove masquerade: {}", bridge, s.error().message());
        continue;
      }
      if (bridge == config_.bridge) {
        masqInstalled_ = false;
      }
    }
  }

  // The bridge plugin skips its masquerade teardown without a namespace (ip_masq.h).
  static Status teardownLostMasq(const CniCache& cache) {
    auto result = cache.results.find(kPodIfname);
    if (result == cache.results.end()) {
      return ok();
    }
    for (const auto& plugin : cache.chain) {
      if (plugin.type != "bridge" || !plugin.config.value("ipMasq", false)) {
        continue;
      }
      std::vector<std::string> ips;
      for (const auto& ip : result->second.value("ips", nlohmann::json::array())) {
        std::string address = ip.value("address", "");
        if (!address.empty() && address.find(':') == std::string::npos) {
          ips.push_back(address.substr(0, address.find('/')));
        }
      }
      BERTH_TRY_STATUS(teardownIpMasq(plugin.config.value("name", ""), cache.containerId, ips));
    }
    return ok();
  }

  static Result<CniAddress> addressOf(const CniCache& cache) {
    auto it = cache.results.find(kPodIfname);
    if (it == cache.results.end()) {
      return fail(ErrorCode::kInternal, "no cni result for '{}'", kPodIfname);
    }
    return parseAddResult(it->second.dump(), kPodIfname);
  }

  const NetworkConfig config_;
  const CniExecPtr exec_;
  std::mutex masqMu_;
  bool masqInstalled_ = false;  // guarded by masqMu_
  bool masqSwept_ = false;      // guarded by masqMu_
};

}  // namespace

fs::path sandboxNsDir(const fs::path& dir) {
  return dir / "ns";
}

PodNetworkPtr makeCniPodNetwork(NetworkConfig config, CniExecPtr exec) {
  return std::make_unique<CniPodNetwork>(std::move(config), std::move(exec));
}

PodNetworkPtr makeCniPodNetwork(NetworkConfig config) {
  CniExecPtr exec = makeCniExec(config.pluginDir);
  return makeCniPodNetwork(std::move(config), std::move(exec));
}

}  // namespace berth::network
