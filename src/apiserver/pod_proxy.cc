#include "apiserver/pod_proxy.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "apiserver/agent_connection.h"
#include "apiserver/pod_subresources.h"
#include "http/event.h"

namespace berth::apiserver {

using nlohmann::json;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

struct Target {
  NodeEndpoint endpoint;
  std::string path;  // with query
};

// The container a request means: its `container` parameter, the default-container
// annotation, or the only container.
ApiResult<std::string> chooseContainer(const json& pod, const http::Request& request,
                                       const std::string& podName) {
  if (auto given = request.query.get("container"); given && !given->empty()) {
    return *given;
  }
  const json meta = pod.value("metadata", json::object());
  std::string annotated = meta.value("annotations", json::object())
                              .value("kubectl.kubernetes.io/default-container", "");
  if (!annotated.empty()) {
    return annotated;
  }
  std::vector<std::string> names;
  for (const auto& c : pod.value("spec", json::object()).value("containers", json::array())) {
    names.push_back(c.value("name", ""));
  }
  if (names.size() == 1) {
    return names[0];
  }
  return std::unexpected(
      badRequest(fmt::format("a container name must be specified for pod {}, choose one of: [{}]",
                             podName, fmt::join(names, " "))));
}

// Where on the agent the request goes, with the query minus `container`.
ApiResult<Target> targetFor(http::Context& ctx, ResourceHandlers& handlers,
                            const ResourceType& type, const RequestInfo& info,
                            const std::string& endpointPath) {
  auto pod = handlers.objects().get(type, info.namespace_, info.name);
  if (!pod) {
    return std::unexpected(notFound(type, info.name));
  }
  auto container = chooseContainer(*pod->object, ctx.request(), info.name);
  if (!container) {
    return std::unexpected(container.error());
  }
  std::string node = pod->object->value("spec", json::object()).value("nodeName", "");
  if (node.empty()) {
    return std::unexpected(
        badRequest(fmt::format("pod {} does not have a host assigned", info.name)));
  }
  auto endpoint = nodeEndpoint(handlers, node);
  if (!endpoint) {
    return std::unexpected(statusFailure(503, "ServiceUnavailable", endpoint.error().message()));
  }
  std::string query;
  for (const auto& [key, value] : ctx.request().query.items()) {
    if (key == "container") {
      continue;
    }
    query += query.empty() ? "?" : "&";
    query += http::percentEncode(key) + "=" + http::percentEncode(value);
  }
  return Target{
      *endpoint,
      fmt::format("/{}/{}/{}/{}{}", endpointPath, http::percentEncode(info.namespace_),
                  http::percentEncode(info.name), http::percentEncode(*container), query)};
}

}  // namespace

asio::awaitable<void> proxyPodLog(http::Context& ctx, ResourceHandlers& handlers,
                                  const ResourceType& type, const RequestInfo& info,
                                  const std::string& token) {
  if (ctx.request().method != "GET") {
    co_await respondFailure(
        ctx, statusFailure(405, "MethodNotAllowed", "only GET is allowed on pods/log"));
    co_return;
  }
  auto target = targetFor(ctx, handlers, type, info, "containerLogs");
  if (!target) {
    co_await respondFailure(ctx, target.error());
    co_return;
  }
  auto tls = agentClientTls();
  auto stream = std::make_shared<AgentTlsStream>(ctx.executor(), tls);
  bool streaming = false;
  try {
    co_await connectAgent(*stream, target->endpoint);
    bhttp::request<bhttp::empty_body> request{bhttp::verb::get, target->path, 11};
    request.set(bhttp::field::host, target->endpoint.host);
    request.set(bhttp::field::authorization, "Bearer " + token);
    co_await bhttp::async_write(*stream, request, asio::use_awaitable);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::buffer_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    co_await bhttp::async_read_header(*stream, buffer, parser, asio::use_awaitable);
    int status = parser.get().result_int();
    std::string contentType(parser.get()[bhttp::field::content_type]);
    if (status != 200) {
      std::string body;
      char chunk[8192];
      while (!parser.is_done()) {
        parser.get().body().data = chunk;
        parser.get().body().size = sizeof(chunk);
        beast::error_code ec;
        co_await bhttp::async_read(*stream, buffer, parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
        body.append(chunk, sizeof(chunk) - parser.get().body().size);
        if (ec && ec != bhttp::error::need_buffer) {
          break;
        }
      }
      // A named string, not a conditional temporary: GCC 12 frees that twice in co_await.
      std::string replyType = contentType.empty() ? std::string("application/json") : contentType;
      co_await ctx.respond(status, replyType, body);
      co_return;
    }
    if (!(co_await ctx.beginStream(200, "text/plain"))) {
      co_return;
    }
    streaming = true;
    ctx.onDisconnect([stream] {
      beast::error_code ignored;
      beast::get_lowest_layer(*stream).socket().close(ignored);
    });
    char chunk[16384];
    while (!parser.is_done()) {
      parser.get().body().data = chunk;
      parser.get().body().size = sizeof(chunk);
      beast::error_code ec;
      co_await bhttp::async_read_some(*stream, buffer, parser,
                                      asio::redirect_error(asio::use_awaitable, ec));
      size_t got = sizeof(chunk) - parser.get().body().size;
      if (got > 0 && !(co_await ctx.write(std::string(chunk, got)))) {
        break;
      }
      if (ec && ec != bhttp::error::need_buffer) {
        break;
      }
    }
  } catch (const std::exception& e) {
    if (!streaming) {
      spdlog::debug("logs proxy to {}: {}", target->endpoint.host, e.what());
    }
  }
  if (streaming) {
    if (!ctx.disconnected()) {
      co_await ctx.end();
    }
    co_return;
  }
  co_await respondFailure(ctx,
                          statusFailure(503, "ServiceUnavailable",
                                        fmt::format("cannot reach the agent of the node "
                                                    "at {}:{}",
                                                    target->endpoint.host, target->endpoint.port)));
}

asio::awaitable<void> proxyPodExec(http::Context& ctx, ResourceHandlers& handlers,
                                   const ResourceType& type, const RequestInfo& info,
                                   const std::string& token) {
  if (!ctx.isWebSocketUpgrade()) {
    co_await respondFailure(ctx, badRequest("exec needs a WebSocket upgrade "
                                            "(v5.channel.k8s.io or v4.channel.k8s.io)"));
    co_return;
  }
  auto target = targetFor(ctx, handlers, type, info, "exec");
  if (!target) {
    co_await respondFailure(ctx, target.error());
    co_return;
  }
  std::string offered = ctx.request().header("sec-websocket-protocol").value_or("");
  auto dialed =
      co_await dialAgentWebSocket(ctx.executor(), target->endpoint, target->path, token, offered);
  if (!dialed) {
    co_await respondFailure(ctx,
                            statusFailure(503, "ServiceUnavailable", dialed.error().message()));
    co_return;
  }
  AgentWebSocketPtr upstream = *dialed;
  std::string chosen = upstream->protocol;
  std::vector<std::string> protocols;
  if (!chosen.empty()) {
    protocols.push_back(chosen);
  }
  auto accepted = co_await ctx.acceptWebSocket(protocols);
  if (!accepted) {
    upstream->closeSocket();
    if (accepted.error().code() == ErrorCode::kInvalidArgument) {
      co_await ctx.respondError(accepted.error());
    }
    co_return;
  }
  http::WebSocketPtr client = *accepted;
  // Agent -> client on a coroutine of its own; client -> agent here.
  auto done = std::make_shared<http::Event>(ctx.executor());
  asio::co_spawn(
      ctx.executor(),
      [upstream, client, done]() -> asio::awaitable<void> {
        try {
          while (true) {
            beast::flat_buffer buffer;
            co_await upstream->stream.async_read(buffer, asio::use_awaitable);
            if (!(co_await client->write(beast::buffers_to_string(buffer.data())))) {
              break;
            }
          }
        } catch (const std::exception&) {
          // The agent closed the exec (the command ended) or the connection broke.
        }
        co_await client->close();
        done->set();
      },
      asio::detached);
  while (!done->isSet()) {
    auto message = co_await client->read();
    if (!message) {
      break;
    }
    try {
      co_await upstream->stream.async_write(asio::buffer(*message), asio::use_awaitable);
    } catch (const std::exception&) {
      break;
    }
  }
  if (!done->isSet()) {
    upstream->closeSocket();
    co_await done->wait();
  }
}

}  // namespace berth::apiserver
