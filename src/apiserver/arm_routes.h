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
// the agent of the group's pod (empty while the group has no pod on a node); exec is 501 for
// now. REQUIRES: the routes are added before the generic resource routes.

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
