#include "http/request.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace berth::http {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

Result<std::string> percentDecode(std::string_view s, bool plusIsSpace) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) {
        return fail(ErrorCode::kInvalidArgument, "malformed percent-escape in '{}'", s);
      }
      int hi = hexValue(s[i + 1]);
      int lo = hexValue(s[i + 2]);
      if (hi < 0 || lo < 0) {
        return fail(ErrorCode::kInvalidArgument, "malformed percent-escape in '{}'", s);
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plusIsSpace) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string percentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Result<Query> Query::parse(std::string_view raw) {
  Query query;
  while (!raw.empty()) {
    size_t amp = raw.find('&');
    std::string_view item = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (item.empty()) {
      continue;
    }
    size_t eq = item.find('=');
    BERTH_ASSIGN_OR_RETURN(std::string key, percentDecode(item.substr(0, eq), true));
    std::string value;
    if (eq != std::string_view::npos) {
      BERTH_ASSIGN_OR_RETURN(value, percentDecode(item.substr(eq + 1), true));
    }
    query.items_.emplace_back(std::move(key), std::move(value));
  }
  return query;
}

std::optional<std::string> Query::get(std::string_view key) const {
  for (const auto& [k, v] : items_) {
    if (k == key) {
      return v;
    }
  }
  return std::nullopt;
}

std::vector<std::string> Query::all(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : items_) {
    if (k == key) {
      out.push_back(v);
    }
  }
  return out;
}

Result<bool> Query::flag(std::string_view key, bool fallback) const {
  auto value = get(key);
  if (!value) {
    return fallback;
  }
  if (*value == "1" || *value == "true" || *value == "True" || value->empty()) {
    return true;
  }
  if (*value == "0" || *value == "false" || *value == "False") {
    return false;
  }
  return fail(ErrorCode::kInvalidArgument, "invalid value for parameter '{}': '{}'", key, *value);
}

Result<std::optional<long long>> Query::integer(std::string_view key) const {
  auto value = get(key);
  if (!value) {
    return std::optional<long long>();
  }
  long long n = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (ec != std::errc() || end != value->data() + value->size() || value->empty()) {
    return fail(ErrorCode::kInvalidArgument, "invalid value for parameter '{}': '{}'", key, *value);
  }
  return std::optional<long long>(n);
}

std::optional<std::string> Request::header(std::string_view name) const {
  auto it = headers.find(lower(name));
  if (it == headers.end()) {
    return std::nullopt;
  }
  return it->second;
}

const std::string& Request::param(const std::string& name) const {
  static const std::string kEmpty;
  auto it = params.find(name);
  return it == params.end() ? kEmpty : it->second;
}

}  // namespace berth::http
