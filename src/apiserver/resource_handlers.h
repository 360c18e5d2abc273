#pragma once

// The generic Kubernetes resource endpoints: get, list, watch, create, update, patch, delete
// for every registered ResourceType, with admission (defaults, validation, metadata), Table
// output, selectors, dryRun and fieldValidation. Subresources that need more than the generic
// machinery (pods/log, pods/exec, pods/binding, pods/eviction) are handed to hooks.
//
// The synchronous cores (createObject, updateObject, deleteObject) are also what in-process
// callers use; they return the object or the Status to send.

#include <boost/asio/awaitable.hpp>
#include <expected>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/selector.h"
#include "apiserver/api_status.h"
#include "apiserver/authorizer.h"
#include "apiserver/object_store.h"
#include "apiserver/request_info.h"
#include "apiserver/resource_type.h"
#include "base/clock.h"
#include "http/server.h"

namespace berth::apiserver {

template <typename T>
using ApiResult = std::expected<T, ApiFailure>;

struct WriteOptions {
  bool dryRun = false;
  std::string fieldValidation = "Strict";  // Strict | Warn | Ignore
  std::string fieldManager;
  std::vector<std::string>* warnings = nullptr;  // collects Warn-mode messages
};

struct DeleteOptions {
  std::optional<int64_t> gracePeriodSeconds;
  std::string propagationPolicy;
  std::optional<std::string> preconditionUid;
  std::optional<std::string> preconditionResourceVersion;
  bool dryRun = false;
};

// A subresource served by code of its own (pods/log, pods/exec, pods/binding, ...).
using SubresourceHandler = std::function<boost::asio::awaitable<void>(
    http::Context& ctx, const RequestInfo& info, const ResourceType& type)>;

class ResourceHandlers {
 public:
  ResourceHandlers(ResourceRegistry& registry, ObjectStore& objects, Authorizer& authorizer,
                   Clock& clock);

  // "pods/log" -> handler. REQUIRES: before serving.
  void addSubresource(const std::string& resourceAndSubresource, SubresourceHandler handler);

  // Serves one request on a resource path (/api/v1/..., /apis/g/v/...).
  boost::asio::awaitable<void> serve(http::Context& ctx);

  // --- synchronous cores ---
  ApiResult<nlohmann::json> createObject(const ResourceType& type, const std::string& namespace_,
                                         nlohmann::json object, const WriteOptions& options);
  // Reads the object, applies `mutate` to a copy and writes it back, retrying on conflicts
  // (mutate may run several times). The subresource decides what may change: "" keeps the
  // status of kinds with a status subresource, "status" keeps everything but the status.
  ApiResult<nlohmann::json> updateObject(
      const ResourceType& type, const std::string& namespace_, const std::string& name,
      const std::string& subresource,
      const std::function<ApiResult<nlohmann::json>(const nlohmann::json& current)>& mutate,
      const WriteOptions& options);
  ApiResult<nlohmann::json> deleteObject(const ResourceType& type, const std::string& namespace_,
                                         const std::string& name, const DeleteOptions& options);

  ObjectStore& objects() { return objects_; }
  ResourceRegistry& registry() { return registry_; }
  Clock& clock() { return clock_; }

 private:
  boost::asio::awaitable<void> get(http::Context& ctx, const RequestInfo& info,
                                   const ResourceType& type);
  boost::asio::awaitable<void> list(http::Context& ctx, const RequestInfo& info,
                                    const ResourceType& type);
  boost::asio::awaitable<void> watch(http::Context& ctx, const RequestInfo& info,
                                     const ResourceType& type);
  boost::asio::awaitable<void> create(http::Context& ctx, const RequestInfo& info,
                                      const ResourceType& type);
  boost::asio::awaitable<void> update(http::Context& ctx, const RequestInfo& info,
                                      const ResourceType& type);
  boost::asio::awaitable<void> patch(http::Context& ctx, const RequestInfo& info,
                                     const ResourceType& type);
  boost::asio::awaitable<void> remove(http::Context& ctx, const RequestInfo& info,
                                      const ResourceType& type);
  boost::asio::awaitable<void> removeCollection(http::Context& ctx, const RequestInfo& info,
                                                const ResourceType& type);

  // Finishes an object for writing: metadata rules, generation, defaults and validation.
  ApiResult<nlohmann::json> admitUpdate(const ResourceType& type, nlohmann::json next,
                                        const nlohmann::json& current,
                                        const std::string& subresource,
                                        const WriteOptions& options);
  // After a write: an object being deleted whose finalizers are all gone is removed.
  ApiResult<nlohmann::json> finishDeletion(const ResourceType& type, nlohmann::json object);

  ResourceRegistry& registry_;
  ObjectStore& objects_;
  Authorizer& authorizer_;
  Clock& clock_;
  std::map<std::string, SubresourceHandler> subresources_;
};

// Helpers shared by the handler files.

// Sends `object` as JSON, or as a Table when the request's Accept asks for one.
boost::asio::awaitable<void> respondObject(http::Context& ctx, const ResourceType& type, int code,
                                           const nlohmann::json& object);
boost::asio::awaitable<void> respondFailure(http::Context& ctx, const ApiFailure& failure);
// Parses a request body (JSON, YAML, Kubernetes protobuf) into JSON.
ApiResult<nlohmann::json> decodeBody(const http::Request& request);
// The request's WriteOptions (dryRun, fieldValidation, fieldManager) from its query.
ApiResult<WriteOptions> writeOptions(const http::Request& request);
// The label and field selectors of a list, watch or deletecollection request.
struct ListFilter {
  api::LabelSelector labels;
  api::FieldSelector fields;
  bool matches(const ResourceType& type, const nlohmann::json& object) const;
};
// Parses them; 400 for a malformed selector or a field the kind does not support.
ApiResult<ListFilter> listFilter(const http::Request& request, const ResourceType& type);
// Whether the Accept header asks for a meta.k8s.io Table.
bool wantsTable(const http::Request& request);

}  // namespace berth::apiserver
