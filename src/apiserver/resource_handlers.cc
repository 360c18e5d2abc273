#include "apiserver/resource_handlers.h"

#include <spdlog/spdlog.h>

#include "api/pod_codec.h"
#include "api/selector.h"
#include "apiserver/protobuf_decode.h"
#include "apiserver/table.h"

namespace berth::apiserver {

using nlohmann::json;
namespace asio = boost::asio;

ResourceHandlers::ResourceHandlers(ResourceRegistry& registry, ObjectStore& objects,
                                   Authorizer& authorizer, Clock& clock)
    : registry_(registry), objects_(objects), authorizer_(authorizer), clock_(clock) {}

void ResourceHandlers::addSubresource(const std::string& resourceAndSubresource,
                                      SubresourceHandler handler) {
  subresources_[resourceAndSubresource] = std::move(handler);
}

namespace {

// The Kubernetes verb of a request.
std::string verbOf(const http::Request& request, const RequestInfo& info) {
  const std::string& m = request.method;
  if (m == "GET" || m == "HEAD") {
    if (info.name.empty()) {
      auto watch = request.query.flag("watch");
      return watch && *watch ? "watch" : "list";
    }
    return "get";
  }
  if (m == "POST") {
    return "create";
  }
  if (m == "PUT") {
    return "update";
  }
  if (m == "PATCH") {
    return "patch";
  }
  if (m == "DELETE") {
    return info.name.empty() ? "deletecollection" : "delete";
  }
  return "unknown";
}

}  // namespace

asio::awaitable<void> ResourceHandlers::serve(http::Context& ctx) {
  const auto& request = ctx.request();
  auto parsed = parseRequestPath(request.path);
  if (!parsed) {
    co_await respondFailure(ctx, statusFailure(404, "NotFound",
                                               "the server could not find the "
                                               "requested resource"));
    co_return;
  }
  RequestInfo info = std::move(*parsed);
  auto type = registry_.find(info.group, info.version, info.resource);
  if (!type) {
    co_await respondFailure(ctx, statusFailure(404, "NotFound",
                                               "the server could not find the "
                                               "requested resource"));
    co_return;
  }
  if (type->namespaced != true && !info.namespace_.empty()) {
    co_await respondFailure(ctx, statusFailure(404, "NotFound",
                                               "the server could not find the "
                                               "requested resource"));
    co_return;
  }
  std::string verb = verbOf(request, info);
  RequestInfo authorized = info;
  if (verb == "create" && info.name.empty() && info.subresource.empty()) {
    // Creates name their object in the body; the authorizer judges that name.
    auto body = json::parse(request.body, nullptr, false);
    if (body.is_object() && body.contains("metadata") && body["metadata"].is_object()) {
      authorized.name = body["metadata"].value("name", "");
    }
  }
  if (auto denied = authorizer_.check(ctx.identity(), verb, authorized)) {
    co_await respondFailure(ctx, *denied);
    co_return;
  }
  if (!info.subresource.empty()) {
    auto hook = subresources_.find(info.resource + "/" + info.subresource);
    if (hook != subresources_.end()) {
      co_await hook->second(ctx, info, *type);
      co_return;
    }
    bool generic = info.subresource == "status" && type->hasStatus &&
                   (verb == "get" || verb == "update" || verb == "patch");
    if (!generic) {
      co_await respondFailure(ctx, statusFailure(404, "NotFound",
                                                 "the server could not find "
                                                 "the requested resource"));
      co_return;
    }
  }
  if (verb == "get") {
    co_await get(ctx, info, *type);
  } else if (verb == "list") {
    co_await list(ctx, info, *type);
  } else if (verb == "watch") {
    co_await watch(ctx, info, *type);
  } else if (verb == "create") {
    co_await create(ctx, info, *type);
  } else if (verb == "update") {
    co_await update(ctx, info, *type);
  } else if (verb == "patch") {
    co_await patch(ctx, info, *type);
  } else if (verb == "delete") {
    co_await remove(ctx, info, *type);
  } else if (verb == "deletecollection") {
    co_await removeCollection(ctx, info, *type);
  } else {
    co_await respondFailure(ctx, statusFailure(405, "MethodNotAllowed",
                                               "the server does not allow this method on the "
                                               "requested resource"));
  }
}

namespace {

std::map<std::string, std::string> labelsOf(const json& object) {
  std::map<std::string, std::string> labels;
  auto meta = object.find("metadata");
  if (meta == object.end()) {
    return labels;
  }
  auto it = meta->find("labels");
  if (it != meta->end() && it->is_object()) {
    for (const auto& [k, v] : it->items()) {
      if (v.is_string()) {
        labels[k] = v.get<std::string>();
      }
    }
  }
  return labels;
}

}  // namespace

bool ListFilter::matches(const ResourceType& type, const json& object) const {
  if (!labels.empty() && !labels.matches(labelsOf(object))) {
    return false;
  }
  if (fields.empty()) {
    return true;
  }
  std::map<std::string, std::string> values;
  if (type.fields) {
    values = type.fields(object);
  }
  const json& meta = object["metadata"];
  values["metadata.name"] = meta.value("name", "");
  values["metadata.namespace"] = meta.value("namespace", "");
  return fields.matches(values);
}

ApiResult<ListFilter> listFilter(const http::Request& request, const ResourceType& type) {
  ListFilter filter;
  auto labels = api::LabelSelector::parse(request.query.get("labelSelector").value_or(""));
  if (!labels) {
    return std::unexpected(badRequest(labels.error().message()));
  }
  filter.labels = std::move(*labels);
  auto fields = api::FieldSelector::parse(request.query.get("fieldSelector").value_or(""));
  if (!fields) {
    return std::unexpected(badRequest(fields.error().message()));
  }
  std::map<std::string, std::string> supported;
  if (type.fields) {
    supported = type.fields(json{{"metadata", json::object()}});
  }
  for (const auto& name : fields->fieldNames()) {
    if (name != "metadata.name" && name != "metadata.namespace" && !supported.contains(name)) {
      return std::unexpected(badRequest(fmt::format("field label not supported: {}", name)));
    }
  }
  filter.fields = std::move(*fields);
  return filter;
}

bool wantsTable(const http::Request& request) {
  auto accept = request.header("accept");
  return accept && accept->find("as=Table") != std::string::npos;
}

asio::awaitable<void> respondObject(http::Context& ctx, const ResourceType& type, int code,
                                    const json& object) {
  if (wantsTable(ctx.request()) && object.value("kind", "") == type.kind) {
    std::string rv = object["metadata"].value("resourceVersion", "");
    bool full = ctx.request().query.get("includeObject").value_or("") == "Object";
    json table = toTable(type, {object}, rv, full);
    co_await ctx.respond(code, "application/json", table.dump());
    co_return;
  }
  co_await ctx.respond(code, "application/json", object.dump());
}

asio::awaitable<void> respondFailure(http::Context& ctx, const ApiFailure& failure) {
  co_await ctx.respond(failure.code, "application/json", failure.status.dump());
}

ApiResult<json> decodeBody(const http::Request& request) {
  std::string contentType = request.header("content-type").value_or("application/json");
  if (contentType.starts_with("application/vnd.kubernetes.protobuf")) {
    auto decoded = decodeKubernetesProtobuf(request.body);
    if (!decoded) {
      return std::unexpected(badRequest(decoded.error().message()));
    }
    return std::move(*decoded);
  }
  if (contentType.starts_with("application/yaml") ||
      contentType.starts_with("application/apply-patch+yaml")) {
    auto docs = api::parseManifest(request.body);
    if (!docs) {
      return std::unexpected(badRequest(docs.error().message()));
    }
    if (docs->size() != 1) {
      return std::unexpected(badRequest("the request body must hold exactly one object"));
    }
    return std::move(docs->front());
  }
  auto body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return std::unexpected(badRequest("the request body is not valid JSON"));
  }
  return body;
}

ApiResult<WriteOptions> writeOptions(const http::Request& request) {
  WriteOptions options;
  for (const auto& dry : request.query.all("dryRun")) {
    if (dry != "All") {
      return std::unexpected(
          badRequest(fmt::format("Invalid dryRun value \"{}\": only \"All\" is supported", dry)));
    }
    options.dryRun = true;
  }
  if (auto v = request.query.get("fieldValidation")) {
    if (*v != "Strict" && *v != "Warn" && *v != "Ignore") {
      return std::unexpected(badRequest(fmt::format(
          "fieldValidation must be one of \"Ignore\", \"Warn\" or \"Strict\", got \"{}\"", *v)));
    }
    options.fieldValidation = *v;
  } else {
    // Without the parameter kube-apiserver warns about unknown fields.
    options.fieldValidation = "Warn";
  }
  options.fieldManager = request.query.get("fieldManager").value_or("");
  return options;
}

}  // namespace berth::apiserver
