#pragma once

// What was attached at create, kept in the sandbox directory so destroy and inspect work after
// an agent restart and DEL gets the exact configuration and prevResult of the ADD (the CNI
// spec asks runtimes to cache both). Written atomically before ADD (without results, so an
// interrupted ADD can still be deleted) and again after it.

#include <filesystem>
#include <string>
#include <vector>

#include "agent/network/cni_chain.h"
#include "agent/network/cni_config.h"
#include "base/error.h"

namespace berth::network {

struct CniCache {
  std::string containerId;
  std::string netns;
  std::vector<PluginConfig> chain;
  CniResults results;  // empty until ADD succeeded
};

std::string encodeCache(const CniCache& cache);

// Errors: kDataLoss when the text is not a cache written by encodeCache.
Result<CniCache> decodeCache(const std::string& text);

// Errors: kNotFound when the file does not exist; kDataLoss when it is not a cache.
Result<CniCache> loadCache(const std::filesystem::path& path);
Status saveCache(const std::filesystem::path& path, const CniCache& cache);

}  // namespace berth::network
