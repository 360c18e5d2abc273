#include "agent/runtime/seccomp_bpf.h"

#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "base/base64.h"

namespace berth::runtime {
namespace {

using nlohmann::json;

Result<uint32_t> action(const std::string& name, int errnoRet) {
  if (name == "SCMP_ACT_ALLOW") {
    return SCMP_ACT_ALLOW;
  }
  if (name == "SCMP_ACT_ERRNO") {
    return SCMP_ACT_ERRNO(static_cast<uint16_t>(errnoRet));
  }
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") {
    return SCMP_ACT_KILL_THREAD;
  }
  if (name == "SCMP_ACT_KILL_PROCESS") {
    return SCMP_ACT_KILL_PROCESS;
  }
  if (name == "SCMP_ACT_TRAP") {
    return SCMP_ACT_TRAP;
  }
  if (name == "SCMP_ACT_LOG") {
    return SCMP_ACT_LOG;
  }
  if (name == "SCMP_ACT_TRACE") {
    return SCMP_ACT_TRACE(static_cast<uint16_t>(errnoRet));
  }
  return fail(ErrorCode::kInvalidArgument, "seccomp: unknown action '{}'", name);
}

Result<scmp_compare> compareOp(const std::string& op) {
  static const std::map<std::string, scmp_compare> ops = {
      {"SCMP_CMP_NE", SCMP_CMP_NE},
      {"SCMP_CMP_LT", SCMP_CMP_LT},
      {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ},
      {"SCMP_CMP_GE", SCMP_CMP_GE},
      {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
  };
  auto it = ops.find(op);
  if (it == ops.end()) {
    return fail(ErrorCode::kInvalidArgument, "seccomp: unknown operator '{}'", op);
  }
  return it->second;
}

Result<uint32_t> arch(const std::string& name) {
  static const std::map<std::string, uint32_t> arches = {
      {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64}, {"SCMP_ARCH_X86", SCMP_ARCH_X86},
      {"SCMP_ARCH_X32", SCMP_ARCH_X32},       {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
      {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
  };
  auto it = arches.find(name);
  if (it == arches.end()) {
    return fail(ErrorCode::kInvalidArgument, "seccomp: unknown architecture '{}'", name);
  }
  return it->second;
}

class Filter {
 public:
  explicit Filter(uint32_t defaultAction) : ctx_(seccomp_init(defaultAction)) {}
  ~Filter() {
    if (ctx_) {
      seccomp_release(ctx_);
    }
  }
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;
  scmp_filter_ctx get() const { return ctx_; }

 private:
  scmp_filter_ctx ctx_;
};

Result<std::string> compile(const json& profile) {
  int defaultErrno = profile.value("defaultErrnoRet", 1);
  BERTH_ASSIGN_OR_RETURN(uint32_t defaultAction,
                         action(profile.value("defaultAction", ""), defaultErrno));
  Filter filter(defaultAction);
  if (!filter.get()) {
    return fail(ErrorCode::kInternal, "seccomp: cannot create a filter");
  }
  for (const auto& a : profile.value("architectures", json::array())) {
    BERTH_ASSIGN_OR_RETURN(uint32_t token, arch(a.get<std::string>()));
    int rc = seccomp_arch_add(filter.get(), token);
    if (rc != 0 && rc != -EEXIST) {
      return fail(errnoError(-rc, fmt::format("seccomp: add architecture '{}'", a.dump())));
    }
  }
  for (const auto& rule : profile.value("syscalls", json::array())) {
    BERTH_ASSIGN_OR_RETURN(uint32_t act,
                           action(rule.value("action", ""), rule.value("errnoRet", defaultErrno)));
    if (act == defaultAction) {
      continue;  // libseccomp rejects rules that repeat the default action
    }
    std::vector<scmp_arg_cmp> args;
    for (const auto& a : rule.value("args", json::array())) {
      BERTH_ASSIGN_OR_RETURN(scmp_compare op, compareOp(a.value("op", "")));
      args.push_back(scmp_arg_cmp{a.value("index", 0u), op, a.value("value", uint64_t{0}),
                                  a.value("valueTwo", uint64_t{0})});
    }
    for (const auto& n : rule.value("names", json::array())) {
      std::string name = n.get<std::string>();
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) {
        continue;
      }
      int rc = seccomp_rule_add_array(filter.get(), act, nr, static_cast<unsigned>(args.size()),
                                      args.data());
      // -EDOM/-EEXIST: not on every architecture, or already covered.
      if (rc != 0 && rc != -EEXIST && rc != -EDOM) {
        return fail(errnoError(-rc, fmt::format("seccomp: rule for '{}'", name)));
      }
    }
  }
  int fd = ::memfd_create("seccomp-bpf", MFD_CLOEXEC);
  if (fd < 0) {
    return fail(errnoError(errno, "memfd_create"));
  }
  int rc = seccomp_export_bpf(filter.get(), fd);
  if (rc != 0) {
    ::close(fd);
    return fail(errnoError(-rc, "seccomp: export program"));
  }
  std::string program;
  char buf[8192];
  for (off_t offset = 0;;) {
    ssize_t n = ::pread(fd, buf, sizeof(buf), offset);
    if (n <= 0) {
      break;
    }
    program.append(buf, static_cast<size_t>(n));
    offset += n;
  }
  ::close(fd);
  if (program.empty()) {
    return fail(ErrorCode::kInternal, "seccomp: empty program");
  }
  return program;
}

}  // namespace

Result<std::string> compileSeccompProfile(const json& profile) {
  try {
    return compile(profile);
  } catch (const json::exception& e) {
    return fail(ErrorCode::kInvalidArgument, "seccomp profile: {}", e.what());
  }
}
Result<std::string> SeccompCache::base64Program(const json& profile) {
  std::string key = profile.dump();
  {
    std::lock_guard lock(mutex_);
    if (auto it = programs_.find(key); it != programs_.end()) {
      return it->second;
    }
  }
  // Compiled outside the lock: two threads may both compile a new profile once; same result.
  BERTH_ASSIGN_OR_RETURN(std::string program, compileSeccompProfile(profile));
  std::string encoded = base64Encode(program);
  std::lock_guard lock(mutex_);
  programs_.emplace(std::move(key), encoded);
  return encoded;
}

}  // namespace berth::runtime
