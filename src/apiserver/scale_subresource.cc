#include "apiserver/scale_subresource.h"

#include <fmt/format.h>

#include "api/selector.h"
#include "apiserver/patch.h"
#include "apiserver/strategic_merge.h"

namespace berth::apiserver {

using nlohmann::json;
namespace asio = boost::asio;

namespace {

// The type errors name: autoscaling/v1 Scale ("Scale.autoscaling" in kube-apiserver).
const ResourceType& scaleKind() {
  static const ResourceType type = [] {
    ResourceType t;
    t.group = "autoscaling";
    t.version = "v1";
    t.resource = "scale";
    t.kind = "Scale";
    return t;
  }();
  return type;
}

const json* pointed(const json& object, const std::string& pointer) {
  try {
    json::json_pointer p(pointer);
    return object.contains(p) ? &object.at(p) : nullptr;
  } catch (const json::exception&) {
    return nullptr;
  }
}

std::string metaText(const json& object, const char* key) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) {
    return "";
  }
  auto it = meta->find(key);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : "";
}

// The patch media type of a request, without parameters; "" when not a patch type.
std::string patchType(const http::Request& request) {
  std::string contentType = request.header("content-type").value_or("");
  if (auto semicolon = contentType.find(';'); semicolon != std::string::npos) {
    contentType.resize(semicolon);
  }
  if (contentType == "application/merge-patch+json" ||
      contentType == "application/strategic-merge-patch+json" ||
      contentType == "application/json-patch+json") {
    return contentType;
  }
  return "";
}

ApiResult<json> patchScale(const std::string& contentType, const json& scale, const json& patch) {
  Result<json> patched = std::unexpected(Error(ErrorCode::kInternal, "no patch"));
  if (contentType == "application/merge-patch+json") {
    patched = applyMergePatch(scale, patch);
  } else if (contentType == "application/json-patch+json") {
    patched = applyJsonPatch(scale, patch);
  } else {
    patched = applyStrategicMergePatch(scale, patch, "autoscaling/v1", "Scale");
  }
  if (!patched) {
    return std::unexpected(statusFailure(422, "Invalid", patched.error().message()));
  }
  if (!patched->is_object()) {
    return std::unexpected(
        statusFailure(422, "Invalid", "the patched object is not a JSON object"));
  }
  return std::move(*patched);
}

asio::awaitable<void> serveScale(http::Context& ctx, ResourceHandlers& handlers,
                                 const RequestInfo& info, const ResourceType& type) {
  const auto& request = ctx.request();
  const ScaleSpec& spec = *type.scale;
  if (request.method == "GET") {
    auto current = handlers.objects().get(type, info.namespace_, info.name);
    if (!current) {
      co_await respondFailure(ctx, notFound(type, info.name));
      co_return;
    }
    co_await ctx.respond(200, "application/json", scaleOf(spec, *current->object).dump());
    co_return;
  }
  if (request.method != "PUT" && request.method != "PATCH") {
    co_await respondFailure(ctx, statusFailure(405, "MethodNotAllowed",
                                               "the server does not allow this method on the "
                                               "requested resource"));
    co_return;
  }
  auto options = writeOptions(request);
  if (!options) {
    co_await respondFailure(ctx, options.error());
    co_return;
  }
  json body;
  std::string contentType;
  if (request.method == "PUT") {
    auto decoded = decodeBody(request);
    if (!decoded) {
      co_await respondFailure(ctx, decoded.error());
      co_return;
    }
    body = std::move(*decoded);
    if (!body.is_object()) {
      co_await respondFailure(ctx, badRequest("the request body must be a JSON object"));
      co_return;
    }
    std::string kind = body.value("kind", "");
    if (!kind.empty() && kind != "Scale") {
      co_await respondFailure(
          ctx, badRequest(fmt::format(
                   "the kind in the data ({}) does not match the expected kind (Scale)", kind)));
      co_return;
    }
  } else {
    contentType = patchType(request);
    if (contentType.empty()) {
      co_await respondFailure(
          ctx, statusFailure(415, "UnsupportedMediaType",
                             "the body of the request was in an unknown format - accepted media "
                             "types include: application/json-patch+json, application/merge-"
                             "patch+json, application/strategic-merge-patch+json"));
      co_return;
    }
    body = json::parse(request.body, nullptr, false);
    if (body.is_discarded()) {
      co_await respondFailure(ctx, badRequest("the patch is not valid JSON"));
      co_return;
    }
  }
  auto mutate = [&](const json& current) -> ApiResult<json> {
    json scale = body;
    if (!contentType.empty()) {
      json currentScale = scaleOf(spec, current);
      auto patched = patchScale(contentType, currentScale, body);
      if (!patched) {
        return std::unexpected(patched.error());
      }
      scale = std::move(*patched);
      // A patch that does not name a resourceVersion is no precondition.
      if (!body.is_object() || !body.contains("metadata") ||
          !body["metadata"].contains("resourceVersion")) {
        scale["metadata"]["resourceVersion"] = metaText(current, "resourceVersion");
      }
    }
    std::string named = metaText(scale, "name");
    if (!named.empty() && named != info.name) {
      return std::unexpected(badRequest(
          fmt::format("the name of the object ({}) does not match the name on the URL ({})", named,
                      info.name)));
    }
    auto causes = validateScale(scale);
    if (!causes.empty()) {
      return std::unexpected(invalid(scaleKind(), info.name, causes));
    }
    return applyScale(spec, current, scale);
  };
  auto updated = handlers.updateObject(type, info.namespace_, info.name, "", mutate, *options);
  if (!updated) {
    co_await respondFailure(ctx, updated.error());
    co_return;
  }
  co_await ctx.respond(200, "application/json", scaleOf(spec, *updated).dump());
}

}  // namespace

json scaleOf(const ScaleSpec& spec, const json& object) {
  json meta = json::object();
  for (const char* key : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
    std::string value = metaText(object, key);
    if (!value.empty()) {
      meta[key] = value;
    }
  }
  auto integer = [&](const std::string& pointer) -> int64_t {
    const json* v = pointed(object, pointer);
    return v && v->is_number() ? v->get<int64_t>() : 0;
  };
  json status = {{"replicas", integer(spec.statusReplicasPath)}};
  std::string selector;
  if (const json* s = pointed(object, spec.labelSelectorPath)) {
    if (s->is_string()) {
      selector = s->get<std::string>();
    } else if (auto parsed = api::LabelSelector::fromJson(*s)) {
      selector = parsed->toString();
    }
  }
  if (!selector.empty()) {
    status["selector"] = selector;
  }
  return {{"kind", "Scale"},
          {"apiVersion", "autoscaling/v1"},
          {"metadata", std::move(meta)},
          {"spec", {{"replicas", integer(spec.specReplicasPath)}}},
          {"status", std::move(status)}};
}

std::vector<Cause> validateScale(const json& scale) {
  const json* replicas = pointed(scale, "/spec/replicas");
  if (replicas == nullptr || replicas->is_null()) {
    return {};
  }
  if (!replicas->is_number_integer()) {
    return {{"FieldValueInvalid", "Invalid value: " + replicas->dump() + ": must be an integer",
             "spec.replicas"}};
  }
  int64_t n = replicas->get<int64_t>();
  if (n < 0) {
    return {{"FieldValueInvalid",
             fmt::format("Invalid value: {}: must be greater than or equal to 0", n),
             "spec.replicas"}};
  }
  return {};
}

json applyScale(const ScaleSpec& spec, json object, const json& scale) {
  const json* replicas = pointed(scale, "/spec/replicas");
  int64_t n = replicas && replicas->is_number_integer() ? replicas->get<int64_t>() : 0;
  object[json::json_pointer(spec.specReplicasPath)] = n;
  std::string rv = metaText(scale, "resourceVersion");
  if (!rv.empty()) {
    object["metadata"]["resourceVersion"] = rv;
  }
  return object;
}

void addScaleSubresources(ResourceHandlers& handlers) {
  for (const auto& type : handlers.registry().all()) {
    if (!type->scale) {
      continue;
    }
    handlers.addSubresource(type->resource + "/scale",
                            [&handlers](http::Context& ctx, const RequestInfo& info,
                                        const ResourceType& t) -> asio::awaitable<void> {
                              co_await serveScale(ctx, handlers, info, t);
                            });
  }
}

}  // namespace berth::apiserver
