#include "agent/network/cni_cache.h"

#include "base/files.h"

namespace berth::network {
namespace {

using nlohmann::json;

constexpr int kCacheVersion = 1;

}  // namespace

std::string encodeCache(const CniCache& cache) {
  json chain = json::array();
  for (const auto& p : cache.chain) {
    chain.push_back(json{{"type", p.type}, {"ifname", p.ifname}, {"config", p.config}});
  }
  json results = json::object();
  for (const auto& [ifname, r] : cache.results) {
    results[ifname] = r;
  }
  return json{{"version", kCacheVersion},
              {"containerId", cache.containerId},
              {"netns", cache.netns},
              {"chain", std::move(chain)},
              {"results", std::move(results)}}
      .dump(2);
}

Result<CniCache> decodeCache(const std::string& text) {
  try {
    json j = json::parse(text);
    if (j.at("version").get<int>() != kCacheVersion) {
      return fail(ErrorCode::kDataLoss, "cni cache version {} not supported",
                  j.at("version").dump());
    }
    CniCache cache;
    cache.containerId = j.at("containerId").get<std::string>();
    cache.netns = j.at("netns").get<std::string>();
    for (const auto& p : j.at("chain")) {
      cache.chain.push_back(PluginConfig{p.at("type").get<std::string>(),
                                         p.at("ifname").get<std::string>(), p.at("config")});
    }
    for (const auto& [ifname, r] : j.at("results").items()) {
      cache.results[ifname] = r;
    }
    return cache;
  } catch (const json::exception& e) {
    return fail(ErrorCode::kDataLoss, "cni cache: {}", e.what());
  }
}

Result<CniCache> loadCache(const std::filesystem::path& path) {
  if (!files::exists(path)) {
    return fail(ErrorCode::kNotFound, "no cni cache '{}'", path.string());
  }
  BERTH_ASSIGN_OR_RETURN(std::string text, files::read(path));
  auto cache = decodeCache(text);
  if (!cache) {
    return fail(std::move(cache.error()).wrap(fmt::format("read '{}'", path.string())));
  }
  return cache;
}

Status saveCache(const std::filesystem::path& path, const CniCache& cache) {
  return files::writeAtomic(path, encodeCache(cache), 0600);
}

}  // namespace berth::network
