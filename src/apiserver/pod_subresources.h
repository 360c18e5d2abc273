#pragma once

// The pod subresources beyond status: binding (the scheduler's assignment), eviction (drain),
// and log and exec, which the API server proxies to the agent of the pod's node with its own
// token (system:apiserver). As kube-apiserver does by default, the agent's self-signed serving
// certificate is not verified; the agent checks our token by TokenReview.

#include <string>

#include "apiserver/object_store.h"
#include "apiserver/resource_handlers.h"

namespace berth::apiserver {

void addPodSubresources(ResourceHandlers& handlers, ObjectStore& objects,
                        const std::string& proxyToken);

// Where the agent of `nodeName` serves logs and exec: host and port from the Node's
// InternalIP address and daemonEndpoints.kubeletEndpoint.Port. kNotFound/kUnavailable.
struct NodeEndpoint {
  std::string host;
  std::string port;
};
Result<NodeEndpoint> nodeEndpoint(ResourceHandlers& handlers, const std::string& nodeName);

}  // namespace berth::apiserver
