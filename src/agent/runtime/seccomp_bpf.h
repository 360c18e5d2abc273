#pragma once

// Compiling seccomp profiles ahead of time.
//
// crun compiles linux.seccomp with libseccomp at every container start, which costs tens of
// milliseconds for a Docker-sized allow-list on three architectures. crun also accepts the
// compiled program in the annotation run.oci.seccomp_bpf_data (base64), so the agent compiles
// each distinct profile once and passes the program with every start.

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "base/error.h"

namespace berth::runtime {

inline constexpr const char* kSeccompBpfAnnotation = "run.oci.seccomp_bpf_data";

// The classic-BPF program for an OCI seccomp profile, compiled the way crun would compile it
// (syscall names unknown to libseccomp are skipped, as crun does). kInvalidArgument naming the
// field for an unknown action, operator or architecture.
Result<std::string> compileSeccompProfile(const nlohmann::json& profile);

// Compiled programs by profile. Thread-safe.
class SeccompCache {
 public:
  // The base64 program for `profile`, compiled on first use.
  Result<std::string> base64Program(const nlohmann::json& profile);

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> programs_;
};

}  // namespace berth::runtime
