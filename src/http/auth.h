#pragma once

// Who is calling: bearer-token authentication (`Authorization: Bearer <token>`).
// Tokens are secrets: never log them, and compare them in constant time.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::http {

struct Identity {
  std::string user;                 // "system:admin", "system:node:n1"
  std::vector<std::string> groups;  // "system:masters", ...
};

// Pluggable so that the API server can later back tokens by ServiceAccount secrets.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The identity the token stands for, or nullopt when it is unknown.
  // Implementations must be thread-safe (called from every io thread).
  virtual std::optional<Identity> authenticate(std::string_view token) const = 0;
};

using AuthenticatorPtr = std::shared_ptr<const Authenticator>;

// A fixed table of tokens. Every lookup compares against every entry in constant time per
// entry, so timing reveals neither a token nor how much of one matched.
class StaticTokenAuthenticator final : public Authenticator {
 public:
  void addToken(std::string token, Identity identity);
  std::optional<Identity> authenticate(std::string_view token) const override;

 private:
  std::vector<std::pair<std::string, Identity>> tokens_;
};

// Constant-time equality of two strings (time depends only on the lengths).
bool constantTimeEquals(std::string_view a, std::string_view b);

// The token of an "Authorization" header value ("Bearer abc" -> "abc"); nullopt when the
// scheme is not Bearer (case-insensitive) or the token is empty.
std::optional<std::string_view> bearerToken(std::string_view authorization);

}  // namespace berth::http
