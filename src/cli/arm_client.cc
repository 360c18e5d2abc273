#include "cli/arm_client.h"

#include <fmt/format.h>

#include <cstdlib>

namespace berth::cli {
namespace {

constexpr const char* kDefaultKubeconfig = "/var/lib/berth/kubeconfig";
constexpr const char* kProvider = "/providers/Microsoft.ContainerInstance";

std::string envOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

ErrorCode codeForStatus(int status) {
  switch (status) {
    case 400:
      return ErrorCode::kInvalidArgument;
    case 401:
      return ErrorCode::kUnauthenticated;
    case 403:
      return ErrorCode::kPermissionDenied;
    case 404:
      return ErrorCode::kNotFound;
    case 409:
      return ErrorCode::kConflict;
    default:
      return status >= 500 ? ErrorCode::kUnavailable : ErrorCode::kInternal;
  }
}

}  // namespace

std::string resolveKubeconfigPath(const std::string& flag) {
  if (!flag.empty()) {
    return flag;
  }
  return envOr("BERTH_KUBECONFIG", envOr("KUBECONFIG", kDefaultKubeconfig));
}

std::string resolveSubscription(const std::string& flag) {
  if (!flag.empty()) {
    return flag;
  }
  return envOr("BERTH_SUBSCRIPTION", kDefaultSubscription);
}

Error armError(int status, const std::string& body) {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object()) {
    const auto& e = parsed["error"];
    std::string code = e.value("code", "");
    std::string message = e.value("message", "");
    return Error(codeForStatus(status), fmt::format("({}) {}", code, message));
  }
  std::string text = body;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  return Error(codeForStatus(status), fmt::format("(HttpStatus{}) {}", status, text));
}

ArmClient::ArmClient(client::ClientConfig config, std::string subscription)
    : config_(std::move(config)), subscription_(std::move(subscription)) {}

Result<ArmClient> ArmClient::connect(const ArmConnectionFlags& flags) {
  std::string path = resolveKubeconfigPath(flags.kubeconfig);
  auto config = client::loadKubeconfig(path);
  if (!config) {
    return fail(ErrorCode::kInvalidArgument, "kubeconfig '{}': {}", path, config.error().message());
  }
  return ArmClient(std::move(*config), resolveSubscription(flags.subscription));
}

std::string ArmClient::groupsPath(const std::string& resourceGroup) const {
  if (resourceGroup.empty()) {
    return fmt::format("/subscriptions/{}{}/containerGroups", subscription_, kProvider);
  }
  return fmt::format("/subscriptions/{}/resourceGroups/{}{}/containerGroups", subscription_,
                     resourceGroup, kProvider);
}

std::string ArmClient::groupPath(const std::string& resourceGroup, const std::string& name) const {
  return groupsPath(resourceGroup) + "/" + name;
}

std::string ArmClient::usagePath(const std::string& resourceGroup) const {
  if (resourceGroup.empty()) {
    return fmt::format("/subscriptions/{}{}/meteredUsage", subscription_, kProvider);
  }
  return fmt::format("/subscriptions/{}/resourceGroups/{}{}/meteredUsage", subscription_,
                     resourceGroup, kProvider);
}

Result<ArmReply> ArmClient::call(const std::string& method, const std::string& target,
                                 const nlohmann::json& body) const {
  std::string url = target;
  if (!target.starts_with("https://") && !target.starts_with("http://")) {
    url = config_.server + target + (target.find('?') == std::string::npos ? "?" : "&") +
          "api-version=" + kArmApiVersion;
  }
  http::ClientOptions options;
  options.caFile = config_.caFile;
  options.caPem = config_.caData;
  options.insecure = config_.insecure;
  options.bearerToken = config_.token;
  options.timeout = config_.timeout;
  options.headers["Accept"] = "application/json";
  options.headers["User-Agent"] = "berth-container";
  std::string payload;
  if (!body.is_null()) {
    payload = body.dump();
    options.headers["Content-Type"] = "application/json";
  }
  auto response = http::httpRequest(method, url, payload, options);
  if (!response) {
    return std::unexpected(response.error());
  }
  if (response->status >= 400) {
    return std::unexpected(armError(response->status, response->body));
  }
  ArmReply reply;
  reply.status = response->status;
  reply.headers = std::move(response->headers);
  if (!response->body.empty()) {
    reply.body = nlohmann::json::parse(response->body, nullptr, false);
    if (reply.body.is_discarded()) {
      reply.body = nullptr;
    }
  }
  return reply;
}

Result<std::string> resolveContainerName(const ArmClient& arm, const std::string& resourceGroup,
                                         const std::string& group, const std::string& flag) {
  if (!flag.empty()) {
    return flag;
  }
  BERTH_ASSIGN_OR_RETURN(ArmReply reply, arm.call("GET", arm.groupPath(resourceGroup, group)));
  const auto& containers = reply.body.is_object()
                               ? reply.body.value("properties", nlohmann::json::object())
                                     .value("containers", nlohmann::json::array())
                               : nlohmann::json::array();
  if (containers.empty() || !containers[0].is_object()) {
    return fail(ErrorCode::kInvalidArgument, "container group '{}' has no containers", group);
  }
  return containers[0].value("name", "");
}

}  // namespace berth::cli
