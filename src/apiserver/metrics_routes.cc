// metrics.k8s.io/v1beta1 read endpoints over the MetricsCache.

#include "apiserver/metrics_routes.h"

#include "apiserver/request_info.h"
#include "apiserver/table.h"

namespace berth::apiserver {

using nlohmann::json;
namespace asio = boost::asio;

namespace {

constexpr const char* kPrefix = "/apis/metrics.k8s.io/v1beta1";

ApiFailure notServed() {
  return statusFailure(404, "NotFound", "the server could not find the requested resource");
}

// Copies the labels of the pod or node the metrics describe into them; false when that object
// is gone (its metrics are then not shown).
bool attachLabels(ResourceHandlers& handlers, json& metrics, bool pods) {
  auto type = handlers.registry().find("", "v1", pods ? "pods" : "nodes");
  if (!type) {
    return false;
  }
  json& meta = metrics["metadata"];
  auto object = handlers.objects().get(*type, pods ? meta.value("namespace", "") : "",
                                       meta.value("name", ""));
  if (!object) {
    return false;
  }
  const json source = object->object->value("metadata", json::object());
  if (source.contains("labels") && source["labels"].is_object()) {
    meta["labels"] = source["labels"];
  }
  return true;
}

asio::awaitable<void> serveMetrics(http::Context& ctx, MetricsCache& cache,
                                   ResourceHandlers& handlers, Authorizer& authorizer) {
  const auto& request = ctx.request();
  auto parsed = parseRequestPath(request.path);
  if (!parsed || !parsed->subresource.empty()) {
    co_await respondFailure(ctx, notServed());
    co_return;
  }
  const RequestInfo& info = *parsed;
  auto type = handlers.registry().find(info.group, info.version, info.resource);
  const bool pods = info.resource == "pods";
  if (!type || (!type->namespaced && !info.namespace_.empty())) {
    co_await respondFailure(ctx, notServed());
    co_return;
  }
  std::string verb = info.name.empty() ? "list" : "get";
  if (auto watch = request.query.flag("watch"); watch && *watch) {
    verb = "watch";
  }
  if (auto denied = authorizer.check(ctx.identity(), verb, info)) {
    co_await respondFailure(ctx, *denied);
    co_return;
  }
  if ((request.method != "GET" && request.method != "HEAD") || verb == "watch") {
    co_await respondFailure(ctx, statusFailure(405, "MethodNotAllowed",
                                               "the server does not allow this method on the "
                                               "requested resource"));
    co_return;
  }
  if (verb == "get") {
    auto item = pods ? cache.podMetrics(info.namespace_, info.name) : cache.nodeMetrics(info.name);
    if (!item || !attachLabels(handlers, *item, pods)) {
      co_await respondFailure(ctx, notFound(*type, info.name));
      co_return;
    }
    co_await respondObject(ctx, *type, 200, *item);
    co_return;
  }
  auto filter = listFilter(request, *type);
  if (!filter) {
    co_await respondFailure(ctx, filter.error());
    co_return;
  }
  std::vector<json> items;
  for (auto& item : pods ? cache.podMetrics(info.namespace_) : cache.nodeMetrics()) {
    if (attachLabels(handlers, item, pods) && filter->matches(*type, item)) {
      items.push_back(std::move(item));
    }
  }
  if (wantsTable(request)) {
    co_await ctx.respond(200, "application/json", toTable(*type, items, "", false).dump());
    co_return;
  }
  json list = {{"kind", type->kind + "List"},
               {"apiVersion", type->apiVersion()},
               {"metadata", json::object()},
               {"items", std::move(items)}};
  co_await ctx.respond(200, "application/json", list.dump());
}

}  // namespace

void addMetricsRoutes(http::Router& router, MetricsCache& cache, ResourceHandlers& handlers,
                      Authorizer& authorizer) {
  auto serve = [&cache, &handlers, &authorizer](http::Context& ctx) -> asio::awaitable<void> {
    co_await serveMetrics(ctx, cache, handlers, authorizer);
  };
  std::string pattern = kPrefix;
  for (int depth = 1; depth <= 5; ++depth) {
    pattern += "/{m" + std::to_string(depth) + "}";
    router.add("GET,HEAD,POST,PUT,PATCH,DELETE", pattern, serve);
  }
}

}  // namespace berth::apiserver
