#pragma once

// `berth container create` flags -> the ARM container-group body (reference §1.14), the way
// `az container create` builds it: one container named like the group, its ports also on the
// group's IP address when that is Public (--ip-address Public or --dns-name-label), the
// registry credentials when a login server is given. Pure functions.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::cli {

struct ContainerCreateFlags {
  std::string name;
  std::string location = "local";
  std::string image;
  double cpu = 1;
  double memoryInGB = 1.5;
  std::vector<int> ports = {80};
  std::string protocol = "TCP";
  std::string ipAddress;  // "", "Public" or "Private"
  std::string dnsNameLabel;
  std::string restartPolicy = "Always";
  std::vector<std::string> environmentVariables;        // "K=V"
  std::vector<std::string> secureEnvironmentVariables;  // "K=V"
  std::string commandLine;                              // split like a shell
  std::string registryLoginServer;
  std::string registryUsername;
  std::string registryPassword;
  std::string osType = "Linux";
};

// The PUT body. kInvalidArgument for a missing --image or name, an environment variable
// without '=', a bad --command-line, registry flags given without the login server (or the
// login server without username and password), a port outside 1..65535, or unknown
// --ip-address/--protocol/--restart-policy/--os-type values. Values the server validates
// (CPU, memory, names) are passed on as given.
Result<nlohmann::json> containerGroupBody(const ContainerCreateFlags& flags);

// Splits a command line into argv like a POSIX shell does for words: whitespace separates,
// '...' keeps everything literally, "..." keeps everything but \" \\ \$ \` (backslash escapes),
// a backslash outside quotes escapes the next character. kInvalidArgument for an unterminated
// quote or a trailing backslash.
Result<std::vector<std::string>> splitCommandLine(std::string_view line);

}  // namespace berth::cli
