#pragma once

// The CLI's connection to Berth's ARM container-group API (apiserver/arm_routes.h): the
// kubeconfig's server, CA and bearer token, the subscription, and one call that turns ARM
// error bodies into Errors.
//
//   BERTH_ASSIGN_OR_RETURN(auto arm, ArmClient::connect({.kubeconfig = flag}));
//   BERTH_ASSIGN_OR_RETURN(auto reply, arm.call("GET", arm.groupPath("rg", "web")));
//
// Errors of call(): an ARM error body {"error":{"code":C,"message":M}} becomes an Error whose
// message is "(C) M" and whose code follows the HTTP status (400 kInvalidArgument, 401
// kUnauthenticated, 403 kPermissionDenied, 404 kNotFound, 409 kConflict, 5xx kUnavailable,
// other kInternal); a status >= 400 without such a body becomes "(HttpStatusN) <body>"; no
// reply at all keeps the transport's Error. Not thread-safe to configure; calls may come from
// any thread.

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "base/error.h"
#include "client/api_client.h"
#include "http/client.h"

namespace berth::cli {

inline constexpr const char* kArmApiVersion = "2023-05-01";
inline constexpr const char* kDefaultSubscription = "00000000-0000-0000-0000-000000000000";

struct ArmConnectionFlags {
  std::string kubeconfig;    // empty: $BERTH_KUBECONFIG, else $KUBECONFIG, else the default
  std::string subscription;  // empty: $BERTH_SUBSCRIPTION, else kDefaultSubscription
};

// The kubeconfig path the flags select (see ArmConnectionFlags).
std::string resolveKubeconfigPath(const std::string& flag);
// The subscription the flags select.
std::string resolveSubscription(const std::string& flag);

struct ArmReply {
  int status = 0;
  nlohmann::json body;                         // null when the reply had no (JSON) body
  std::map<std::string, std::string> headers;  // lowercase names
};

// The ARM error in `reply` ("(code) message"), for statuses >= 400.
Error armError(int status, const std::string& body);

class ArmClient {
 public:
  ArmClient(client::ClientConfig config, std::string subscription);

  // Reads the kubeconfig; kInvalidArgument naming the file when it cannot be used.
  static Result<ArmClient> connect(const ArmConnectionFlags& flags);

  const std::string& subscription() const { return subscription_; }
  const client::ClientConfig& config() const { return config_; }

  // /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ContainerInstance/containerGroups
  // (rg empty: the subscription-wide collection).
  std::string groupsPath(const std::string& resourceGroup) const;
  // groupsPath(rg) + "/" + name.
  std::string groupPath(const std::string& resourceGroup, const std::string& name) const;
  // The meteredUsage route of the subscription or of a resource group.
  std::string usagePath(const std::string& resourceGroup) const;

  // Sends `method` to `target`: a path (the server URL and "?api-version=" are added; a
  // path that has a query gets "&api-version=") or an absolute https:// URL (a nextLink or an
  // Azure-AsyncOperation URL, sent as is). `body` is sent as JSON unless null.
  Result<ArmReply> call(const std::string& method, const std::string& target,
                        const nlohmann::json& body = nullptr) const;

 private:
  client::ClientConfig config_;
  std::string subscription_;
};

// `flag` when set, else the name of the group's first container (as az does for logs and
// exec). kNotFound (ARM's message) for an unknown group; kInvalidArgument for a group
// without containers.
Result<std::string> resolveContainerName(const ArmClient& arm, const std::string& resourceGroup,
                                         const std::string& group, const std::string& flag);

}  // namespace berth::cli
