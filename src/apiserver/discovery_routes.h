#pragma once

// The routes that describe the API rather than serve objects: /version, /healthz,
// discovery (/api, /apis, /api/v1, /apis/{g}, /apis/{g}/{v}) and OpenAPI v3.

#include "apiserver/resource_type.h"
#include "http/router.h"

namespace berth::apiserver {

// REQUIRES: `registry` outlives the router.
void addDiscoveryRoutes(http::Router& router, const ResourceRegistry& registry);

}  // namespace berth::apiserver
