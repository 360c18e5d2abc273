#include "apiserver/discovery_routes.h"

#include "apiserver/api_status.h"
#include "apiserver/discovery.h"
#include "apiserver/openapi.h"
#include "http/server.h"

namespace berth::apiserver {

using nlohmann::json;
namespace asio = boost::asio;

namespace {

asio::awaitable<void> respondJson(http::Context& ctx, const std::optional<json>& doc) {
  if (!doc) {
    auto failure =
        statusFailure(404, "NotFound", "the server could not find the requested resource");
    co_await ctx.respond(404, "application/json", failure.status.dump());
    co_return;
  }
  co_await ctx.respond(200, "application/json", doc->dump());
}

// /api or /apis: aggregated discovery when the client asks for it, else the legacy lists.
asio::awaitable<void> respondRoot(http::Context& ctx, const ResourceRegistry& registry, bool core) {
  std::string accept = ctx.request().header("accept").value_or("");
  if (wantsAggregatedDiscovery(accept)) {
    std::string type(kAggregatedDiscoveryContentType);
    co_await ctx.respond(200, type, aggregatedDiscovery(registry, core).dump());
    co_return;
  }
  std::string host = ctx.request().header("host").value_or("");
  json doc = core ? apiVersions(host) : apiGroupList(registry);
  co_await ctx.respond(200, "application/json", doc.dump());
}

}  // namespace

void addDiscoveryRoutes(http::Router& router, const ResourceRegistry& registry) {
  http::RouteOptions open{.authenticated = false};
  router.add(
      "GET", "/version",
      [](http::Context& ctx) -> asio::awaitable<void> {
        co_await ctx.respond(200, "application/json", versionInfo().dump());
      },
      open);
  for (const char* path : {"/healthz", "/livez", "/readyz"}) {
    router.add(
        "GET", path,
        [](http::Context& ctx) -> asio::awaitable<void> {
          co_await ctx.respond(200, "text/plain", "ok");
        },
        open);
  }
  const ResourceRegistry* r = &registry;
  router.add("GET", "/api", [r](http::Context& ctx) -> asio::awaitable<void> {
    co_await respondRoot(ctx, *r, true);
  });
  router.add("GET", "/apis", [r](http::Context& ctx) -> asio::awaitable<void> {
    co_await respondRoot(ctx, *r, false);
  });
  router.add("GET", "/api/{version}", [r](http::Context& ctx) -> asio::awaitable<void> {
    auto doc = apiResourceList(*r, "", ctx.request().param("version"));
    co_await respondJson(ctx, doc);
  });
  router.add("GET", "/apis/{group}", [r](http::Context& ctx) -> asio::awaitable<void> {
    auto doc = apiGroup(*r, ctx.request().param("group"));
    co_await respondJson(ctx, doc);
  });
  router.add("GET", "/apis/{group}/{version}", [r](http::Context& ctx) -> asio::awaitable<void> {
    auto doc = apiResourceList(*r, ctx.request().param("group"), ctx.request().param("version"));
    co_await respondJson(ctx, doc);
  });
  router.add("GET", "/openapi/v3", [r](http::Context& ctx) -> asio::awaitable<void> {
    co_await ctx.respond(200, "application/json", openApiIndex(*r).dump());
  });
  auto document = [r](http::Context& ctx) -> asio::awaitable<void> {
    std::string path = ctx.request().path.substr(std::string_view("/openapi/v3/").size());
    auto gv = parseOpenApiPath(path);
    std::optional<json> doc;
    if (gv) {
      doc = openApiDocument(*r, gv->first, gv->second);
    }
    co_await respondJson(ctx, doc);
  };
  router.add("GET", "/openapi/v3/api/{version}", document);
  router.add("GET", "/openapi/v3/apis/{group}/{version}", document);
}

}  // namespace berth::apiserver
