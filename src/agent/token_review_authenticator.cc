#include "agent/token_review_authenticator.h"

#include <spdlog/spdlog.h>

#include "base/sha256.h"

namespace berth::agent {

TokenReviewAuthenticator::TokenReviewAuthenticator(Reviewer reviewer, TokenReviewOptions options,
                                                   const Clock& clock)
    : reviewer_(std::move(reviewer)), options_(std::move(options)), clock_(clock) {}

TokenReviewAuthenticator::Reviewer TokenReviewAuthenticator::apiReviewer(
    client::ApiClient& client) {
  return [&client](const std::string& token) -> Result<std::optional<http::Identity>> {
    nlohmann::json review = {
        {"apiVersion", "authentication.k8s.io/v1"},
        {"kind", "TokenReview"},
        {"spec", {{"token", token}}},
    };
    client::Resource resource{"authentication.k8s.io", "v1", "tokenreviews", ""};
    BERTH_ASSIGN_OR_RETURN(auto reply, client.create(resource, review));
    const auto status = reply.value("status", nlohmann::json::object());
    if (!status.is_object() || !status.value("authenticated", false)) {
      return std::optional<http::Identity>();
    }
    http::Identity identity;
    auto user = status.value("user", nlohmann::json::object());
    if (user.is_object()) {
      identity.user = user.value("username", "");
      if (user.contains("groups") && user["groups"].is_array()) {
        for (const auto& g : user["groups"]) {
          if (g.is_string()) {
            identity.groups.push_back(g.get<std::string>());
          }
        }
      }
    }
    return std::optional<http::Identity>(std::move(identity));
  };
}

std::optional<http::Identity> TokenReviewAuthenticator::authenticate(std::string_view token) const {
  if (token.empty()) {
    return std::nullopt;
  }
  std::string key = Sha256::digestOf(token);
  auto now = clock_.monotonic();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second.expires > now) {
      return it->second.identity;
    }
  }
  auto reviewed = reviewer_(std::string(token));
  if (!reviewed) {
    spdlog::warn("token review: {}", reviewed.error().message());
    return std::nullopt;
  }
  std::optional<http::Identity> admitted;
  if (*reviewed) {
    for (const auto& g : (*reviewed)->groups) {
      if (options_.allowedGroups.contains(g)) {
        admitted = **reviewed;
        break;
      }
    }
    if (!admitted) {
      spdlog::info("node endpoint: user '{}' is in no admitted group", (*reviewed)->user);
    }
  }
  std::lock_guard lock(mu_);
  if (cache_.size() >= options_.maxEntries) {
    std::erase_if(cache_, [&](const auto& kv) { return kv.second.expires <= now; });
    if (cache_.size() >= options_.maxEntries) {
      cache_.clear();
    }
  }
  auto ttl = admitted ? options_.positiveTtl : options_.negativeTtl;
  cache_[key] = Cached{admitted, now + ttl};
  return admitted;
}

std::optional<http::Identity> AnyAuthenticator::authenticate(std::string_view token) const {
  for (const auto& a : authenticators_) {
    if (a) {
      if (auto identity = a->authenticate(token)) {
        return identity;
      }
    }
  }
  return std::nullopt;
}

}  // namespace berth::agent
