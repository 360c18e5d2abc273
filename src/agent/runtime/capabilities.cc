#include "agent/runtime/capabilities.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "base/files.h"

namespace berth::runtime {
namespace {

// Index = capability bit (linux/capability.h), up to CAP_CHECKPOINT_RESTORE (kernel 5.9+).
constexpr std::array<std::string_view, 41> kNames = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

bool isAll(std::string_view name) {
  std::string upper;
  for (char c : name) {
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return upper == "ALL" || upper == "CAP_ALL";
}

}  // namespace

Result<std::string> canonicalCapability(std::string_view name) {
  std::string upper;
  for (char c : name) {
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (!upper.starts_with("CAP_")) {
    upper = "CAP_" + upper;
  }
  if (capabilityBit(upper) < 0) {
    return fail(ErrorCode::kInvalidArgument, "unknown capability '{}'", name);
  }
  return upper;
}

int capabilityBit(std::string_view canonical) {
  auto it = std::find(kNames.begin(), kNames.end(), canonical);
  return it == kNames.end() ? -1 : static_cast<int>(it - kNames.begin());
}

const std::vector<std::string>& defaultCapabilities() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
      "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
      "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
      "CAP_KILL",    "CAP_AUDIT_WRITE",
  };
  return caps;
}

std::vector<std::string> capabilitiesInMask(uint64_t mask) {
  std::vector<std::string> out;
  for (size_t bit = 0; bit < kNames.size(); ++bit) {
    if (mask & (uint64_t{1} << bit)) {
      out.emplace_back(kNames[bit]);
    }
  }
  return out;
}

uint64_t processBoundingSet() {
  auto status = files::read("/proc/self/status");
  if (!status) {
    return ~uint64_t{0};
  }
  auto pos = status->find("CapBnd:");
  if (pos == std::string::npos) {
    return ~uint64_t{0};
  }
  return std::strtoull(status->c_str() + pos + 7, nullptr, 16);
}

Result<std::vector<std::string>> containerCapabilities(const std::vector<std::string>& add,
                                                       const std::vector<std::string>& drop,
                                                       bool privileged, uint64_t available) {
  uint64_t set = 0;
  if (privileged) {
    set = available;
  } else {
    for (const auto& name : defaultCapabilities()) {
      set |= uint64_t{1} << capabilityBit(name);
    }
  }
  for (const auto& name : drop) {
    if (isAll(name)) {
      set = 0;
      continue;
    }
    BERTH_ASSIGN_OR_RETURN(std::string canonical, canonicalCapability(name));
    set &= ~(uint64_t{1} << capabilityBit(canonical));
  }
  for (const auto& name : add) {
    if (isAll(name)) {
      set |= available;
      continue;
    }
    BERTH_ASSIGN_OR_RETURN(std::string canonical, canonicalCapability(name));
    uint64_t bit = uint64_t{1} << capabilityBit(canonical);
    if (!(available & bit)) {
      return fail(ErrorCode::kInvalidArgument,
                  "capability '{}' is not available to the runtime on this node", canonical);
    }
    set |= bit;
  }
  // The defaults may include capabilities this node lacks; a runtime cannot grant them.
  set &= available;
  return capabilitiesInMask(set);
}

}  // namespace berth::runtime
