// pods/binding and pods/eviction; pods/log and pods/exec are in pod_proxy.cc.

#include "apiserver/pod_subresources.h"

#include <fmt/format.h>

#include "apiserver/pod_proxy.h"

namespace berth::apiserver {

using nlohmann::json;
namespace asio = boost::asio;

namespace {

// Sets spec.nodeName of an unbound pod and its PodScheduled condition.
ApiResult<json> bindPod(ResourceHandlers& handlers, const ResourceType& type,
                        const RequestInfo& info, const std::string& node) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    auto current = handlers.objects().get(type, info.namespace_, info.name);
    if (!current) {
      return std::unexpected(notFound(type, info.name));
    }
    json pod = *current->object;
    if (pod["metadata"].contains("deletionTimestamp")) {
      return std::unexpected(conflict(type, info.name, "pod is being deleted"));
    }
    std::string bound = pod.value("spec", json::object()).value("nodeName", "");
    if (!bound.empty()) {
      return std::unexpected(
          conflict(type, info.name,
                   fmt::format("pod {} is already assigned to node \"{}\"", info.name, bound)));
    }
    pod["spec"]["nodeName"] = node;
    json& conditions = pod["status"]["conditions"];
    if (!conditions.is_array()) {
      conditions = json::array();
    }
    json scheduled = {{"type", "PodScheduled"},
                      {"status", "True"},
                      {"lastProbeTime", nullptr},
                      {"lastTransitionTime", rfc3339(handlers.clock().now())}};
    bool replaced = false;
    for (auto& c : conditions) {
      if (c.value("type", "") == "PodScheduled") {
        c = scheduled;
        replaced = true;
      }
    }
    if (!replaced) {
      conditions.push_back(scheduled);
    }
    auto written = handlers.objects().replace(type, std::move(pod), current->revision);
    if (written) {
      return std::move(*written);
    }
    if (written.error().code() != ErrorCode::kConflict) {
      return std::unexpected(fromError(type, info.name, written.error()));
    }
  }
  return std::unexpected(conflict(type, info.name));
}

json success() {
  return {{"kind", "Status"},
          {"apiVersion", "v1"},
          {"metadata", json::object()},
          {"status", "Success"},
          {"code", 201}};
}

}  // namespace

Result<NodeEndpoint> nodeEndpoint(ResourceHandlers& handlers, const std::string& nodeName) {
  auto type = handlers.registry().find("", "v1", "nodes");
  auto node = type ? handlers.objects().get(*type, "", nodeName) : std::nullopt;
  if (!node) {
    return fail(ErrorCode::kNotFound, "nodes \"{}\" not found", nodeName);
  }
  const json status = node->object->value("status", json::object());
  int port = status.value("daemonEndpoints", json::object())
                 .value("kubeletEndpoint", json::object())
                 .value("Port", 0);
  std::string host;
  for (const char* wanted : {"InternalIP", "ExternalIP", "Hostname"}) {
    for (const auto& address : status.value("addresses", json::array())) {
      if (host.empty() && address.value("type", "") == wanted) {
        host = address.value("address", "");
      }
    }
  }
  if (host.empty() || port <= 0) {
    return fail(ErrorCode::kUnavailable, "node \"{}\" reports no endpoint for logs and exec",
                nodeName);
  }
  return NodeEndpoint{host, std::to_string(port)};
}

void addPodSubresources(ResourceHandlers& handlers, ObjectStore& objects,
                        const std::string& proxyToken) {
  (void)objects;
  handlers.addSubresource(
      "pods/binding",
      [&handlers](http::Context& ctx, const RequestInfo& info,
                  const ResourceType& type) -> asio::awaitable<void> {
        if (ctx.request().method != "POST") {
          co_await respondFailure(
              ctx, statusFailure(405, "MethodNotAllowed", "only POST is allowed on pods/binding"));
          co_return;
        }
        auto body = decodeBody(ctx.request());
        if (!body) {
          co_await respondFailure(ctx, body.error());
          co_return;
        }
        std::string node = body->value("target", json::object()).value("name", "");
        if (node.empty()) {
          std::vector<Cause> causes = {{"FieldValueRequired", "Required value", "target.name"}};
          auto failure = invalid(type, info.name, causes);
          co_await respondFailure(ctx, failure);
          co_return;
        }
        auto bound = bindPod(handlers, type, info, node);
        if (!bound) {
          co_await respondFailure(ctx, bound.error());
          co_return;
        }
        co_await ctx.respond(201, "application/json", success().dump());
      });
  handlers.addSubresource(
      "pods/eviction",
      [&handlers](http::Context& ctx, const RequestInfo& info,
                  const ResourceType& type) -> asio::awaitable<void> {
        if (ctx.request().method != "POST") {
          co_await respondFailure(
              ctx, statusFailure(405, "MethodNotAllowed", "only POST is allowed on pods/eviction"));
          co_return;
        }
        auto body = decodeBody(ctx.request());
        if (!body) {
          co_await respondFailure(ctx, body.error());
          co_return;
        }
        DeleteOptions options;
        const json deleteOptions = body->value("deleteOptions", json::object());
        if (deleteOptions.contains("gracePeriodSeconds") &&
            deleteOptions["gracePeriodSeconds"].is_number()) {
          options.gracePeriodSeconds = deleteOptions["gracePeriodSeconds"].get<int64_t>();
        }
        for (const auto& dry : deleteOptions.value("dryRun", json::array())) {
          options.dryRun = options.dryRun || dry == "All";
        }
        auto deleted = handlers.deleteObject(type, info.namespace_, info.name, options);
        if (!deleted) {
          co_await respondFailure(ctx, deleted.error());
          co_return;
        }
        co_await ctx.respond(201, "application/json", success().dump());
      });
  handlers.addSubresource(
      "pods/log",
      [&handlers, proxyToken](http::Context& ctx, const RequestInfo& info,
                              const ResourceType& type) -> asio::awaitable<void> {
        co_await proxyPodLog(ctx, handlers, type, info, proxyToken);
      });
  handlers.addSubresource(
      "pods/exec",
      [&handlers, proxyToken](http::Context& ctx, const RequestInfo& info,
                              const ResourceType& type) -> asio::awaitable<void> {
        co_await proxyPodExec(ctx, handlers, type, info, proxyToken);
      });
}

}  // namespace berth::apiserver
