#include "instances/arm_paths.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace berth::instances {
namespace {

std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) {
      end = path.size();
    }
    if (end > start) {
      out.emplace_back(path.substr(start, end - start));
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

bool armEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<ArmPath> parseArmPath(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.find("//") != std::string_view::npos) {
    return std::nullopt;
  }
  std::vector<std::string> s = segments(path);
  auto is = [&s](size_t i, std::string_view literal) {
    return i < s.size() && armEquals(s[i], literal);
  };
  if (s.size() < 4 || !is(0, "subscriptions")) {
    return std::nullopt;
  }
  ArmPath out;
  out.subscriptionId = s[1];
  size_t i = 2;
  bool scoped = false;
  if (is(2, "resourceGroups")) {
    if (s.size() < 6) {
      return std::nullopt;
    }
    out.resourceGroup = s[3];
    scoped = true;
    i = 4;
  }
  if (!is(i, "providers") || !is(i + 1, "Microsoft.ContainerInstance")) {
    return std::nullopt;
  }
  i += 2;
  const size_t rest = s.size() - i;
  if (rest == 1 && is(i, "meteredUsage")) {
    out.target = ArmTarget::kMeteredUsage;
    return out;
  }
  if (is(i, "containerGroups")) {
    if (rest == 1) {
      out.target = scoped ? ArmTarget::kListByResourceGroup : ArmTarget::kListBySubscription;
      return out;
    }
    if (!scoped) {
      return std::nullopt;
    }
    out.name = s[i + 1];
    if (rest == 2) {
      out.target = ArmTarget::kGroup;
      return out;
    }
    if (rest == 3) {
      if (is(i + 2, "start")) {
        out.target = ArmTarget::kStart;
      } else if (is(i + 2, "stop")) {
        out.target = ArmTarget::kStop;
      } else if (is(i + 2, "restart")) {
        out.target = ArmTarget::kRestart;
      } else {
        return std::nullopt;
      }
      return out;
    }
    if (rest == 5 && is(i + 2, "containers")) {
      out.container = s[i + 3];
      if (is(i + 4, "logs")) {
        out.target = ArmTarget::kLogs;
      } else if (is(i + 4, "exec")) {
        out.target = ArmTarget::kExec;
      } else {
        return std::nullopt;
      }
      return out;
    }
    return std::nullopt;
  }
  if (scoped || !is(i, "locations") || rest < 3) {
    return std::nullopt;
  }
  out.location = s[i + 1];
  if (rest == 4 && is(i + 2, "operations")) {
    out.target = ArmTarget::kOperation;
    out.operationId = s[i + 3];
    return out;
  }
  if (rest != 3) {
    return std::nullopt;
  }
  if (is(i + 2, "usages")) {
    out.target = ArmTarget::kUsages;
  } else if (is(i + 2, "capabilities")) {
    out.target = ArmTarget::kCapabilities;
  } else if (is(i + 2, "cachedImages")) {
    out.target = ArmTarget::kCachedImages;
  } else {
    return std::nullopt;
  }
  return out;
}

}  // namespace berth::instances
