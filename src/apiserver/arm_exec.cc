// The ARM exec session: from a POST to a session, and from the session's WebSocket to the
// agent's exec endpoint, translating the Kubernetes channel protocol to raw messages.

#include "apiserver/arm_exec.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "apiserver/agent_connection.h"
#include "http/event.h"

namespace berth::apiserver {

using nlohmann::json;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace inst = berth::instances;

namespace {

constexpr const char* kJson = "application/json; charset=utf-8";
constexpr char kStdin = 0;
constexpr char kStdout = 1;
constexpr char kStderr = 2;
constexpr char kStatus = 3;
constexpr uint16_t kNormal = 1000;
constexpr uint16_t kPolicy = 1008;
constexpr uint16_t kInternal = 1011;

// How the command ended, from the agent's status channel (a Kubernetes Status).
struct Ending {
  std::optional<int> exitCode;
  std::string failure;  // when it did not run
};

void readStatus(const std::string& message, Ending& ending) {
  json status = json::parse(message, nullptr, false);
  if (!status.is_object()) {
    ending.failure = "unreadable exec status";
    return;
  }
  if (status.value("status", "") == "Success") {
    ending.exitCode = 0;
    return;
  }
  if (status.value("reason", "") == "NonZeroExitCode") {
    json causes = status.value("details", json::object()).value("causes", json::array());
    for (const auto& cause : causes) {
      if (cause.value("reason", "") == "ExitCode") {
        try {
          ending.exitCode = std::stoi(cause.value("message", ""));
          return;
        } catch (const std::exception&) {
          break;
        }
      }
    }
  }
  ending.failure = status.value("message", "the command failed");
}

// Agent -> client until the agent closes; then closes the client with the command's end.
asio::awaitable<void> relayOutput(AgentWebSocketPtr upstream, http::WebSocketPtr client,
                                  std::shared_ptr<http::Event> done) {
  Ending ending;
  try {
    while (true) {
      beast::flat_buffer buffer;
      co_await upstream->stream.async_read(buffer, asio::use_awaitable);
      std::string message = beast::buffers_to_string(buffer.data());
      if (message.empty()) {
        continue;
      }
      if (message[0] == kStdout || message[0] == kStderr) {
        if (message.size() > 1 && !(co_await client->write(message.substr(1)))) {
          break;  // the client is gone
        }
      } else if (message[0] == kStatus) {
        readStatus(message.substr(1), ending);
      }
    }
  } catch (const std::exception&) {
    // The agent closed the exec (the command ended) or the connection broke.
  }
  if (ending.exitCode) {
    co_await client->close(kNormal, fmt::format("exit code {}", *ending.exitCode));
  } else if (!ending.failure.empty()) {
    co_await client->close(kInternal, ending.failure);
  } else {
    co_await client->close(kInternal, "the connection to the container's node broke");
  }
  done->set();
}

}  // namespace

ArmExec::ArmExec(std::string proxyToken, const Clock& clock)
    : proxyToken_(std::move(proxyToken)), sessions_(clock) {}

const Clock& ArmExec::realClock() {
  static const RealClock clock;
  return clock;
}

inst::ArmResult<ArmReply> ArmExec::create(ArmService& service, const inst::ArmPath& path,
                                          const ArmCall& call) {
  auto target = service.execTarget(path, call);
  if (!target) {
    return std::unexpected(target.error());
  }
  ArmExecCredentials credentials = sessions_.create(std::move(*target));
  // baseUrl is "https://HOST[:PORT]", as the client addressed us.
  std::string host = call.baseUrl.substr(call.baseUrl.find("://") + 3);
  ArmReply reply;
  reply.body =
      json{{"webSocketUri", fmt::format("wss://{}/instances/exec/{}", host, credentials.id)},
           {"password", credentials.password}};
  return reply;
}

asio::awaitable<void> ArmExec::serveSocket(http::Context& ctx) {
  auto claim = sessions_.claim(ctx.request().param("id"));
  if (!claim) {
    inst::ArmError error{404, "ExecSessionNotFound",
                         "The exec session does not exist, has expired or was used already."};
    co_await ctx.respond(404, kJson, error.body());
    co_return;
  }
  if (!ctx.isWebSocketUpgrade()) {
    inst::ArmError error{400, "InvalidRequest", "The exec session needs a WebSocket upgrade."};
    co_await ctx.respond(400, kJson, error.body());
    co_return;
  }
  std::vector<std::string> anyProtocol;
  auto accepted = co_await ctx.acceptWebSocket(std::move(anyProtocol));
  if (!accepted) {
    co_return;  // the handshake failed: nothing to answer on
  }
  http::WebSocketPtr client = *accepted;
  auto executor = ctx.executor();

  // 1. The password, within kPasswordTimeout.
  auto answered = std::make_shared<http::Event>(executor);
  asio::co_spawn(
      executor,
      [client, answered]() -> asio::awaitable<void> {
        if (!(co_await answered->waitFor(kPasswordTimeout))) {
          co_await client->close(kPolicy, "no password");
        }
      },
      asio::detached);
  auto password = co_await client->read();
  answered->set();
  if (!password) {
    co_return;
  }
  if (!claim->accepts(*password)) {
    co_await client->close(kPolicy, "invalid password");
    co_return;
  }

  // 2. The command, through the agent.
  auto dialed = co_await dialAgentWebSocket(executor, claim->target.agent, claim->target.path,
                                            proxyToken_, "v5.channel.k8s.io");
  if (!dialed) {
    spdlog::debug("arm exec: {}", dialed.error().message());
    co_await client->close(kInternal, "the container's node cannot be reached");
    co_return;
  }
  AgentWebSocketPtr upstream = *dialed;
  auto done = std::make_shared<http::Event>(executor);
  asio::co_spawn(executor, relayOutput(upstream, client, done), asio::detached);
  while (!done->isSet()) {
    auto message = co_await client->read();
    if (!message) {
      break;
    }
    if (message->empty()) {
      continue;
    }
    std::string data = std::string(1, kStdin) + *message;
    try {
      co_await upstream->stream.async_write(asio::buffer(data), asio::use_awaitable);
    } catch (const std::exception&) {
      break;
    }
  }
  // 3. The relay closes the client once the agent ended; a client gone first ends the exec.
  if (!done->isSet()) {
    upstream->closeSocket();
    co_await done->wait();
  }
}

}  // namespace berth::apiserver
