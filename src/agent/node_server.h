#pragma once

// The node's HTTPS endpoint (like the kubelet's :10250): container logs and exec for the API
// server and the CLI. Every endpoint but /healthz requires the bearer token.
//
//   GET /healthz                                   "ok"
//   GET /containerLogs/{namespace}/{pod}/{container}
//       ?follow&tailLines&timestamps&previous&limitBytes&sinceSeconds&sinceTime
//       text/plain; chunked while following. Errors are Kubernetes Status JSON (400 naming a
//       bad parameter, 404 for an unknown pod/container or a missing previous instance).
//   GET|POST /exec/{namespace}/{pod}/{container}?command=..&command=..&stdin&stdout&stderr&tty
//       WebSocket upgrade with the Kubernetes remotecommand protocol (v5.channel.k8s.io,
//       v4.channel.k8s.io): binary messages whose first byte is the channel (0 stdin, 1 stdout,
//       2 stderr, 3 status, 4 resize, 255 close a channel [v5]). The exit is reported on
//       channel 3 as a Status ("Success", or "Failure"/"NonZeroExitCode" with the exit code as
//       cause), then the socket closes. A client that goes away has its process killed.
//   GET /stats/summary
//       application/json: CPU and memory of the node and of each running container
//       (stats_summary.h); 404 when the server has no StatsProvider.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/container_locator.h"
#include "agent/runtime/runtime.h"
#include "agent/stats_summary.h"
#include "base/clock.h"
#include "base/error.h"
#include "http/server.h"
#include "http/tls.h"

namespace berth::agent {

struct NodeServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 10250;  // 0: ephemeral (tests), see NodeServer::port()
  // The bearer token callers must present. Required (start() fails without one).
  std::string token;
  // Also admitted: callers this one accepts (a TokenReviewAuthenticator when joined to a
  // control plane). Tried after `token`.
  http::AuthenticatorPtr extraAuthenticator;
  // Directory of the TLS material (http::ensureTlsFiles); empty: plain HTTP (tests only).
  std::filesystem::path tlsDir;
  std::vector<std::string> tlsNames;  // extra SANs: the node's name and addresses
  int threads = 1;
  // How often a followed log rechecks whether its container still runs (the file itself is
  // watched with inotify).
  std::chrono::milliseconds followRecheck{500};
  // Source of /stats/summary (called on an io thread; must be thread-safe); empty: 404.
  StatsProvider stats;
};

class NodeServer {
 public:
  // `locator`, `runtime` and `clock` must outlive the server; they are called from its io
  // threads (ContainerLocator::locate must be thread-safe).
  NodeServer(ContainerLocator& locator, runtime::Runtime& runtime, NodeServerOptions options,
             const Clock& clock);
  // Stops the server.
  ~NodeServer();
  NodeServer(const NodeServer&) = delete;
  NodeServer& operator=(const NodeServer&) = delete;

  // Creates/loads the TLS material and starts listening. kInvalidArgument without a token;
  // errors of ensureTlsFiles and Server::start.
  Status start();
  // The bound port (after start()).
  uint16_t port() const;
  // The TLS files in use (after start() with a tlsDir): clients verify against caCert.
  const std::optional<http::TlsFiles>& tlsFiles() const { return tlsFiles_; }
  // Closes all connections (followers end, exec'd processes are killed) and stops. Idempotent.
  void stop();

  // Internal: exec waits for processes on threads of their own; they are counted so that
  // stop() can wait for them.
  struct BlockingCalls {
    std::mutex mu;
    std::condition_variable cv;
    int running = 0;
  };

 private:
  http::Router makeRouter();

  ContainerLocator& locator_;
  runtime::Runtime& runtime_;
  NodeServerOptions options_;
  const Clock& clock_;
  std::optional<http::TlsFiles> tlsFiles_;
  std::unique_ptr<http::Server> server_;
  std::shared_ptr<BlockingCalls> blocking_ = std::make_shared<BlockingCalls>();
};

// The handlers, one file each (node_server_logs_handler.cc, node_server_exec.cc,
// node_server_stats.cc).
boost::asio::awaitable<void> handleContainerLogs(http::Context& ctx, ContainerLocator& locator,
                                                 const Clock& clock,
                                                 std::chrono::milliseconds recheck);
boost::asio::awaitable<void> handleStatsSummary(http::Context& ctx, const StatsProvider& stats);
boost::asio::awaitable<void> handleExec(http::Context& ctx, ContainerLocator& locator,
                                        runtime::Runtime& runtime,
                                        std::shared_ptr<NodeServer::BlockingCalls> blocking);

}  // namespace berth::agent
