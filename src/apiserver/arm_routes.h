#pragma once

// The ARM container-group API (Microsoft.ContainerInstance, reference §1.9) on the API
// server's HTTPS listener, under /subscriptions/...: the paths of instances/arm_paths.h, served
// by ArmService (arm_service.h). Every request is answered in ARM's shape:
//   no bearer token          401 AuthenticationFailed ("Authentication failed. The
//                            'Authorization' header is missing.")
//   an unknown token         401 InvalidAuthenticationToken
//   not system:masters       403 AuthorizationFailed (nodes and other users)
//   api-version              instances::checkApiVersion (with the PUT body's location)
//   an unknown path          404 InvalidResourceType; a method the path does not serve: 405
//                            MethodNotAllowed
// GET .../containers/{c}/logs?tail=N&timestamps=bool answers {"content": "..."} fetched from
// the agent of the group's pod (empty while the group has no pod on a node).
// GET .../meteredUsage (subscription or resource group scope) answers ArmService::meteredUsage.
// POST .../containers/{c}/exec {"command": "...", "terminalSize": {"rows": R, "cols": C}}
// answers {"webSocketUri": "wss://HOST/instances/exec/ID", "password": "..."}: a single-use
// session, expiring 60 s after the POST if unused (arm_exec.h). The WebSocket
// GET /instances/exec/{id} needs no bearer token: the password is the credential.
//   - unknown, expired or used id: 404 before the upgrade;
//   - the client's FIRST message (text or binary) is the password; wrong: close 1008
//     "invalid password";
//   - then the command (split on whitespace; a TTY when terminalSize was given) runs in the
//     container through its node's agent; later client messages go to its stdin, its stdout
//     and stderr come back as binary messages of raw bytes;
//   - at its exit the server closes with 1000 and the reason "exit code N"; 1011 with a reason
//     when it could not run or the node could not be reached. A client leaving kills it.
// REQUIRES: the routes are added before the generic resource routes.

#include <string>

#include "apiserver/arm_service.h"
#include "apiserver/resource_handlers.h"
#include "http/auth.h"
#include "http/server.h"

namespace berth::apiserver {

// `tokens` authenticates the bearer tokens; `proxyToken` is the API server's identity towards
// agents (log fetches). All references must outlive the router.
void addArmRoutes(http::Router& router, ResourceHandlers& handlers, http::AuthenticatorPtr tokens,
                  const std::string& proxyToken, ArmOptions options = {});

}  // namespace berth::apiserver
