#include "agent/image/reference.h"

#include <fmt/format.h>

#include <cctype>
#include <vector>

namespace berth::image {
namespace {

constexpr std::string_view kDockerHub = "docker.io";
constexpr size_t kMaxNameLength = 255;
constexpr size_t kMaxTagLength = 128;

bool isLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool isHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

// A path component: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)*
bool validComponent(std::string_view c) {
  if (c.empty() || !isLowerAlnum(c.front()) || !isLowerAlnum(c.back())) {
    return false;
  }
  for (size_t i = 0; i < c.size();) {
    if (isLowerAlnum(c[i])) {
      i++;
      continue;
    }
    size_t j = i;
    while (j < c.size() && !isLowerAlnum(c[j])) {
      j++;
    }
    std::string_view sep = c.substr(i, j - i);
    bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) {
      return false;
    }
    i = j;
  }
  return true;
}

// host ("a.b-c", "localhost", "[::1]") with an optional ":port".
bool validDomain(std::string_view d) {
  std::string_view host = d;
  if (!d.empty() && d.front() == '[') {
    size_t close = d.find(']');
    if (close == std::string_view::npos) {
      return false;
    }
    for (char c : d.substr(1, close - 1)) {
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':')) {
        return false;
      }
    }
    host = {};
    d = d.substr(close + 1);
    if (!d.empty() && d.front() != ':') {
      return false;
    }
  } else if (size_t colon = d.find(':'); colon != std::string_view::npos) {
    host = d.substr(0, colon);
    d = d.substr(colon);
  } else {
    d = {};
  }
  if (!d.empty()) {  // ":port"
    std::string_view port = d.substr(1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != port.npos) {
      return false;
    }
  }
  size_t start = 0;
  while (start <= host.size() && !host.empty()) {
    size_t dot = host.find('.', start);
    std::string_view label = host.substr(start, dot == host.npos ? host.npos : dot - start);
    if (label.empty() || !std::isalnum(static_cast<unsigned char>(label.front())) ||
        !std::isalnum(static_cast<unsigned char>(label.back()))) {
      return false;
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
        return false;
      }
    }
    if (dot == host.npos) {
      break;
    }
    start = dot + 1;
  }
  return true;
}

bool validTag(std::string_view t) {
  if (t.empty() || t.size() > kMaxTagLength) {
    return false;
  }
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!word(t.front())) {
    return false;
  }
  for (char c : t) {
    if (!word(c) && c != '.' && c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string Reference::str() const {
  std::string out = registry + "/" + repository;
  if (!tag.empty()) {
    out += ":" + tag;
  }
  if (!digest.empty()) {
    out += "@" + digest;
  }
  return out;
}

Result<Reference> Reference::parse(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return fail(ErrorCode::kInvalidArgument, "invalid reference '{}': {}", text, why);
  };
  if (text.empty()) {
    return bad("empty");
  }
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) ||
        !std::isprint(static_cast<unsigned char>(c))) {
      return bad("contains whitespace or control characters");
    }
  }
  Reference ref;
  std::string_view rest = text;

  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    std::string_view digest = rest.substr(at + 1);
    rest = rest.substr(0, at);
    size_t colon = digest.find(':');
    if (colon == std::string_view::npos) {
      return bad("digest must be 'sha256:<64 hex digits>'");
    }
    if (digest.substr(0, colon) != "sha256") {
      return bad(fmt::format("unsupported digest algorithm '{}'", digest.substr(0, colon)));
    }
    std::string_view hex = digest.substr(colon + 1);
    if (hex.size() != 64 || !isHex(hex)) {
      return bad("digest must be 'sha256:<64 hex digits>'");
    }
    ref.digest = std::string(digest);
  }

  // Domain: the first component when it has '.' or ':', is "localhost", or has uppercase.
  std::string_view name = rest;
  std::string_view domain;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view first = rest.substr(0, slash);
    bool upper = false;
    for (char c : first) {
      upper = upper || std::isupper(static_cast<unsigned char>(c));
    }
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost" || upper) {
      domain = first;
      name = rest.substr(slash + 1);
      if (!validDomain(domain)) {
        return bad(fmt::format("invalid registry host '{}'", domain));
      }
    }
  }

  // Tag: after the last ':' of the path (a ':' in the domain was split off above).
  if (size_t colon = name.rfind(':'); colon != std::string_view::npos) {
    std::string_view tag = name.substr(colon + 1);
    name = name.substr(0, colon);
    if (!validTag(tag)) {
      return bad(fmt::format("invalid tag '{}'", tag));
    }
    ref.tag = std::string(tag);
  }

  if (name.empty()) {
    return bad("missing repository");
  }
  size_t start = 0;
  for (;;) {
    size_t slash = name.find('/', start);
    std::string_view component = name.substr(start, slash == name.npos ? name.npos : slash - start);
    if (!validComponent(component)) {
      for (char c : component) {
        if (std::isupper(static_cast<unsigned char>(c))) {
          return bad("repository must be lowercase");
        }
      }
      return bad(fmt::format("invalid repository path component '{}'", component));
    }
    if (slash == name.npos) {
      break;
    }
    start = slash + 1;
  }

  ref.registry = domain.empty() ? std::string(kDockerHub) : std::string(domain);
  if (ref.registry == "index.docker.io" || ref.registry == "registry-1.docker.io") {
    ref.registry = std::string(kDockerHub);
  }
  ref.repository = std::string(name);
  if (ref.registry == kDockerHub && ref.repository.find('/') == std::string::npos) {
    ref.repository = "library/" + ref.repository;
  }
  if (ref.registry.size() + 1 + ref.repository.size() > kMaxNameLength) {
    return bad(fmt::format("name longer than {} characters", kMaxNameLength));
  }
  if (ref.tag.empty() && ref.digest.empty()) {
    ref.tag = "latest";
  }
  return ref;
}

}  // namespace berth::image
