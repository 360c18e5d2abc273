#include <cctype>

#include "instances/group_validation.h"

namespace berth::instances {
namespace {

bool isLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool isDnsLabelLike(std::string_view s, size_t minLen, size_t maxLen) {
  if (s.size() < minLen || s.size() > maxLen) {
    return false;
  }
  for (char c : s) {
    if (!isLowerAlnum(c) && c != '-') {
      return false;
    }
  }
  return s.front() != '-' && s.back() != '-';
}

}  // namespace

bool isValidContainerGroupName(std::string_view name) {
  return isDnsLabelLike(name, 1, 63) && name.find("--") == std::string_view::npos;
}

bool isValidContainerName(std::string_view name) {
  // ACI's message gives the regex '[a-z0-9]([-a-z0-9]*[a-z0-9])?', which allows "--" (ACI has
  // accepted container names like "single--container--aci").
  return isDnsLabelLike(name, 1, 63);
}

bool isValidDnsNameLabel(std::string_view label) {
  return isDnsLabelLike(label, 5, 63);
}

bool isValidEnvironmentVariableName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) {
    return false;
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return true;
}

ArmError invalidGroupNameError(std::string_view name) {
  return ArmError{400, "InvalidContainerGroupName",
                  fmt::format("The container group name '{}' is invalid. A container group name "
                              "must be 1 to 63 characters long, contain only lowercase letters, "
                              "numbers and '-', must not start or end with '-' and must not "
                              "contain '--'.",
                              name)};
}

}  // namespace berth::instances
