#pragma once

// Authentication of node-endpoint callers when the agent is joined to a control plane: the API
// server says who a bearer token belongs to (POST
// /apis/authentication.k8s.io/v1/tokenreviews), and callers in an admitted group (by default
// system:masters, and system:apiserver-proxy: the API server's own identity towards agents) get in.
// Answers are cached by the token's SHA-256 — positive ones for `positiveTtl`, negative ones
// (unknown token, or a user in no admitted group) for `negativeTtl`; a review that failed (server
// unreachable) is not cached. AnyAuthenticator tries several in turn, so that the local
// ROOT/node-token keeps working beside it.

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "client/api_client.h"
#include "http/auth.h"

namespace berth::agent {

struct TokenReviewOptions {
  std::chrono::milliseconds positiveTtl{60'000};
  std::chrono::milliseconds negativeTtl{10'000};
  std::set<std::string> allowedGroups{"system:masters", "system:apiserver-proxy"};
  size_t maxEntries = 1024;
};

class TokenReviewAuthenticator final : public http::Authenticator {
 public:
  // Who `token` is: an Identity, nullopt for an unauthenticated token, an Error when the
  // review could not be made.
  using Reviewer = std::function<Result<std::optional<http::Identity>>(const std::string& token)>;

  TokenReviewAuthenticator(Reviewer reviewer, TokenReviewOptions options, const Clock& clock);

  // The Reviewer that asks the API server through `client` (which must outlive it).
  static Reviewer apiReviewer(client::ApiClient& client);

  // Blocks for the review when the answer is not cached (the API client's timeout bounds it).
  std::optional<http::Identity> authenticate(std::string_view token) const override;

 private:
  struct Cached {
    std::optional<http::Identity> identity;
    Clock::MonoTime expires;
  };

  Reviewer reviewer_;
  TokenReviewOptions options_;
  const Clock& clock_;
  mutable std::mutex mu_;
  mutable std::map<std::string, Cached> cache_;  // by sha256 of the token
};

// The first identity any of `authenticators` finds for a token.
class AnyAuthenticator final : public http::Authenticator {
 public:
  explicit AnyAuthenticator(std::vector<http::AuthenticatorPtr> authenticators)
      : authenticators_(std::move(authenticators)) {}
  std::optional<http::Identity> authenticate(std::string_view token) const override;

 private:
  std::vector<http::AuthenticatorPtr> authenticators_;
};

}  // namespace berth::agent
