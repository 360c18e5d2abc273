#pragma once

// The seccomp profile of non-privileged containers, in the OCI runtime-spec form
// (linux.seccomp of config.json).
//
// Modelled on Docker's default profile: everything not listed fails with EPERM; the allow-list
// covers what ordinary programs (shells, servers, language runtimes) call. Namespace creation
// (unshare, setns, clone with CLONE_NEW* flags), mounts, module loading, kexec, reboot, bpf,
// ptrace, keyrings, swap and clock setting stay blocked unless the container holds the
// capability that would make the call legitimate (e.g. CAP_SYS_ADMIN allows mount).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace berth::runtime {

// Syscalls allowed for every container.
const std::vector<std::string>& baseAllowedSyscalls();

// Syscalls allowed in addition when the container holds `capability` ("CAP_SYS_ADMIN").
std::vector<std::string> syscallsForCapability(const std::string& capability);

// The profile for a container with these (canonical) capabilities.
nlohmann::json defaultSeccompProfile(const std::vector<std::string>& capabilities);

}  // namespace berth::runtime
