#pragma once

// Registry authentication per the distribution spec: parsing WWW-Authenticate challenges and
// bearer-token responses. Pure functions, no I/O.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::image {

struct Challenge {
  std::string scheme;                         // lowercased: "basic", "bearer"
  std::map<std::string, std::string> params;  // keys lowercased, values unquoted
};

// Parses a WWW-Authenticate header value, which may hold several challenges:
//   Bearer realm="https://auth/token",service="registry",scope="repository:a/b:pull"
//   Basic realm="x", Bearer realm="y"
// Malformed parts are skipped; never fails.
std::vector<Challenge> parseWwwAuthenticate(std::string_view header);

// The URL to GET for a bearer token: realm?service=…&scope=… (each scope its own parameter;
// a missing scope becomes `defaultScope`). kInvalidArgument if the challenge has no realm or the
// realm is not http(s).
Result<std::string> tokenUrl(const Challenge& challenge, std::string_view defaultScope);

// The token of a token-server response ({"token": …} or {"access_token": …}).
Result<std::string> parseTokenResponse(std::string_view body);

// "Basic " + base64("user:password").
std::string basicAuthorization(std::string_view username, std::string_view password);

// Percent-encodes everything but unreserved characters (RFC 3986).
std::string urlEncode(std::string_view s);

}  // namespace berth::image
