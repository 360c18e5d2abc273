#pragma once

// The ARM container-group API (Microsoft.ContainerInstance/containerGroups) on top of the
// generic resource machinery: each call takes a parsed ARM path (instances/arm_paths.h) and
// answers with an ArmReply or an ArmError, translating to and from the internal resource
// containergroups.instances.berth.io (instances/arm_resource.h) and the core Namespace and
// Secret objects that groupToPod names. The HTTP side (tokens, api-version, routing, logs) is
// arm_routes.h.
//
//   PUT      validate (body, group and subscription quotas); an existing group is checked
//            with checkUpdate (kUnchanged and kTagsOnly keep the containers running; a spec or
//            secret change sets spec.restartedAt); then the Namespace, the Secrets (stale ones
//            of the group removed) and the ContainerGroup are written, in that order. 201 on
//            create, 200 on update, with Azure-AsyncOperation. Tags live in an annotation so a
//            tags-only update does not bump the generation.
//   GET      the group (404 ResourceNotFound); LIST by resource group or subscription, sorted by
//            id, pages of `$top` (default pageSize) with `$skipToken` in nextLink.
//   DELETE   the ContainerGroup (its pod goes by ownerReference) and its Secrets: 200 with the
//            group, 204 when there was none. Its open billing interval is closed first.
//   POST     stop: desiredState Stopped and the billing interval closed, 204. start: a stopped
//            group gets desiredState Running and restartedAt, 202 with Azure-AsyncOperation; a
//            running one 204. restart: desiredState Running and restartedAt, 204.
//   PATCH    tags only (the body's "tags" replace the group's), 200 with the group.
//
// Thread safety: all members may be called concurrently (the store serialises writes).

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "apiserver/arm_exec_sessions.h"
#include "apiserver/resource_handlers.h"
#include "http/request.h"
#include "instances/arm_error.h"
#include "instances/arm_paths.h"
#include "instances/container_group.h"
#include "instances/dns_name_label.h"
#include "instances/metering.h"
#include "instances/quota.h"

namespace berth::apiserver {

struct ArmOptions {
  instances::GroupQuota groupQuota;
  instances::SubscriptionQuota subscriptionQuota;
  size_t pageSize = 100;  // LIST page size when the request has no $top
  // ipAddress.fqdn of a group with a dnsNameLabel: "<label>.<location>.<dnsZone>"
  // (instances/dns_name_label.h).
  std::string dnsZone = instances::kDefaultDnsZone;
  // The prices of GET .../meteredUsage (`--price-table`, instances/metering.h).
  instances::PriceTable prices;
};

struct ArmReply {
  int status = 200;
  std::optional<nlohmann::json> body;  // none: an empty body (204, 202)
  std::map<std::string, std::string> headers;
};

// What the call needs of the request besides the path.
struct ArmCall {
  std::string baseUrl;     // "https://HOST" as the client addressed us
  std::string apiVersion;  // checked already
  std::string path;        // the request path as sent (percent-encoded)
  http::Query query;
  std::string body;
};

// Where a group's container logs are fetched from (the agent of the pod's node).
struct ArmLogTarget {
  std::string url;    // https://node:port/containerLogs/NS/POD/CONTAINER?... ; empty: no pod
  bool ready = true;  // false: the group has no running pod (the content is empty)
};

class ArmService {
 public:
  ArmService(ResourceHandlers& handlers, ArmOptions options);

  instances::ArmResult<ArmReply> put(const instances::ArmPath& path, const ArmCall& call);
  instances::ArmResult<ArmReply> patch(const instances::ArmPath& path, const ArmCall& call);
  instances::ArmResult<ArmReply> get(const instances::ArmPath& path);
  instances::ArmResult<ArmReply> list(const instances::ArmPath& path, const ArmCall& call);
  instances::ArmResult<ArmReply> remove(const instances::ArmPath& path);
  // start, stop, restart.
  instances::ArmResult<ArmReply> action(const instances::ArmPath& path, const ArmCall& call);
  instances::ArmResult<ArmReply> operation(const instances::ArmPath& path, const ArmCall& call);
  // usages, capabilities, cachedImages (the names in status.images of the instance-pool
  // nodes, label berth.io/pool=instances, whatever the location).
  instances::ArmResult<ArmReply> location(const instances::ArmPath& path);
  // GET .../containers/{c}/logs: where to fetch them (tail and timestamps passed on).
  instances::ArmResult<ArmLogTarget> logTarget(const instances::ArmPath& path, const ArmCall& call);
  // GET .../meteredUsage (arm_metering.cc): the usage and cost of the subscription's groups
  // (or the resource group's, or one `containerGroup`'s) over [from, to) from their billing
  // intervals (instances/metering.h). from defaults to the first interval's start, to to now.
  // 400 InvalidParameter naming `from`, `to` (malformed, or to before from) or
  // `containerGroup` (without a resource group).
  instances::ArmResult<ArmReply> meteredUsage(const instances::ArmPath& path, const ArmCall& call);
  // POST .../containers/{c}/exec (arm_service_exec.cc): the agent exec that runs the body's
  // command, split on whitespace, with a TTY when the body has a terminalSize. 400
  // InvalidRequestContent without a command, 404 ResourceNotFound for an unknown group, 404
  // ContainerNotFound, 409 ContainerGroupNotRunning while the container does not run.
  instances::ArmResult<ArmExecTarget> execTarget(const instances::ArmPath& path,
                                                 const ArmCall& call);

 private:
  // The stored internal object of the group, or nullopt.
  std::optional<nlohmann::json> find(const instances::ArmPath& path) const;
  // The group of `path` holding the container `path.container` (init containers count when
  // `includeInit`); 404 ResourceNotFound or 404 ContainerNotFound.
  instances::ArmResult<instances::ContainerGroup> groupWithContainer(const instances::ArmPath& path,
                                                                     bool includeInit) const;
  // Every stored group of the subscription (and resource group, when given).
  std::vector<nlohmann::json> groupsOf(const std::string& subscriptionId,
                                       const std::string& resourceGroup) const;
  // The Azure-AsyncOperation header for the object's current generation.
  std::map<std::string, std::string> asyncHeader(const nlohmann::json& object,
                                                 const ArmCall& call) const;
  // Writes the Secrets of the group, removing the group's other Secrets; whether any changed.
  instances::ArmResult<bool> writeSecrets(const std::string& namespace_, const std::string& name,
                                          const std::vector<nlohmann::json>& secrets);
  instances::ArmStatus deleteSecrets(const std::string& namespace_, const std::string& name,
                                     const std::vector<std::string>& keep);
  // Applies `mutate` to the stored object's spec (and metadata) and returns the result.
  instances::ArmResult<nlohmann::json> updateGroup(
      const std::string& namespace_, const std::string& name,
      const std::function<void(nlohmann::json& object)>& mutate);

  // Ends the open billing interval of group object `name` in `namespace_` now (stop, DELETE).
  instances::ArmStatus closeMeterRecords(const std::string& namespace_, const std::string& name,
                                         const std::string& reason);
  // 409 DnsNameLabelNotAvailable when another group in the location holds the group's label.
  instances::ArmStatus checkDnsNameLabel(const instances::ContainerGroup& group,
                                         const std::string& id) const;

  ResourceHandlers& handlers_;
  ArmOptions options_;
  // Held from the DNS name label check of a PUT to its write, so two groups cannot both take
  // a label. (A pointer: ArmService stays movable.)
  std::unique_ptr<std::mutex> dnsLabelMu_ = std::make_unique<std::mutex>();
  ResourceTypePtr groups_;
  ResourceTypePtr namespaces_;
  ResourceTypePtr secrets_;
  ResourceTypePtr pods_;
  ResourceTypePtr nodes_;
  ResourceTypePtr meterRecords_;
};

// An ApiFailure of the generic machinery as an ARM error (same HTTP status; code from the
// Kubernetes reason).
instances::ArmError toArmError(const ApiFailure& failure);

}  // namespace berth::apiserver
