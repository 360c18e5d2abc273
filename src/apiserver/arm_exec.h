#pragma once

// Exec in a container group's container (ARM, reference §1.9): the POST creates a session, the
// WebSocket of the session runs the command through the agent of the group's pod.
//
//   POST .../containerGroups/{g}/containers/{c}/exec  {"command": "...", "terminalSize": {...}}
//     200 {"webSocketUri": "wss://HOST/instances/exec/ID", "password": "..."}: a single-use
//     session (arm_exec_sessions.h) that expires 60 s after the POST if nobody connects. Errors
//     as ArmService::execTarget says.
//   GET /instances/exec/{id} (WebSocket upgrade, no bearer token: the password is the
//     credential). An unknown, expired or used session: 404 before the upgrade. Then:
//       1. the client's first message (text or binary) is the password; a wrong one closes with
//          1008 "invalid password" (and the session is gone), none within 30 s with 1008
//          "no password";
//       2. the command runs (agent /exec, v5.channel.k8s.io); every later client message is
//          written to its stdin; its stdout and stderr come as binary messages (raw bytes, no
//          channel byte);
//       3. when it exits the server closes with 1000 and the reason "exit code N". When the
//          command cannot run or the agent cannot be reached: 1011 with the reason. A client
//          that goes away has the command killed.
//
// Thread safety: all members may be called concurrently.

#include <boost/asio/awaitable.hpp>
#include <string>

#include "apiserver/arm_exec_sessions.h"
#include "apiserver/arm_service.h"
#include "base/clock.h"
#include "http/server.h"
#include "instances/arm_error.h"
#include "instances/arm_paths.h"

namespace berth::apiserver {

class ArmExec {
 public:
  static constexpr std::chrono::seconds kPasswordTimeout{30};

  // `proxyToken` is the API server's identity towards agents. `clock` must outlive this.
  explicit ArmExec(std::string proxyToken, const Clock& clock = realClock());

  // The POST: finds the target through `service` and creates the session.
  instances::ArmResult<ArmReply> create(ArmService& service, const instances::ArmPath& path,
                                        const ArmCall& call);
  // The WebSocket at /instances/exec/{id} (the route's `id` parameter).
  boost::asio::awaitable<void> serveSocket(http::Context& ctx);

  ArmExecSessions& sessions() { return sessions_; }

 private:
  static const Clock& realClock();

  std::string proxyToken_;
  ArmExecSessions sessions_;
};

}  // namespace berth::apiserver
