#pragma once

// pods/log and pods/exec: found the pod's node, then relayed to that node's agent (its node
// endpoint: /containerLogs/... and /exec/...) over HTTPS with the API server's own token.
// Both are asynchronous on the client connection's strand: a `logs -f` or an interactive exec
// costs no thread, and a client that goes away closes the upstream connection.

#include <boost/asio/awaitable.hpp>
#include <string>

#include "apiserver/request_info.h"
#include "apiserver/resource_handlers.h"

namespace berth::apiserver {

boost::asio::awaitable<void> proxyPodLog(http::Context& ctx, ResourceHandlers& handlers,
                                         const ResourceType& type, const RequestInfo& info,
                                         const std::string& token);

boost::asio::awaitable<void> proxyPodExec(http::Context& ctx, ResourceHandlers& handlers,
                                          const ResourceType& type, const RequestInfo& info,
                                          const std::string& token);

}  // namespace berth::apiserver
