#include "client/api_client.h"

#include "client/transport.h"
#include "http/request.h"

namespace berth::client {

namespace {

using internal::stringAt;

std::string_view contentTypeOf(PatchType type) {
  switch (type) {
    case PatchType::kMerge:
      return "application/merge-patch+json";
    case PatchType::kStrategicMerge:
      return "application/strategic-merge-patch+json";
    case PatchType::kJson:
      return "application/json-patch+json";
  }
  return "application/json";
}

// The resource with its namespace taken from the object when the resource names none.
Resource scopedFor(const Resource& r, const json& object) {
  Resource scoped = r;
  if (scoped.namespace_.empty() && object.is_object()) {
    scoped.namespace_ = stringAt(object.value("metadata", json::object()), "namespace");
  }
  return scoped;
}

}  // namespace

std::string Resource::path() const {
  std::string p = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (!namespace_.empty()) {
    p += "/namespaces/" + http::percentEncode(namespace_);
  }
  p += "/" + resource;
  return p;
}

std::string Resource::path(const std::string& name, const std::string& subresource) const {
  std::string p = path();
  if (!name.empty()) {
    p += "/" + http::percentEncode(name);
  }
  if (!subresource.empty()) {
    p += "/" + subresource;
  }
  return p;
}

ApiClient::ApiClient(ClientConfig config) : config_(std::move(config)) {}

ApiClient::~ApiClient() = default;

Result<json> ApiClient::get(const Resource& r, const std::string& name,
                            const std::string& subresource) {
  return internal::sendJson(config_, "GET", r.path(name, subresource), "");
}

Result<json> ApiClient::list(const Resource& r, const ListOptions& options) {
  return internal::sendJson(config_, "GET", r.path() + internal::listQuery(options, false), "");
}

Result<json> ApiClient::create(const Resource& r, const json& object) {
  return internal::sendJson(config_, "POST", scopedFor(r, object).path(),
                            internal::dumpJson(object));
}

Result<json> ApiClient::createSubresource(const Resource& r, const std::string& name,
                                          const std::string& subresource, const json& object) {
  return internal::sendJson(config_, "POST", scopedFor(r, object).path(name, subresource),
                            internal::dumpJson(object));
}

Result<json> ApiClient::update(const Resource& r, const json& object,
                               const std::string& subresource) {
  std::string name =
      object.is_object() ? stringAt(object.value("metadata", json::object()), "name") : "";
  if (name.empty()) {
    return fail(ErrorCode::kInvalidArgument, "update of '{}': object has no 'metadata.name'",
                r.path());
  }
  return internal::sendJson(config_, "PUT", scopedFor(r, object).path(name, subresource),
                            internal::dumpJson(object));
}

Result<json> ApiClient::patch(const Resource& r, const std::string& name, PatchType type,
                              const json& patch, const std::string& subresource) {
  return internal::sendJson(config_, "PATCH", r.path(name, subresource), internal::dumpJson(patch),
                            contentTypeOf(type));
}

Result<json> ApiClient::remove(const Resource& r, const std::string& name,
                               const DeleteOptions& options) {
  json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (options.gracePeriodSeconds) {
    body["gracePeriodSeconds"] = *options.gracePeriodSeconds;
  }
  if (!options.propagationPolicy.empty()) {
    body["propagationPolicy"] = options.propagationPolicy;
  }
  if (options.preconditionUid) {
    body["preconditions"] = {{"uid", *options.preconditionUid}};
  }
  return internal::sendJson(config_, "DELETE", r.path(name), internal::dumpJson(body));
}

Result<std::string> ApiClient::raw(std::string_view method, const std::string& pathAndQuery,
                                   const std::string& body, const std::string& contentType) {
  return internal::send(config_, method, pathAndQuery, body, contentType);
}

}  // namespace berth::client
