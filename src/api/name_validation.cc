#include "api/name_validation.h"

#include <arpa/inet.h>

#include <string>

namespace berth::api {
namespace {

constexpr std::string_view kDns1123LabelMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character";
constexpr std::string_view kDns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view kDns1123SubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";
constexpr std::string_view kDns1123SubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr std::string_view kQualifiedNameMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr std::string_view kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr std::string_view kLabelValueMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character";
constexpr std::string_view kLabelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
constexpr std::string_view kEnvVarMsg =
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', "
    "or '.', and must not start with a digit";
constexpr std::string_view kEnvVarFmt = "[-._a-zA-Z][-._a-zA-Z0-9]*";
constexpr std::string_view kConfigMapKeyMsg =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
constexpr std::string_view kConfigMapKeyFmt = "[-._a-zA-Z0-9]+";

// validation.RegexError: msg (e.g. 'a', or 'b', regex used for validation is 'fmt').
std::string regexError(std::string_view msg, std::string_view fmt,
                       std::initializer_list<std::string_view> examples) {
  std::string out(msg);
  out += " (e.g. ";
  bool first = true;
  for (auto e : examples) {
    if (!first) {
      out += " or ";
    }
    first = false;
    out += "'";
    out += e;
    out += "', ";
  }
  out += "regex used for validation is '";
  out += fmt;
  out += "')";
  return out;
}

std::string maxLenError(size_t n) {
  return "must be no more than " + std::to_string(n) + " characters";
}

bool isLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool isAlnum(char c) {
  return isLowerAlnum(c) || (c >= 'A' && c <= 'Z');
}
bool isAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool matchesDnsLabel(std::string_view v) {
  if (v.empty() || !isLowerAlnum(v.front()) || !isLowerAlnum(v.back())) {
    return false;
  }
  for (char c : v) {
    if (!isLowerAlnum(c) && c != '-') {
      return false;
    }
  }
  return true;
}

bool matchesDnsSubdomain(std::string_view v) {
  size_t start = 0;
  while (true) {
    size_t dot = v.find('.', start);
    if (!matchesDnsLabel(v.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) {
      return true;
    }
    start = dot + 1;
  }
}

bool matchesQualifiedName(std::string_view v) {
  if (v.empty() || !isAlnum(v.front()) || !isAlnum(v.back())) {
    return false;
  }
  for (char c : v) {
    if (!isAlnum(c) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

// hasChDirPrefix: names that would be directory navigation when used as file names.
void addChDirErrors(std::string_view v, std::vector<std::string>& errs) {
  if (v == ".") {
    errs.emplace_back("must not be '.'");
  } else if (v == "..") {
    errs.emplace_back("must not be '..'");
  } else if (v.starts_with("..")) {
    errs.emplace_back("must not start with '..'");
  }
}

}  // namespace

std::vector<std::string> isDns1123Label(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 63) {
    errs.push_back(maxLenError(63));
  }
  if (!matchesDnsLabel(value)) {
    errs.push_back(regexError(kDns1123LabelMsg, kDns1123LabelFmt, {"my-name", "123-abc"}));
  }
  return errs;
}

std::vector<std::string> isDns1123Subdomain(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 253) {
    errs.push_back(maxLenError(253));
  }
  if (!matchesDnsSubdomain(value)) {
    errs.push_back(regexError(kDns1123SubdomainMsg, kDns1123SubdomainFmt, {"example.com"}));
  }
  return errs;
}

std::vector<std::string> isQualifiedName(std::string_view value) {
  std::vector<std::string> errs;
  std::string_view name = value;
  size_t slash = value.find('/');
  if (slash != std::string_view::npos) {
    if (value.find('/', slash + 1) != std::string_view::npos) {
      errs.push_back(
          "a qualified name " +
          regexError(kQualifiedNameMsg, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}) +
          " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return errs;
    }
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errs.emplace_back("prefix part must be non-empty");
    } else {
      for (auto& msg : isDns1123Subdomain(prefix)) {
        errs.push_back("prefix part " + msg);
      }
    }
  }
  if (name.empty()) {
    errs.emplace_back("name part must be non-empty");
  } else if (name.size() > 63) {
    errs.push_back("name part " + maxLenError(63));
  }
  if (!matchesQualifiedName(name)) {
    errs.push_back("name part " + regexError(kQualifiedNameMsg, kQualifiedNameFmt,
                                             {"MyName", "my.name", "123-abc"}));
  }
  return errs;
}

std::vector<std::string> isValidLabelValue(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 63) {
    errs.push_back(maxLenError(63));
  }
  if (!value.empty() && !matchesQualifiedName(value)) {
    errs.push_back(regexError(kLabelValueMsg, kLabelValueFmt, {"MyValue", "my_value", "12345"}));
  }
  return errs;
}

std::vector<std::string> isValidPortName(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 15) {
    errs.push_back(maxLenError(15));
  }
  bool charset = !value.empty();
  bool letter = false;
  for (char c : value) {
    if (!isLowerAlnum(c) && c != '-') {
      charset = false;
    }
    if (c >= 'a' && c <= 'z') {
      letter = true;
    }
  }
  if (!charset) {
    errs.emplace_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  } else if (!letter) {
    errs.emplace_back("must contain at least one letter (a-z)");
  }
  if (value.find("--") != std::string_view::npos) {
    errs.emplace_back("must not contain consecutive hyphens");
  }
  if (!value.empty() && (value.front() == '-' || value.back() == '-')) {
    errs.emplace_back("must not begin or end with a hyphen");
  }
  return errs;
}

std::vector<std::string> isValidPortNum(int64_t port) {
  if (port >= 1 && port <= 65535) {
    return {};
  }
  return {"must be between 1 and 65535, inclusive"};
}

std::vector<std::string> isEnvVarName(std::string_view value) {
  std::vector<std::string> errs;
  bool ok = !value.empty() &&
            (isAlpha(value[0]) || value[0] == '-' || value[0] == '.' || value[0] == '_');
  for (char c : value) {
    if (!isAlnum(c) && c != '-' && c != '.' && c != '_') {
      ok = false;
    }
  }
  if (!ok) {
    errs.push_back(
        regexError(kEnvVarMsg, kEnvVarFmt, {"my.env-name", "MY_ENV.NAME", "MyEnvName1"}));
  }
  addChDirErrors(value, errs);
  return errs;
}

std::vector<std::string> isConfigMapKey(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 253) {
    errs.push_back(maxLenError(253));
  }
  bool ok = !value.empty();
  for (char c : value) {
    if (!isAlnum(c) && c != '-' && c != '.' && c != '_') {
      ok = false;
    }
  }
  if (!ok) {
    errs.push_back(
        regexError(kConfigMapKeyMsg, kConfigMapKeyFmt, {"key.name", "KEY_NAME", "key-name"}));
  }
  addChDirErrors(value, errs);
  return errs;
}

std::vector<std::string> isValidUserId(int64_t id) {
  if (id >= 0 && id <= 2147483647) {
    return {};
  }
  return {"must be between 0 and 2147483647, inclusive"};
}

std::vector<std::string> isValidGroupId(int64_t id) {
  return isValidUserId(id);
}

std::vector<std::string> isValidIp(std::string_view value) {
  std::string s(value);
  unsigned char buf[sizeof(struct in6_addr)];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    return {};
  }
  return {"must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"};
}

}  // namespace berth::api
