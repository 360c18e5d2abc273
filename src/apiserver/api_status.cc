#include "apiserver/api_status.h"

#include <fmt/format.h>

#include "http/k8s_status.h"

namespace berth::apiserver {

using nlohmann::json;

std::string qualifiedResource(const ResourceType& type) {
  return type.group.empty() ? type.resource : type.resource + "." + type.group;
}

ApiFailure statusFailure(int code, std::string_view reason, std::string message, json details) {
  json status = {{"kind", "Status"},
                 {"apiVersion", "v1"},
                 {"metadata", json::object()},
                 {"status", "Failure"},
                 {"message", std::move(message)},
                 {"reason", reason},
                 {"code", code}};
  if (!details.is_null()) {
    status["details"] = std::move(details);
  }
  return ApiFailure{code, std::move(status)};
}

namespace {

json detailsFor(const ResourceType& type, const std::string& name) {
  json details = {{"name", name}, {"kind", type.resource}};
  if (!type.group.empty()) {
    details["group"] = type.group;
  }
  return details;
}

}  // namespace

ApiFailure notFound(const ResourceType& type, const std::string& name) {
  return statusFailure(404, "NotFound",
                       fmt::format("{} \"{}\" not found", qualifiedResource(type), name),
                       detailsFor(type, name));
}

ApiFailure alreadyExists(const ResourceType& type, const std::string& name) {
  return statusFailure(409, "AlreadyExists",
                       fmt::format("{} \"{}\" already exists", qualifiedResource(type), name),
                       detailsFor(type, name));
}

ApiFailure conflict(const ResourceType& type, const std::string& name, std::string why) {
  if (why.empty()) {
    why =
        "the object has been modified; please apply your changes to the latest version and "
        "try again";
  }
  return statusFailure(409, "Conflict",
                       fmt::format("Operation cannot be fulfilled on {} \"{}\": {}",
                                   qualifiedResource(type), name, why),
                       detailsFor(type, name));
}

ApiFailure invalid(const ResourceType& type, const std::string& name,
                   const std::vector<Cause>& causes) {
  json list = json::array();
  std::vector<std::string> texts;
  for (const auto& cause : causes) {
    list.push_back({{"reason", cause.reason}, {"message", cause.message}, {"field", cause.field}});
    texts.push_back(cause.field.empty() ? cause.message
                                        : fmt::format("{}: {}", cause.field, cause.message));
  }
  std::string joined = texts.size() == 1 ? texts[0] : fmt::format("[{}]", fmt::join(texts, ", "));
  json details = {{"name", name}, {"kind", type.kind}, {"causes", std::move(list)}};
  if (!type.group.empty()) {
    details["group"] = type.group;
  }
  return statusFailure(422, "Invalid",
                       fmt::format("{} \"{}\" is invalid: {}", type.kind, name, joined),
                       std::move(details));
}

ApiFailure badRequest(std::string message) {
  return statusFailure(400, "BadRequest", std::move(message));
}

ApiFailure forbidden(std::string message) {
  return statusFailure(403, "Forbidden", std::move(message));
}

ApiFailure fromError(const ResourceType& type, const std::string& name, const Error& error) {
  switch (error.code()) {
    case ErrorCode::kNotFound:
      return notFound(type, name);
    case ErrorCode::kAlreadyExists:
      return alreadyExists(type, name);
    case ErrorCode::kConflict:
      return conflict(type, name);
    default:
      return fromError(error);
  }
}

ApiFailure fromError(const Error& error) {
  int code = http::httpCodeFor(error.code());
  return statusFailure(code, http::reasonFor(code), error.message());
}

json successStatus(const ResourceType& type, const std::string& name, const std::string& uid) {
  json details = detailsFor(type, name);
  details["uid"] = uid;
  return {{"kind", "Status"},
          {"apiVersion", "v1"},
          {"metadata", json::object()},
          {"status", "Success"},
          {"details", std::move(details)}};
}

}  // namespace berth::apiserver
