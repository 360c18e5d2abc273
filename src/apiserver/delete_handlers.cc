// delete and deletecollection: graceful pod deletion, finalizers, terminating namespaces.

#include <fmt/format.h>

#include "api/selector.h"
#include "apiserver/deletion_propagation.h"
#include "apiserver/resource_handlers.h"

namespace berth::apiserver {

using nlohmann::json;
namespace asio = boost::asio;

namespace {

constexpr int kDeleteAttempts = 16;
constexpr int64_t kDefaultPodGraceSeconds = 30;

ApiResult<DeleteOptions> deleteOptions(const http::Request& request) {
  DeleteOptions options;
  if (!request.body.empty()) {
    auto body = decodeBody(request);
    if (!body) {
      return std::unexpected(body.error());
    }
    if (!body->is_object()) {
      return std::unexpected(badRequest("the DeleteOptions body must be a JSON object"));
    }
    if (body->contains("gracePeriodSeconds") && (*body)["gracePeriodSeconds"].is_number()) {
      options.gracePeriodSeconds = (*body)["gracePeriodSeconds"].get<int64_t>();
    }
    options.propagationPolicy = body->value("propagationPolicy", "");
    if (body->value("orphanDependents", false)) {
      options.propagationPolicy = "Orphan";
    }
    const json preconditions = body->value("preconditions", json::object());
    if (preconditions.contains("uid") && preconditions["uid"].is_string()) {
      options.preconditionUid = preconditions["uid"].get<std::string>();
    }
    if (preconditions.contains("resourceVersion") && preconditions["resourceVersion"].is_string()) {
      options.preconditionResourceVersion = preconditions["resourceVersion"].get<std::string>();
    }
    for (const auto& dry : body->value("dryRun", json::array())) {
      options.dryRun = options.dryRun || dry == "All";
    }
  }
  auto grace = request.query.integer("gracePeriodSeconds");
  if (!grace) {
    return std::unexpected(badRequest(grace.error().message()));
  }
  if (grace->has_value()) {
    options.gracePeriodSeconds = **grace;
  }
  if (auto policy = request.query.get("propagationPolicy")) {
    options.propagationPolicy = *policy;
  }
  for (const auto& dry : request.query.all("dryRun")) {
    options.dryRun = options.dryRun || dry == "All";
  }
  if (!options.propagationPolicy.empty() && options.propagationPolicy != "Background" &&
      options.propagationPolicy != "Foreground" && options.propagationPolicy != "Orphan") {
    return std::unexpected(badRequest(fmt::format(
        "propagationPolicy: Unsupported value: \"{}\": supported values: \"Foreground\", "
        "\"Background\", \"Orphan\"",
        options.propagationPolicy)));
  }
  return options;
}

std::vector<std::string> finalizersOf(const json& meta) {
  std::vector<std::string> out;
  auto it = meta.find("finalizers");
  if (it != meta.end() && it->is_array()) {
    for (const auto& f : *it) {
      if (f.is_string()) {
        out.push_back(f.get<std::string>());
      }
    }
  }
  return out;
}

bool isTerminalPod(const json& pod) {
  std::string phase = pod.value("status", json::object()).value("phase", "");
  return phase == "Succeeded" || phase == "Failed";
}

}  // namespace

ApiResult<json> ResourceHandlers::deleteObject(const ResourceType& type,
                                               const std::string& namespace_,
                                               const std::string& name,
                                               const DeleteOptions& options) {
  for (int attempt = 0; attempt < kDeleteAttempts; ++attempt) {
    auto current = objects_.get(type, namespace_, name);
    if (!current) {
      return std::unexpected(notFound(type, name));
    }
    json object = *current->object;
    const json& meta = object["metadata"];
    if (options.preconditionUid && *options.preconditionUid != meta.value("uid", "")) {
      return std::unexpected(conflict(
          type, name,
          fmt::format("Precondition failed: UID in precondition: {}, UID in object meta: {}",
                      *options.preconditionUid, meta.value("uid", ""))));
    }
    if (options.preconditionResourceVersion &&
        *options.preconditionResourceVersion != meta.value("resourceVersion", "")) {
      return std::unexpected(conflict(
          type, name,
          fmt::format("Precondition failed: ResourceVersion in precondition: {}, "
                      "ResourceVersion in object meta: {}",
                      *options.preconditionResourceVersion, meta.value("resourceVersion", ""))));
    }
    if (options.dryRun) {
      return object;
    }
    const bool deleting = meta.contains("deletionTimestamp");
    json next = object;
    json& nextMeta = next["metadata"];
    bool keep = false;
    // The GC finalizers the propagation policy asks for (namespaces have their own deletion).
    std::vector<std::string> finalizerList = finalizersOf(meta);
    if (type.kind != "Namespace") {
      auto wanted = finalizersForDeletion(finalizerList, options.propagationPolicy);
      if (wanted != finalizerList) {
        if (wanted.empty()) {
          nextMeta.erase("finalizers");
        } else {
          nextMeta["finalizers"] = wanted;
        }
        finalizerList = std::move(wanted);
      }
    }
    const bool hasFinalizers = !finalizerList.empty();
    if (type.kind == "Pod") {
      const json spec = object.value("spec", json::object());
      int64_t grace = options.gracePeriodSeconds.value_or(
          spec.value("terminationGracePeriodSeconds", kDefaultPodGraceSeconds));
      const bool bound = !spec.value("nodeName", "").empty();
      const bool finalizers = hasFinalizers;
      if (finalizers && !(bound && !isTerminalPod(object) && grace > 0)) {
        grace = 0;  // nothing to wait for but the finalizers
      }
      if ((bound && !isTerminalPod(object) && grace > 0) || finalizers) {
        keep = true;
        int64_t existing = meta.value("deletionGracePeriodSeconds", INT64_MAX);
        if (!deleting || grace < existing) {
          nextMeta["deletionTimestamp"] = rfc3339(clock_.now() + std::chrono::seconds(grace));
          nextMeta["deletionGracePeriodSeconds"] = grace;
        }
      }
    } else if (type.kind == "Namespace") {
      // The namespace controller empties it and then removes it.
      if (deleting) {
        return std::unexpected(
            conflict(type, name,
                     "The system is ensuring all content is removed from this namespace.  Upon "
                     "completion, this namespace will automatically be purged by the system."));
      }
      keep = true;
      {
        nextMeta["deletionTimestamp"] = rfc3339(clock_.now());
        nextMeta["deletionGracePeriodSeconds"] = 0;
        next["status"]["phase"] = "Terminating";
      }
    }
    if (!keep && hasFinalizers) {
      keep = true;
      if (!deleting) {
        nextMeta["deletionTimestamp"] = rfc3339(clock_.now());
        nextMeta["deletionGracePeriodSeconds"] = 0;
        if (type.hasGeneration) {
          nextMeta["generation"] = meta.value("generation", int64_t{1}) + 1;
        }
      }
    }
    if (keep) {
      if (next == object) {
        return object;
      }
      auto written = objects_.replace(type, std::move(next), current->revision);
      if (written) {
        return std::move(*written);
      }
      if (written.error().code() != ErrorCode::kConflict) {
        return std::unexpected(fromError(type, name, written.error()));
      }
      continue;
    }
    auto removed = objects_.remove(type, object, current->revision);
    if (removed) {
      return std::move(*removed);
    }
    if (removed.error().code() != ErrorCode::kConflict &&
        removed.error().code() != ErrorCode::kNotFound) {
      return std::unexpected(fromError(type, name, removed.error()));
    }
  }
  return std::unexpected(conflict(type, name));
}

asio::awaitable<void> ResourceHandlers::remove(http::Context& ctx, const RequestInfo& info,
                                               const ResourceType& type) {
  auto options = deleteOptions(ctx.request());
  if (!options) {
    co_await respondFailure(ctx, options.error());
    co_return;
  }
  auto deleted = deleteObject(type, info.namespace_, info.name, *options);
  if (!deleted) {
    co_await respondFailure(ctx, deleted.error());
    co_return;
  }
  co_await ctx.respond(200, "application/json", deleted->dump());
}

asio::awaitable<void> ResourceHandlers::removeCollection(http::Context& ctx,
                                                         const RequestInfo& info,
                                                         const ResourceType& type) {
  auto options = deleteOptions(ctx.request());
  if (!options) {
    co_await respondFailure(ctx, options.error());
    co_return;
  }
  if (type.namespaced && info.namespace_.empty()) {
    co_await respondFailure(ctx, statusFailure(405, "MethodNotAllowed",
                                               "the server does not allow this method on the "
                                               "requested resource"));
    co_return;
  }
  auto filter = listFilter(ctx.request(), type);
  if (!filter) {
    co_await respondFailure(ctx, filter.error());
    co_return;
  }
  json deleted = json::array();
  for (const auto& item : objects_.list(type, info.namespace_).items) {
    const json& meta = (*item.object)["metadata"];
    if (!filter->matches(type, *item.object)) {
      continue;
    }
    auto result = deleteObject(type, meta.value("namespace", ""), meta.value("name", ""), *options);
    if (result) {
      deleted.push_back(std::move(*result));
    }
  }
  json list = {{"kind", type.kind + "List"},
               {"apiVersion", type.apiVersion()},
               {"metadata", {{"resourceVersion", std::to_string(objects_.cache().revision())}}},
               {"items", std::move(deleted)}};
  co_await ctx.respond(200, "application/json", list.dump());
}

}  // namespace berth::apiserver
