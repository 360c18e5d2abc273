#include "cli/container_args.h"

#include <cmath>

namespace berth::cli {
namespace {

using nlohmann::json;

// "K=V" -> {"name":K, <valueKey>:V}.
Result<json> environmentVariable(const std::string& pair, const char* valueKey, const char* flag) {
  auto eq = pair.find('=');
  if (eq == std::string::npos || eq == 0) {
    return fail(ErrorCode::kInvalidArgument, "{}: '{}' is not of the form KEY=VALUE", flag, pair);
  }
  return json{{"name", pair.substr(0, eq)}, {valueKey, pair.substr(eq + 1)}};
}

bool oneOf(const std::string& value, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed) {
    if (value == a) {
      return true;
    }
  }
  return false;
}

// The flags' floats as ARM numbers: 1 stays 1.0 in JSON, 1.5 stays 1.5.
json number(double value) {
  return json(std::round(value * 100) / 100);
}

}  // namespace

Result<std::vector<std::string>> splitCommandLine(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool inWord = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (inWord) {
        words.push_back(std::move(word));
        word.clear();
        inWord = false;
      }
      continue;
    }
    inWord = true;
    if (c == '\\') {
      if (i + 1 == line.size()) {
        return fail(ErrorCode::kInvalidArgument, "--command-line: trailing backslash");
      }
      word.push_back(line[++i]);
    } else if (c == '\'') {
      auto end = line.find('\'', i + 1);
      if (end == std::string_view::npos) {
        return fail(ErrorCode::kInvalidArgument, "--command-line: unterminated single quote");
      }
      word.append(line.substr(i + 1, end - i - 1));
      i = end;
    } else if (c == '"') {
      size_t j = i + 1;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size() &&
            std::string_view("\"\\$`").find(line[j + 1]) != std::string_view::npos) {
          ++j;
        }
        word.push_back(line[j]);
      }
      if (j >= line.size()) {
        return fail(ErrorCode::kInvalidArgument, "--command-line: unterminated double quote");
      }
      i = j;
    } else {
      word.push_back(c);
    }
  }
  if (inWord) {
    words.push_back(std::move(word));
  }
  return words;
}

Result<json> containerGroupBody(const ContainerCreateFlags& flags) {
  if (flags.name.empty()) {
    return fail(ErrorCode::kInvalidArgument, "--name is required");
  }
  if (flags.image.empty()) {
    return fail(ErrorCode::kInvalidArgument, "--image is required (or --file)");
  }
  if (!flags.ipAddress.empty() && !oneOf(flags.ipAddress, {"Public", "Private"})) {
    return fail(ErrorCode::kInvalidArgument, "--ip-address: '{}' is not Public or Private",
                flags.ipAddress);
  }
  if (!oneOf(flags.protocol, {"TCP", "UDP"})) {
    return fail(ErrorCode::kInvalidArgument, "--protocol: '{}' is not TCP or UDP", flags.protocol);
  }
  if (!oneOf(flags.restartPolicy, {"Always", "OnFailure", "Never"})) {
    return fail(ErrorCode::kInvalidArgument,
                "--restart-policy: '{}' is not Always, OnFailure or Never", flags.restartPolicy);
  }
  if (!oneOf(flags.osType, {"Linux", "Windows"})) {
    return fail(ErrorCode::kInvalidArgument, "--os-type: '{}' is not Linux or Windows",
                flags.osType);
  }
  json ports = json::array();
  for (int port : flags.ports) {
    if (port < 1 || port > 65535) {
      return fail(ErrorCode::kInvalidArgument, "--ports: {} is not in 1..65535", port);
    }
    ports.push_back({{"protocol", flags.protocol}, {"port", port}});
  }
  json env = json::array();
  for (const auto& pair : flags.environmentVariables) {
    BERTH_ASSIGN_OR_RETURN(json v, environmentVariable(pair, "value", "--environment-variables"));
    env.push_back(std::move(v));
  }
  for (const auto& pair : flags.secureEnvironmentVariables) {
    BERTH_ASSIGN_OR_RETURN(
        json v, environmentVariable(pair, "secureValue", "--secure-environment-variables"));
    env.push_back(std::move(v));
  }

  json container = {
      {"image", flags.image},
      {"resources",
       {{"requests", {{"cpu", number(flags.cpu)}, {"memoryInGB", number(flags.memoryInGB)}}}}}};
  if (!ports.empty()) {
    container["ports"] = ports;
  }
  if (!env.empty()) {
    container["environmentVariables"] = env;
  }
  if (!flags.commandLine.empty()) {
    BERTH_ASSIGN_OR_RETURN(auto argv, splitCommandLine(flags.commandLine));
    container["command"] = argv;
  }
  json properties = {
      {"containers", json::array({{{"name", flags.name}, {"properties", container}}})},
      {"osType", flags.osType},
      {"restartPolicy", flags.restartPolicy}};
  // As in az: an IP address only for Public (or a DNS name label); Private needs a subnet,
  // which Berth does not model, so it is passed on for the server to judge.
  if (flags.ipAddress == "Public" || flags.ipAddress == "Private" || !flags.dnsNameLabel.empty()) {
    json ip = {{"type", flags.ipAddress.empty() ? "Public" : flags.ipAddress}, {"ports", ports}};
    if (!flags.dnsNameLabel.empty()) {
      ip["dnsNameLabel"] = flags.dnsNameLabel;
    }
    properties["ipAddress"] = ip;
  }
  bool anyRegistry = !flags.registryLoginServer.empty() || !flags.registryUsername.empty() ||
                     !flags.registryPassword.empty();
  if (anyRegistry) {
    if (flags.registryLoginServer.empty() || flags.registryUsername.empty() ||
        flags.registryPassword.empty()) {
      return fail(ErrorCode::kInvalidArgument,
                  "--registry-login-server, --registry-username and --registry-password go "
                  "together");
    }
    properties["imageRegistryCredentials"] = json::array({{{"server", flags.registryLoginServer},
                                                           {"username", flags.registryUsername},
                                                           {"password", flags.registryPassword}}});
  }
  return json{{"location", flags.location}, {"properties", properties}};
}

}  // namespace berth::cli
