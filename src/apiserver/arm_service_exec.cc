// ArmService::execTarget: from an ARM exec request to the agent's exec endpoint of the pod.

#include <fmt/format.h>

#include <sstream>

#include "apiserver/arm_service.h"
#include "apiserver/pod_subresources.h"
#include "apiserver/type_support.h"
#include "instances/arm_resource.h"
#include "instances/pod_naming.h"

namespace berth::apiserver {

using nlohmann::json;
namespace inst = berth::instances;
using inst::armFail;
using inst::ArmPath;
using inst::ArmResult;

namespace {

// The value of `key` in `object`, matched as ARM matches property names (any case).
const json* property(const json& object, std::string_view key) {
  for (const auto& [name, value] : object.items()) {
    if (inst::armEquals(name, key) && !value.is_null()) {
      return &value;
    }
  }
  return nullptr;
}

struct ExecRequest {
  std::vector<std::string> command;
  bool tty = false;
};

// The body {"command": "...", "terminalSize": {"rows": N, "cols": N}}.
ArmResult<ExecRequest> parseExecRequest(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (!parsed.is_object()) {
    return armFail(400, "InvalidRequestContent",
                   "The request content was invalid and could not be deserialized: the body "
                   "must be a JSON object with a 'command'.");
  }
  const json* command = property(parsed, "command");
  if (command && !command->is_string()) {
    return armFail(400, "InvalidRequestContent",
                   "The request content was invalid and could not be deserialized: 'command' "
                   "must be a string.");
  }
  ExecRequest request;
  if (command) {
    // Split on whitespace, as the virtual-kubelet joins the argv it is given.
    std::istringstream words(command->get<std::string>());
    for (std::string word; words >> word;) {
      request.command.push_back(word);
    }
  }
  if (request.command.empty()) {
    return armFail(400, "InvalidRequestContent",
                   "The exec request is invalid: the property 'command' is required and must "
                   "not be empty.");
  }
  if (const json* size = property(parsed, "terminalSize")) {
    if (!size->is_object()) {
      return armFail(400, "InvalidRequestContent",
                     "The request content was invalid and could not be deserialized: "
                     "'terminalSize' must be an object.");
    }
    for (const char* key : {"rows", "cols"}) {
      const json* n = property(*size, key);
      if (n && (!n->is_number_integer() || n->get<int64_t>() < 0)) {
        return armFail(400, "InvalidRequestContent",
                       "The request content was invalid and could not be deserialized: "
                       "'terminalSize.{}' must be a non-negative integer.",
                       key);
      }
    }
    request.tty = true;
  }
  return request;
}

// Whether the pod runs and its container `name` is running.
bool containerRunning(const json& pod, const std::string& name) {
  if (types::text(pod, {"status", "phase"}) != "Running") {
    return false;
  }
  const json* statuses = types::at(pod, {"status", "containerStatuses"});
  if (!statuses || !statuses->is_array()) {
    return false;
  }
  for (const auto& status : *statuses) {
    if (status.value("name", "") == name) {
      return types::at(status, {"state", "running"}) != nullptr;
    }
  }
  return false;
}

}  // namespace

ArmResult<ArmExecTarget> ArmService::execTarget(const ArmPath& path, const ArmCall& call) {
  auto request = parseExecRequest(call.body);
  if (!request) {
    return std::unexpected(request.error());
  }
  auto group = groupWithContainer(path, /*includeInit=*/false);
  if (!group) {
    return std::unexpected(group.error());
  }
  const std::string ns = inst::podNamespace(path.subscriptionId, path.resourceGroup);
  auto pod = handlers_.objects().get(*pods_, ns, group->name);
  std::string node = pod ? types::text(*pod->object, {"spec", "nodeName"}) : "";
  if (node.empty() || !containerRunning(*pod->object, path.container)) {
    return armFail(409, "ContainerGroupNotRunning",
                   "The container '{}' of container group '{}' is not running.", path.container,
                   group->name);
  }
  auto endpoint = nodeEndpoint(handlers_, node);
  if (!endpoint) {
    return armFail(503, "ServiceUnavailable", "The node of container group '{}' is unreachable.",
                   group->name);
  }
  std::string query;
  for (const std::string& arg : request->command) {
    query += (query.empty() ? "?command=" : "&command=") + http::percentEncode(arg);
  }
  // With a TTY the terminal carries stdout and stderr together.
  query += request->tty ? "&stdin=true&stdout=true&stderr=false&tty=true"
                        : "&stdin=true&stdout=true&stderr=true";
  return ArmExecTarget{*endpoint, fmt::format("/exec/{}/{}/{}{}", http::percentEncode(ns),
                                              http::percentEncode(group->name),
                                              http::percentEncode(path.container), query)};
}

}  // namespace berth::apiserver
