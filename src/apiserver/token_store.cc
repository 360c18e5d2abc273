#include "apiserver/token_store.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "base/files.h"
#include "base/random.h"

namespace berth::apiserver {

using nlohmann::json;

std::string nodeUser(const std::string& node) {
  return "system:node:" + node;
}

Result<std::vector<TokenStore::Entry>> TokenStore::load() const {
  std::vector<Entry> entries;
  if (!files::exists(file_)) {
    return entries;
  }
  BERTH_ASSIGN_OR_RETURN(auto text, files::read(file_));
  auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) {
    return fail(ErrorCode::kDataLoss, "token file '{}' is not a JSON array", file_.string());
  }
  for (const auto& item : doc) {
    Entry entry;
    entry.token = item.value("token", "");
    entry.identity.user = item.value("user", "");
    entry.identity.groups = item.value("groups", std::vector<std::string>{});
    if (!entry.token.empty() && !entry.identity.user.empty()) {
      entries.push_back(std::move(entry));
    }
  }
  return entries;
}

void TokenStore::reloadIfChanged() const {
  auto now = std::chrono::steady_clock::now();
  if (now - checked_ < std::chrono::seconds(1) && !entries_.empty()) {
    return;
  }
  checked_ = now;
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(file_, ec);
  if (ec || (mtime == loadedMtime_ && !entries_.empty())) {
    return;
  }
  auto loaded = load();
  if (!loaded) {
    spdlog::warn("tokens: {}", loaded.error().message());
    return;
  }
  entries_ = std::move(*loaded);
  loadedMtime_ = mtime;
}

Result<std::string> TokenStore::ensureToken(const std::string& user,
                                            const std::vector<std::string>& groups) {
  std::lock_guard lock(mu_);
  BERTH_ASSIGN_OR_RETURN(auto entries, load());
  std::string token;
  for (auto& entry : entries) {
    if (entry.identity.user == user) {
      if (entry.identity.groups == groups) {
        return entry.token;
      }
      token = entry.token;  // same token, groups brought up to date
    }
  }
  std::erase_if(entries, [&](const Entry& e) { return e.identity.user == user; });
  if (token.empty()) {
    token = randomHex(32);
  }
  json doc = json::array();
  for (const auto& entry : entries) {
    doc.push_back(
        {{"token", entry.token}, {"user", entry.identity.user}, {"groups", entry.identity.groups}});
  }
  doc.push_back({{"token", token}, {"user", user}, {"groups", groups}});
  BERTH_TRY_STATUS(files::makeDirs(file_.parent_path()));
  BERTH_TRY_STATUS(files::writeAtomic(file_, doc.dump(2) + "\n", 0600));
  checked_ = {};
  entries_.clear();
  return token;
}

std::optional<http::Identity> TokenStore::authenticate(std::string_view token) const {
  std::lock_guard lock(mu_);
  reloadIfChanged();
  std::optional<http::Identity> found;
  for (const auto& entry : entries_) {
    if (http::constantTimeEquals(entry.token, token)) {
      found = entry.identity;
    }
  }
  return found;
}

}  // namespace berth::apiserver
