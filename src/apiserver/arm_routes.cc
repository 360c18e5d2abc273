// The HTTP side of the ARM API: authentication, api-version, dispatch and the log fetch.

#include "apiserver/arm_routes.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>

#include "apiserver/arm_exec.h"
#include "apiserver/authorizer.h"
#include "http/client.h"
#include "instances/api_versions.h"

namespace berth::apiserver {

using nlohmann::json;
namespace asio = boost::asio;
namespace inst = berth::instances;
using inst::ArmError;
using inst::ArmTarget;

namespace {

constexpr const char* kJson = "application/json; charset=utf-8";
constexpr size_t kMaxLogBytes = 4 * 1024 * 1024;  // ACI returns at most 4 MB of logs
constexpr std::chrono::seconds kLogTimeout{10};

struct Shared {
  ResourceHandlers& handlers;
  http::AuthenticatorPtr tokens;
  std::string proxyToken;
  ArmService service;
  std::shared_ptr<ArmExec> exec = std::make_shared<ArmExec>(proxyToken);
};

asio::awaitable<void> respondArm(http::Context& ctx, const ArmError& error) {
  std::map<std::string, std::string> headers;
  if (error.httpStatus == 401) {
    headers["WWW-Authenticate"] = "Bearer";
  }
  co_await ctx.respond(error.httpStatus, kJson, error.body(), std::move(headers));
}

asio::awaitable<void> respondReply(http::Context& ctx, const ArmReply& reply) {
  std::string body = reply.body ? reply.body->dump() : "";
  co_await ctx.respond(reply.status, kJson, std::move(body), reply.headers);
}

// The ARM action of a request, for the AuthorizationFailed message.
std::string actionOf(const std::string& method, const inst::ArmPath& path) {
  std::string resource = "Microsoft.ContainerInstance/containerGroups";
  switch (path.target) {
    case ArmTarget::kStart:
      return resource + "/start/action";
    case ArmTarget::kStop:
      return resource + "/stop/action";
    case ArmTarget::kRestart:
      return resource + "/restart/action";
    case ArmTarget::kLogs:
      return resource + "/containers/logs/read";
    case ArmTarget::kExec:
      return resource + "/containers/exec/action";
    case ArmTarget::kOperation:
      return "Microsoft.ContainerInstance/locations/operations/read";
    case ArmTarget::kUsages:
      return "Microsoft.ContainerInstance/locations/usages/read";
    case ArmTarget::kCapabilities:
      return "Microsoft.ContainerInstance/locations/capabilities/read";
    case ArmTarget::kCachedImages:
      return "Microsoft.ContainerInstance/locations/cachedImages/read";
    case ArmTarget::kMeteredUsage:
      return "Microsoft.ContainerInstance/meteredUsage/read";
    default:
      break;
  }
  if (method == "DELETE") {
    return resource + "/delete";
  }
  if (method == "PUT" || method == "PATCH") {
    return resource + "/write";
  }
  return resource + "/read";
}

// Who may call: 401/403 as ARM answers them, or nullopt.
std::optional<ArmError> authenticate(const http::Context& ctx, const Shared& shared,
                                     const std::string& action, const std::string& scope) {
  auto header = ctx.request().header("authorization");
  if (!header || header->empty()) {
    return ArmError{401, "AuthenticationFailed",
                    "Authentication failed. The 'Authorization' header is missing."};
  }
  auto token = http::bearerToken(*header);
  if (!token) {
    return ArmError{401, "AuthenticationFailedInvalidHeader",
                    "Authentication failed. The 'Authorization' header is provided in an invalid "
                    "format."};
  }
  auto who = shared.tokens->authenticate(*token);
  if (!who) {
    return ArmError{401, "InvalidAuthenticationToken", "The access token is invalid."};
  }
  if (!Authorizer::isMaster(*who)) {
    return ArmError{403, "AuthorizationFailed",
                    fmt::format("The client '{}' with object id '{}' does not have authorization "
                                "to perform action '{}' over scope '{}' or the scope is invalid. "
                                "If access was recently granted, please refresh your credentials.",
                                who->user, who->user, action, scope)};
  }
  return std::nullopt;
}

// The request's scope as ARM names it in errors.
std::string scopeOf(const inst::ArmPath& path) {
  if (!path.resourceGroup.empty() && !path.name.empty()) {
    return inst::containerGroupId(path.subscriptionId, path.resourceGroup, path.name);
  }
  if (!path.resourceGroup.empty()) {
    return fmt::format("/subscriptions/{}/resourceGroups/{}", path.subscriptionId,
                       path.resourceGroup);
  }
  return "/subscriptions/" + path.subscriptionId;
}

// The body's "location", for the api-version message.
std::optional<std::string> bodyLocation(const std::string& body) {
  auto parsed = json::parse(body, nullptr, false);
  if (!parsed.is_object()) {
    return std::nullopt;
  }
  for (const auto& [key, value] : parsed.items()) {
    if (inst::armEquals(key, "location") && value.is_string()) {
      return value.get<std::string>();
    }
  }
  return std::nullopt;
}

// Fetches the logs from the agent of the group's pod.
asio::awaitable<void> serveLogs(http::Context& ctx, Shared& shared, const inst::ArmPath& path,
                                const ArmCall& call) {
  auto target = shared.service.logTarget(path, call);
  if (!target) {
    co_await respondArm(ctx, target.error());
    co_return;
  }
  if (!target->ready) {
    json empty = {{"content", ""}};
    co_await ctx.respond(200, kJson, empty.dump());
    co_return;
  }
  // A blocking fetch, bounded like the storage calls other handlers make on io threads (a
  // detached thread could outlive the server's io_context).
  http::ClientOptions options;
  options.insecure = true;  // agents serve a self-signed certificate (see pod_subresources.h)
  options.bearerToken = shared.proxyToken;
  options.timeout = kLogTimeout;
  auto response = http::httpRequest("GET", target->url, "", options);
  if (!response || response->status != 200) {
    std::string why = response ? std::to_string(response->status) : response.error().message();
    spdlog::debug("arm logs of '{}': {}", path.name, why);
    ArmError error{503, "ServiceUnavailable",
                   fmt::format("The logs of container '{}' in container group '{}' could not be "
                               "read.",
                               path.container, path.name)};
    co_await respondArm(ctx, error);
    co_return;
  }
  std::string content = std::move(response->body);
  if (content.size() > kMaxLogBytes) {
    content.erase(0, content.size() - kMaxLogBytes);
  }
  json body = {{"content", std::move(content)}};
  co_await ctx.respond(200, kJson, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

bool allowed(const std::string& method, ArmTarget target) {
  switch (target) {
    case ArmTarget::kGroup:
      return method == "GET" || method == "PUT" || method == "PATCH" || method == "DELETE";
    case ArmTarget::kStart:
    case ArmTarget::kStop:
    case ArmTarget::kRestart:
    case ArmTarget::kExec:
      return method == "POST";
    default:
      return method == "GET";
  }
}

asio::awaitable<void> serveArm(http::Context& ctx, Shared& shared) {
  const http::Request& request = ctx.request();
  auto decoded = http::percentDecode(request.path, false);
  auto path = decoded ? inst::parseArmPath(*decoded) : std::nullopt;
  if (!path) {
    ArmError error{404, "InvalidResourceType",
                   "The resource type could not be found in the namespace "
                   "'Microsoft.ContainerInstance'."};
    co_await respondArm(ctx, error);
    co_return;
  }
  if (auto denied = authenticate(ctx, shared, actionOf(request.method, *path), scopeOf(*path))) {
    co_await respondArm(ctx, *denied);
    co_return;
  }
  auto version = request.query.get("api-version");
  std::optional<std::string> location;
  if (request.method == "PUT") {
    location = bodyLocation(request.body);
  }
  auto checked =
      inst::checkApiVersion(version ? std::optional<std::string_view>(*version) : std::nullopt,
                            location ? std::optional<std::string_view>(*location) : std::nullopt);
  if (!checked) {
    co_await respondArm(ctx, checked.error());
    co_return;
  }
  if (!allowed(request.method, path->target)) {
    ArmError error{
        405, "MethodNotAllowed",
        fmt::format("The requested method '{}' is not allowed on this resource.", request.method)};
    co_await respondArm(ctx, error);
    co_return;
  }
  ArmCall call;
  std::string host = request.header("host").value_or("localhost");
  call.baseUrl = "https://" + host;
  call.apiVersion = *version;
  call.path = request.path;
  call.query = request.query;
  call.body = request.body;
  inst::ArmResult<ArmReply> reply = std::unexpected(ArmError{});
  switch (path->target) {
    case ArmTarget::kGroup:
      if (request.method == "PUT") {
        reply = shared.service.put(*path, call);
      } else if (request.method == "PATCH") {
        reply = shared.service.patch(*path, call);
      } else if (request.method == "DELETE") {
        reply = shared.service.remove(*path);
      } else {
        reply = shared.service.get(*path);
      }
      break;
    case ArmTarget::kListByResourceGroup:
    case ArmTarget::kListBySubscription:
      reply = shared.service.list(*path, call);
      break;
    case ArmTarget::kStart:
    case ArmTarget::kStop:
    case ArmTarget::kRestart:
      reply = shared.service.action(*path, call);
      break;
    case ArmTarget::kLogs:
      co_await serveLogs(ctx, shared, *path, call);
      co_return;
    case ArmTarget::kExec:
      reply = shared.exec->create(shared.service, *path, call);
      break;
    case ArmTarget::kOperation:
      reply = shared.service.operation(*path, call);
      break;
    case ArmTarget::kUsages:
    case ArmTarget::kCapabilities:
    case ArmTarget::kCachedImages:
      reply = shared.service.location(*path);
      break;
    case ArmTarget::kMeteredUsage:
      reply = shared.service.meteredUsage(*path, call);
      break;
  }
  if (!reply) {
    co_await respondArm(ctx, reply.error());
    co_return;
  }
  co_await respondReply(ctx, *reply);
}

}  // namespace

void addArmRoutes(http::Router& router, ResourceHandlers& handlers, http::AuthenticatorPtr tokens,
                  const std::string& proxyToken, ArmOptions options) {
  auto shared = std::make_shared<Shared>(
      Shared{handlers, std::move(tokens), proxyToken, ArmService(handlers, std::move(options))});
  auto serve = [shared](http::Context& ctx) -> asio::awaitable<void> {
    co_await serveArm(ctx, *shared);
  };
  // Authentication is ours: ARM answers 401 with its own error body.
  http::RouteOptions open;
  open.authenticated = false;
  // The exec session's WebSocket: its password is the credential (arm_exec.h).
  router.add(
      "GET", "/instances/exec/{id}",
      [exec = shared->exec](http::Context& ctx) -> asio::awaitable<void> {
        co_await exec->serveSocket(ctx);
      },
      open);
  std::string pattern = "/subscriptions";
  for (int depth = 1; depth <= 11; ++depth) {
    pattern += "/{a" + std::to_string(depth) + "}";
    router.add("GET,PUT,PATCH,POST,DELETE", pattern, serve, open);
  }
}

}  // namespace berth::apiserver
