#include "agent/runtime/seccomp_profile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <seccomp.h>

#include "agent/runtime/capabilities.h"

namespace berth::runtime {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::Not;

// Names allowed unconditionally by the profile.
std::vector<std::string> allowedNames(const json& profile) {
  std::vector<std::string> out;
  for (const auto& rule : profile["syscalls"]) {
    if (rule["action"] == "SCMP_ACT_ALLOW" && !rule.contains("args")) {
      for (const auto& n : rule["names"]) {
        out.push_back(n.get<std::string>());
      }
    }
  }
  return out;
}

uint32_t archToken(const std::string& name) {
  if (name == "SCMP_ARCH_X86_64") {
    return SCMP_ARCH_X86_64;
  }
  if (name == "SCMP_ARCH_X86") {
    return SCMP_ARCH_X86;
  }
  if (name == "SCMP_ARCH_X32") {
    return SCMP_ARCH_X32;
  }
  return 0;
}

scmp_compare compareOp(const std::string& op) {
  if (op == "SCMP_CMP_EQ") {
    return SCMP_CMP_EQ;
  }
  if (op == "SCMP_CMP_MASKED_EQ") {
    return SCMP_CMP_MASKED_EQ;
  }
  return _SCMP_CMP_MIN;
}

// Compiles the profile with libseccomp the way crun does (without loading it), so that a
// wrong architecture, syscall name or argument rule fails here rather than at container start.
void compile(const json& profile) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(profile["defaultErrnoRet"].get<int>()));
  ASSERT_NE(ctx, nullptr);
  for (const auto& arch : profile["architectures"]) {
    uint32_t token = archToken(arch.get<std::string>());
    ASSERT_NE(token, 0u) << arch;
    int rc = seccomp_arch_add(ctx, token);
    ASSERT_TRUE(rc == 0 || rc == -EEXIST) << arch;
  }
  for (const auto& rule : profile["syscalls"]) {
    uint32_t action = rule["action"] == "SCMP_ACT_ALLOW"
                          ? SCMP_ACT_ALLOW
                          : SCMP_ACT_ERRNO(rule.value("errnoRet", 1));
    std::vector<scmp_arg_cmp> args;
    for (const auto& a : rule.value("args", json::array())) {
      args.push_back(scmp_arg_cmp{a["index"].get<unsigned>(), compareOp(a["op"]),
                                  a["value"].get<uint64_t>(), a.value("valueTwo", uint64_t{0})});
    }
    for (const auto& n : rule["names"]) {
      int nr = seccomp_syscall_resolve_name(n.get<std::string>().c_str());
      ASSERT_NE(nr, __NR_SCMP_ERROR) << "unknown syscall " << n;
      int rc =
          seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(args.size()), args.data());
      // Some names do not exist on every architecture of the filter; libseccomp skips those.
      EXPECT_TRUE(rc == 0 || rc == -EEXIST || rc == -EDOM) << n << ": " << rc;
    }
  }
  seccomp_release(ctx);
}

TEST(SeccompProfileTest, DefaultProfileShape) {
  json p = defaultSeccompProfile(defaultCapabilities());
  EXPECT_EQ(p["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(p["defaultErrnoRet"], 1);
  EXPECT_EQ(p["architectures"], json({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
  compile(p);
}

TEST(SeccompProfileTest, EveryNameIsKnownToLibseccomp) {
  for (const auto& name : baseAllowedSyscalls()) {
    EXPECT_NE(seccomp_syscall_resolve_name(name.c_str()), __NR_SCMP_ERROR) << name;
  }
}

TEST(SeccompProfileTest, WhatProgramsNeedIsAllowed) {
  auto allowed = allowedNames(defaultSeccompProfile(defaultCapabilities()));
  // busybox sh, httpd, dd, tail, sleep; glibc start-up; a threaded server.
  for (const char* n : {"execve",     "read",       "write",        "openat",    "close",
                        "mmap",       "brk",        "rt_sigaction", "wait4",     "fork",
                        "vfork",      "pipe2",      "dup2",         "socket",    "bind",
                        "listen",     "accept4",    "setsockopt",   "nanosleep", "clock_nanosleep",
                        "newfstatat", "statx",      "getdents64",   "futex",     "set_robust_list",
                        "rseq",       "epoll_wait", "sendfile",     "chroot",    "setuid",
                        "kill"}) {
    EXPECT_THAT(allowed, Contains(n));
  }
}

TEST(SeccompProfileTest, DangerousSyscallsAreBlocked) {
  json p = defaultSeccompProfile(defaultCapabilities());
  auto allowed = allowedNames(p);
  for (const char* n : {"mount",           "umount2",
                        "reboot",          "kexec_load",
                        "kexec_file_load", "init_module",
                        "finit_module",    "bpf",
                        "ptrace",          "unshare",
                        "setns",           "keyctl",
                        "add_key",         "request_key",
                        "swapon",          "swapoff",
                        "pivot_root",      "open_by_handle_at",
                        "userfaultfd",     "clock_settime",
                        "perf_event_open", "clone",
                        "clone3"}) {
    EXPECT_THAT(allowed, Not(Contains(n)));
  }
  // clone only without namespace flags; clone3 reports ENOSYS so glibc falls back to clone.
  bool cloneRule = false, clone3Rule = false;
  for (const auto& rule : p["syscalls"]) {
    if (rule["names"] == json({"clone"})) {
      cloneRule = true;
      EXPECT_EQ(rule["args"][0]["op"], "SCMP_CMP_MASKED_EQ");
      EXPECT_EQ(rule["args"][0]["value"], 0x7E020000);
      EXPECT_EQ(rule["args"][0]["valueTwo"], 0);
    }
    if (rule["names"] == json({"clone3"})) {
      clone3Rule = true;
      EXPECT_EQ(rule["action"], "SCMP_ACT_ERRNO");
      EXPECT_EQ(rule["errnoRet"], 38);
    }
  }
  EXPECT_TRUE(cloneRule);
  EXPECT_TRUE(clone3Rule);
}

TEST(SeccompProfileTest, CapabilitiesUnlockTheirSyscalls) {
  auto caps = defaultCapabilities();
  caps.push_back("CAP_SYS_ADMIN");
  caps.push_back("CAP_SYS_PTRACE");
  json p = defaultSeccompProfile(caps);
  auto allowed = allowedNames(p);
  for (const char* n : {"mount", "umount2", "unshare", "setns", "clone", "ptrace"}) {
    EXPECT_THAT(allowed, Contains(n));
  }
  EXPECT_THAT(allowed, Not(Contains("reboot")));
  compile(p);
}

}  // namespace
}  // namespace berth::runtime
