#pragma once

// Who may do what. Members of system:masters may do everything. A node (user
// "system:node:<name>", group system:nodes) may only do what its agent needs, in the spirit of
// Kubernetes' Node authorizer and NodeRestriction admission:
//   nodes: read all; create, update, patch its own Node (and its status)
//   pods: read all; update/patch the status of, and delete, pods bound to it
//   configmaps, secrets: get those referenced by a pod bound to it
//   leases: its own kube-node-lease/<name>
//   events: create, update, patch
// Everyone else gets 403.

#include <optional>
#include <string>

#include "apiserver/api_status.h"
#include "apiserver/object_store.h"
#include "apiserver/request_info.h"
#include "http/auth.h"

namespace berth::apiserver {

class Authorizer {
 public:
  Authorizer(ResourceRegistry& registry, ObjectStore& objects)
      : registry_(registry), objects_(objects) {}

  // nullopt when allowed; else the 403 to send. `verb`: get, list, watch, create, update,
  // patch, delete, deletecollection.
  std::optional<ApiFailure> check(const std::optional<http::Identity>& who, const std::string& verb,
                                  const RequestInfo& info) const;

  // The node name of a node identity, else nullopt.
  static std::optional<std::string> nodeName(const http::Identity& who);
  static bool isMaster(const http::Identity& who);

 private:
  bool nodeAllowed(const std::string& node, const std::string& verb, const RequestInfo& info) const;
  bool podOnNode(const std::string& namespace_, const std::string& name,
                 const std::string& node) const;
  bool referencedByPodOnNode(const std::string& resource, const std::string& namespace_,
                             const std::string& name, const std::string& node) const;

  ResourceRegistry& registry_;
  ObjectStore& objects_;
};

}  // namespace berth::apiserver
