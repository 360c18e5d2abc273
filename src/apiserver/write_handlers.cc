// create, update (PUT) and patch, and the admission every write passes through.

#include <fmt/format.h>

#include "apiserver/patch.h"
#include "apiserver/resource_handlers.h"
#include "apiserver/strategic_merge.h"
#include "base/random.h"

namespace berth::apiserver {

using nlohmann::json;
namespace asio = boost::asio;

namespace {

constexpr int kUpdateAttempts = 16;

std::string uuid() {
  std::string hex = randomHex(16);
  hex[12] = '4';
  hex[16] = "89ab"[hex[16] % 4];
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20));
}

// Five characters as Kubernetes' generateName appends them (no vowels, no look-alikes).
std::string nameSuffix() {
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string hex = randomHex(5);
  std::string out;
  for (size_t i = 0; i < 5; ++i) {
    out += kAlphabet[std::stoi(hex.substr(i * 2, 2), nullptr, 16) % kAlphabet.size()];
  }
  return out;
}

// Removes metadata only the server may set from a client's object.
void clearServerFields(json& meta) {
  for (const char* field :
       {"uid", "resourceVersion", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "generation", "managedFields", "selfLink"}) {
    meta.erase(field);
  }
}

ApiResult<void> checkKind(const ResourceType& type, const json& object) {
  if (!object.is_object()) {
    return std::unexpected(badRequest("the request body must be a JSON object"));
  }
  std::string apiVersion = object.value("apiVersion", "");
  std::string kind = object.value("kind", "");
  if (!apiVersion.empty() && apiVersion != type.apiVersion()) {
    return std::unexpected(badRequest(
        fmt::format("the API version in the data ({}) does not match the expected API version ({})",
                    apiVersion, type.apiVersion())));
  }
  if (!kind.empty() && kind != type.kind) {
    return std::unexpected(badRequest(fmt::format(
        "the kind in the data ({}) does not match the expected kind ({})", kind, type.kind)));
  }
  return {};
}

// Applies fieldValidation: Strict refuses unknown fields, Warn reports them.
ApiResult<void> checkUnknownFields(const ResourceType& type, const json& object,
                                   const WriteOptions& options) {
  if (!type.unknownFields || options.fieldValidation == "Ignore") {
    return {};
  }
  auto unknown = type.unknownFields(object);
  if (unknown.empty()) {
    return {};
  }
  std::vector<std::string> texts;
  for (const auto& field : unknown) {
    texts.push_back(fmt::format("unknown field \"{}\"", field));
  }
  if (options.fieldValidation == "Strict") {
    return std::unexpected(
        badRequest(fmt::format("strict decoding error: {}", fmt::join(texts, ", "))));
  }
  if (options.warnings != nullptr) {
    options.warnings->insert(options.warnings->end(), texts.begin(), texts.end());
  }
  return {};
}

std::string metaString(const json& object, const char* field) {
  const auto& meta = object.value("metadata", json::object());
  return meta.value(field, "");
}

// The Warning headers kube-apiserver sends for unknown fields in Warn mode.
std::map<std::string, std::string> warningHeaders(const std::vector<std::string>& warnings) {
  std::map<std::string, std::string> headers;
  if (!warnings.empty()) {
    std::vector<std::string> quoted;
    for (const auto& w : warnings) {
      json text = w;
      quoted.push_back("299 - " + text.dump());
    }
    headers["Warning"] = fmt::format("{}", fmt::join(quoted, ", "));
  }
  return headers;
}

// Answers a write: the failure, or the object (with Warning headers for Warn-mode findings).
asio::awaitable<void> respondWritten(http::Context& ctx, const ResourceType& type, int code,
                                     const ApiResult<json>& result,
                                     const std::vector<std::string>& warnings) {
  if (!result) {
    co_await respondFailure(ctx, result.error());
    co_return;
  }
  if (!warnings.empty()) {
    co_await ctx.respond(code, "application/json", result->dump(), warningHeaders(warnings));
    co_return;
  }
  co_await respondObject(ctx, type, code, *result);
}

}  // namespace

ApiResult<json> ResourceHandlers::createObject(const ResourceType& type,
                                               const std::string& namespace_, json object,
                                               const WriteOptions& options) {
  if (auto ok = checkKind(type, object); !ok) {
    return std::unexpected(ok.error());
  }
  object["apiVersion"] = type.apiVersion();
  object["kind"] = type.kind;
  json& meta = object["metadata"];
  if (!meta.is_object()) {
    meta = json::object();
  }
  if (type.namespaced) {
    std::string given = meta.value("namespace", "");
    if (!given.empty() && given != namespace_) {
      return std::unexpected(badRequest(
          "the namespace of the provided object does not match the namespace sent on the "
          "request"));
    }
    meta["namespace"] = namespace_;
  } else {
    meta.erase("namespace");
  }
  if (meta.value("name", "").empty() && !meta.value("generateName", "").empty()) {
    meta["name"] = meta.value("generateName", "") + nameSuffix();
  }
  std::string name = meta.value("name", "");
  if (name.empty()) {
    return std::unexpected(invalid(type, "",
                                   {{"FieldValueRequired",
                                     "Required value: name or generateName is "
                                     "required",
                                     "metadata.name"}}));
  }
  if (auto ok = checkUnknownFields(type, object, options); !ok) {
    return std::unexpected(ok.error());
  }
  clearServerFields(meta);
  if (type.prepareForCreate) {
    type.prepareForCreate(object);
  }
  if (type.defaults) {
    type.defaults(object);
  }
  if (type.validate) {
    auto causes = type.validate(object, nullptr);
    if (!causes.empty()) {
      return std::unexpected(invalid(type, name, causes));
    }
  }
  if (type.namespaced) {
    auto nsType = registry_.find("", "v1", "namespaces");
    auto ns = nsType ? objects_.get(*nsType, "", namespace_) : std::nullopt;
    if (!ns) {
      return std::unexpected(statusFailure(404, "NotFound",
                                           fmt::format("namespaces \"{}\" not found", namespace_),
                                           json{{"name", namespace_}, {"kind", "namespaces"}}));
    }
    if (ns->object->contains("metadata") &&
        (*ns->object)["metadata"].contains("deletionTimestamp")) {
      return std::unexpected(forbidden(fmt::format(
          "{} \"{}\" is forbidden: unable to create new content in namespace {} because it is "
          "being terminated",
          qualifiedResource(type), name, namespace_)));
    }
  }
  json& m = object["metadata"];
  m["uid"] = uuid();
  m["creationTimestamp"] = rfc3339(clock_.now());
  if (type.hasGeneration) {
    m["generation"] = 1;
  }
  if (options.dryRun) {
    return object;
  }
  auto created = objects_.create(type, std::move(object));
  if (!created) {
    return std::unexpected(fromError(type, name, created.error()));
  }
  return std::move(*created);
}

ApiResult<json> ResourceHandlers::admitUpdate(const ResourceType& type, json next,
                                              const json& current, const std::string& subresource,
                                              const WriteOptions& options) {
  if (auto ok = checkKind(type, next); !ok) {
    return std::unexpected(ok.error());
  }
  const std::string name = metaString(current, "name");
  if (!next.contains("metadata") || !next["metadata"].is_object()) {
    next["metadata"] = json::object();
  }
  std::string givenName = metaString(next, "name");
  if (!givenName.empty() && givenName != name) {
    return std::unexpected(badRequest(fmt::format(
        "the name of the object ({}) does not match the name on the URL ({})", givenName, name)));
  }
  std::string givenRv = metaString(next, "resourceVersion");
  if (!givenRv.empty() && givenRv != metaString(current, "resourceVersion")) {
    return std::unexpected(conflict(type, name));
  }
  if (auto ok = checkUnknownFields(type, next, options); !ok) {
    return std::unexpected(ok.error());
  }
  if (subresource == "status") {
    // Only the status changes (and the annotations, for kinds that allow it).
    json updated = current;
    if (next.contains("status")) {
      updated["status"] = next["status"];
    }
    // Annotations sent with a status write replace the stored ones; a status write without
    // metadata.annotations (a partial object) keeps them.
    if (type.statusUpdatesAnnotations && next["metadata"].contains("annotations")) {
      const json& given = next["metadata"]["annotations"];
      if (given.is_object() && !given.empty()) {
        updated["metadata"]["annotations"] = given;
      } else {
        updated["metadata"].erase("annotations");
      }
    }
    next = std::move(updated);
  } else if (type.hasStatus) {
    if (current.contains("status")) {
      next["status"] = current["status"];
    } else {
      next.erase("status");
    }
  }
  next["apiVersion"] = type.apiVersion();
  next["kind"] = type.kind;
  json& meta = next["metadata"];
  const json& old = current["metadata"];
  for (const char* field : {"name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                            "deletionGracePeriodSeconds", "generation"}) {
    if (old.contains(field)) {
      meta[field] = old[field];
    } else {
      meta.erase(field);
    }
  }
  meta.erase("managedFields");
  meta.erase("resourceVersion");
  if (type.defaults) {
    type.defaults(next);
  }
  if (type.hasGeneration && subresource.empty() &&
      next.value("spec", json()) != current.value("spec", json())) {
    meta["generation"] = old.value("generation", int64_t{1}) + 1;
  }
  if (type.prepareForUpdate && subresource.empty()) {
    type.prepareForUpdate(next, current);
  }
  if (type.validate) {
    auto causes = type.validate(next, &current);
    if (!causes.empty()) {
      return std::unexpected(invalid(type, name, causes));
    }
  }
  return next;
}

ApiResult<json> ResourceHandlers::updateObject(
    const ResourceType& type, const std::string& namespace_, const std::string& name,
    const std::string& subresource, const std::function<ApiResult<json>(const json&)>& mutate,
    const WriteOptions& options) {
  for (int attempt = 0; attempt < kUpdateAttempts; ++attempt) {
    auto current = objects_.get(type, namespace_, name);
    if (!current) {
      return std::unexpected(notFound(type, name));
    }
    auto mutated = mutate(*current->object);
    if (!mutated) {
      return mutated;
    }
    auto next = admitUpdate(type, std::move(*mutated), *current->object, subresource, options);
    if (!next) {
      return next;
    }
    json unchanged = *current->object;
    unchanged["metadata"].erase("resourceVersion");
    if (*next == unchanged) {
      return *current->object;  // nothing changed: no write, the resourceVersion stays
    }
    if (options.dryRun) {
      return next;
    }
    auto written = objects_.replace(type, std::move(*next), current->revision);
    if (written) {
      return finishDeletion(type, std::move(*written));
    }
    if (written.error().code() != ErrorCode::kConflict) {
      return std::unexpected(fromError(type, name, written.error()));
    }
  }
  return std::unexpected(conflict(type, name));
}

ApiResult<json> ResourceHandlers::finishDeletion(const ResourceType& type, json object) {
  const json& meta = object["metadata"];
  if (!meta.contains("deletionTimestamp") || type.kind == "Namespace") {
    return object;
  }
  // A pod being deleted stays until its agent has stopped it (grace 0 marks that it may go).
  if (type.kind == "Pod" && meta.value("deletionGracePeriodSeconds", int64_t{-1}) != 0) {
    return object;
  }
  if (meta.contains("finalizers") && !meta["finalizers"].empty()) {
    return object;
  }
  DeleteOptions options;
  options.gracePeriodSeconds = 0;
  return deleteObject(type, meta.value("namespace", ""), meta.value("name", ""), options);
}

asio::awaitable<void> ResourceHandlers::create(http::Context& ctx, const RequestInfo& info,
                                               const ResourceType& type) {
  if (!info.name.empty()) {
    co_await respondFailure(ctx, statusFailure(405, "MethodNotAllowed",
                                               "the server does not allow this method on the "
                                               "requested resource"));
    co_return;
  }
  auto options = writeOptions(ctx.request());
  auto body = options ? decodeBody(ctx.request()) : std::unexpected(options.error());
  if (!body) {
    co_await respondFailure(ctx, body.error());
    co_return;
  }
  std::vector<std::string> warnings;
  options->warnings = &warnings;
  auto created = createObject(type, info.namespace_, std::move(*body), *options);
  co_await respondWritten(ctx, type, 201, created, warnings);
}

asio::awaitable<void> ResourceHandlers::update(http::Context& ctx, const RequestInfo& info,
                                               const ResourceType& type) {
  auto options = writeOptions(ctx.request());
  auto body = options ? decodeBody(ctx.request()) : std::unexpected(options.error());
  if (!body) {
    co_await respondFailure(ctx, body.error());
    co_return;
  }
  std::vector<std::string> warnings;
  options->warnings = &warnings;
  json replacement = std::move(*body);
  auto updated = updateObject(
      type, info.namespace_, info.name, info.subresource,
      [&](const json&) -> ApiResult<json> { return replacement; }, *options);
  co_await respondWritten(ctx, type, 200, updated, warnings);
}

asio::awaitable<void> ResourceHandlers::patch(http::Context& ctx, const RequestInfo& info,
                                              const ResourceType& type) {
  const auto& request = ctx.request();
  auto options = writeOptions(request);
  if (!options) {
    co_await respondFailure(ctx, options.error());
    co_return;
  }
  std::string contentType = request.header("content-type").value_or("");
  auto semicolon = contentType.find(';');
  if (semicolon != std::string::npos) {
    contentType.resize(semicolon);
  }
  const bool apply = contentType == "application/apply-patch+yaml";
  if (contentType != "application/merge-patch+json" &&
      contentType != "application/strategic-merge-patch+json" &&
      contentType != "application/json-patch+json" && !apply) {
    co_await respondFailure(
        ctx, statusFailure(415, "UnsupportedMediaType",
                           fmt::format("the body of the request was in an unknown format - "
                                       "accepted media types include: application/json-patch+"
                                       "json, application/merge-patch+json, application/apply-"
                                       "patch+yaml, application/strategic-merge-patch+json")));
    co_return;
  }
  json patchBody;
  if (apply) {
    auto decoded = decodeBody(request);
    if (!decoded) {
      co_await respondFailure(ctx, decoded.error());
      co_return;
    }
    patchBody = std::move(*decoded);
  } else {
    patchBody = json::parse(request.body, nullptr, false);
    if (patchBody.is_discarded()) {
      co_await respondFailure(ctx, badRequest("the patch is not valid JSON"));
      co_return;
    }
  }
  if (apply) {
    std::string named =
        patchBody.is_object() ? patchBody.value("metadata", json::object()).value("name", "") : "";
    if (named != info.name) {
      co_await respondFailure(
          ctx, badRequest(fmt::format("the name of the object ({}) does not match the name on "
                                      "the URL ({})",
                                      named, info.name)));
      co_return;
    }
  }
  // Server-side apply of an object that does not exist creates it.
  if (apply && !objects_.get(type, info.namespace_, info.name)) {
    auto created = createObject(type, info.namespace_, patchBody, *options);
    if (!created) {
      co_await respondFailure(ctx, created.error());
      co_return;
    }
    co_await respondObject(ctx, type, 201, *created);
    co_return;
  }
  auto mutate = [&](const json& current) -> ApiResult<json> {
    Result<json> patched = std::unexpected(Error(ErrorCode::kInternal, "no patch"));
    if (contentType == "application/merge-patch+json") {
      patched = applyMergePatch(current, patchBody);
    } else if (contentType == "application/json-patch+json") {
      patched = applyJsonPatch(current, patchBody);
    } else {
      patched = applyStrategicMergePatch(current, patchBody, type.apiVersion(), type.kind);
    }
    if (!patched) {
      return std::unexpected(statusFailure(422, "Invalid", patched.error().message()));
    }
    if (!patched->is_object()) {
      return std::unexpected(
          statusFailure(422, "Invalid", "the patched object is not a JSON object"));
    }
    // The patch may not move the object; a resourceVersion in it is a precondition.
    json& meta = (*patched)["metadata"];
    if (!patchBody.is_object() || !patchBody.contains("metadata") ||
        !patchBody["metadata"].contains("resourceVersion")) {
      meta["resourceVersion"] = current["metadata"].value("resourceVersion", "");
    }
    return std::move(*patched);
  };
  std::vector<std::string> warnings;
  options->warnings = &warnings;
  auto updated = updateObject(type, info.namespace_, info.name, info.subresource, mutate, *options);
  co_await respondWritten(ctx, type, 200, updated, warnings);
}

}  // namespace berth::apiserver
