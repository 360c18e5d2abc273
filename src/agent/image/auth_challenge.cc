#include "agent/image/auth_challenge.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cctype>
#include <nlohmann/json.hpp>

namespace berth::image {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool isTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~/").find(c) != std::string_view::npos;
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  void skipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) {
      i_++;
    }
  }
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  void advance() { i_++; }
  size_t pos() const { return i_; }
  void seek(size_t p) { i_ = p; }
  std::string token() {
    size_t start = i_;
    while (i_ < s_.size() && isTokenChar(s_[i_])) {
      i_++;
    }
    return std::string(s_.substr(start, i_ - start));
  }
  // A quoted-string (with backslash escapes), or else everything up to a comma or space:
  // some servers send unquoted URLs, which are not RFC 7235 tokens.
  std::string value() {
    if (peek() != '"') {
      size_t start = i_;
      while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != ' ' && s_[i_] != '\t') {
        i_++;
      }
      return std::string(s_.substr(start, i_ - start));
    }
    advance();
    std::string out;
    while (!done() && peek() != '"') {
      if (peek() == '\\' && i_ + 1 < s_.size()) {
        advance();
      }
      out += peek();
      advance();
    }
    if (!done()) {
      advance();  // closing quote
    }
    return out;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

std::vector<Challenge> parseWwwAuthenticate(std::string_view header) {
  std::vector<Challenge> out;
  Scanner sc(header);
  while (true) {
    sc.skipSpace();
    while (sc.peek() == ',') {
      sc.advance();
      sc.skipSpace();
    }
    if (sc.done()) {
      break;
    }
    std::string scheme = sc.token();
    if (scheme.empty()) {
      sc.advance();  // garbage: skip a character and resynchronise
      continue;
    }
    Challenge ch;
    ch.scheme = lower(scheme);
    // Parameters: name=value pairs separated by commas, until a name not followed by '='
    // (which starts the next challenge).
    while (true) {
      sc.skipSpace();
      while (sc.peek() == ',') {
        sc.advance();
        sc.skipSpace();
      }
      size_t mark = sc.pos();
      std::string name = sc.token();
      sc.skipSpace();
      if (name.empty() || sc.peek() != '=') {
        sc.seek(mark);
        break;
      }
      sc.advance();
      sc.skipSpace();
      ch.params[lower(name)] = sc.value();
    }
    out.push_back(std::move(ch));
  }
  return out;
}

std::string urlEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

Result<std::string> tokenUrl(const Challenge& challenge, std::string_view defaultScope) {
  auto realm = challenge.params.find("realm");
  if (realm == challenge.params.end() || realm->second.empty()) {
    return fail(ErrorCode::kInvalidArgument, "bearer challenge without realm");
  }
  const std::string& r = realm->second;
  if (r.rfind("https://", 0) != 0 && r.rfind("http://", 0) != 0) {
    return fail(ErrorCode::kInvalidArgument, "bearer realm '{}' is not an http(s) url", r);
  }
  std::string url = r;
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  if (auto service = challenge.params.find("service"); service != challenge.params.end()) {
    url += fmt::format("{}service={}", sep, urlEncode(service->second));
    sep = '&';
  }
  auto scope = challenge.params.find("scope");
  std::string_view scopes =
      scope != challenge.params.end() ? std::string_view(scope->second) : defaultScope;
  while (!scopes.empty()) {
    size_t space = scopes.find(' ');
    std::string_view one = scopes.substr(0, space);
    if (!one.empty()) {
      url += fmt::format("{}scope={}", sep, urlEncode(one));
      sep = '&';
    }
    if (space == std::string_view::npos) {
      break;
    }
    scopes.remove_prefix(space + 1);
  }
  return url;
}

Result<std::string> parseTokenResponse(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return fail(ErrorCode::kUnauthenticated, "token server answered with malformed JSON");
  }
  for (const char* key : {"token", "access_token"}) {
    if (auto it = j.find(key);
        it != j.end() && it->is_string() && !it->get<std::string>().empty()) {
      return it->get<std::string>();
    }
  }
  return fail(ErrorCode::kUnauthenticated, "token server answered without a token");
}

std::string basicAuthorization(std::string_view username, std::string_view password) {
  std::string plain = fmt::format("{}:{}", username, password);
  std::string out(4 * ((plain.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(plain.data()),
                          static_cast<int>(plain.size()));
  out.resize(static_cast<size_t>(n));
  return "Basic " + out;
}

}  // namespace berth::image
