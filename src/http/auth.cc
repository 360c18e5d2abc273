#include "http/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <strings.h>

namespace berth::http {

bool constantTimeEquals(std::string_view a, std::string_view b) {
  // Compare fixed-size digests so the comparison time does not even depend on where the
  // strings differ in length.
  unsigned char da[SHA256_DIGEST_LENGTH];
  unsigned char db[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(a.data()), a.size(), da);
  SHA256(reinterpret_cast<const unsigned char*>(b.data()), b.size(), db);
  return CRYPTO_memcmp(da, db, sizeof(da)) == 0 && a.size() == b.size();
}

void StaticTokenAuthenticator::addToken(std::string token, Identity identity) {
  tokens_.emplace_back(std::move(token), std::move(identity));
}

std::optional<Identity> StaticTokenAuthenticator::authenticate(std::string_view token) const {
  std::optional<Identity> found;
  for (const auto& [candidate, identity] : tokens_) {
    // No early exit: every entry is compared.
    if (constantTimeEquals(candidate, token) && !found) {
      found = identity;
    }
  }
  return found;
}

std::optional<std::string_view> bearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      strncasecmp(authorization.data(), kScheme.data(), kScheme.size()) != 0) {
    return std::nullopt;
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') {
    token.remove_prefix(1);
  }
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) {
    token.remove_suffix(1);
  }
  if (token.empty()) {
    return std::nullopt;
  }
  return token;
}

}  // namespace berth::http
