#include "apiserver/openapi.h"

#include <algorithm>
#include <cctype>

#include "apiserver/discovery.h"
#include "base/sha256.h"

namespace berth::apiserver {

using nlohmann::json;

namespace {

std::string capitalize(std::string s) {
  if (!s.empty()) {
    s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  }
  return s;
}

std::string groupShort(const std::string& group) {
  return group.empty() ? "core" : group.substr(0, group.find('.'));
}

// "CoreV1", "CoordinationV1", as kube-openapi names operations.
std::string gvName(const std::string& group, const std::string& version) {
  return capitalize(groupShort(group)) + capitalize(version);
}

std::string schemaName(const std::string& group, const std::string& version,
                       const std::string& kind) {
  return "io.k8s.api." + groupShort(group) + "." + version + "." + kind;
}

std::string ref(const std::string& name) {
  return "#/components/schemas/" + name;
}

std::string prefixOf(const std::string& group, const std::string& version) {
  return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
}

json queryParam(const char* name, const char* type, const char* description) {
  return {{"name", name},
          {"in", "query"},
          {"description", description},
          {"schema", {{"type", type}, {"uniqueItems", true}}}};
}

json pathParam(const char* name, const std::string& description) {
  return {{"name", name},
          {"in", "path"},
          {"description", description},
          {"required", true},
          {"schema", {{"type", "string"}, {"uniqueItems", true}}}};
}

json writeParams(bool patch) {
  json params = json::array(
      {queryParam("dryRun", "string",
                  "When present, indicates that modifications should not be persisted."),
       queryParam("fieldManager", "string",
                  "fieldManager is a name associated with the actor or entity that is making "
                  "these changes."),
       queryParam("fieldValidation", "string",
                  "fieldValidation instructs the server on how to handle objects in the request "
                  "containing unknown or duplicate fields: Ignore, Warn or Strict.")});
  if (patch) {
    params.push_back(queryParam("force", "boolean",
                                "Force is going to \"force\" Apply requests. It must be unset "
                                "for non-apply patch requests."));
  }
  return params;
}

json listParams() {
  json params = json::array();
  for (const char* name :
       {"labelSelector", "fieldSelector", "continue", "resourceVersion", "resourceVersionMatch"}) {
    params.push_back(queryParam(name, "string", ""));
  }
  for (const char* name : {"limit", "timeoutSeconds"}) {
    params.push_back(queryParam(name, "integer", ""));
  }
  for (const char* name : {"watch", "allowWatchBookmarks", "sendInitialEvents"}) {
    params.push_back(queryParam(name, "boolean", ""));
  }
  return params;
}

json deleteParams() {
  return json::array({queryParam("dryRun", "string", ""),
                      queryParam("gracePeriodSeconds", "integer", ""),
                      queryParam("propagationPolicy", "string", "")});
}

json responses(const std::string& schema, const char* code = "200") {
  json content = {{"application/json", {{"schema", {{"$ref", ref(schema)}}}}},
                  {"application/yaml", {{"schema", {{"$ref", ref(schema)}}}}}};
  return {{code, {{"description", "OK"}, {"content", std::move(content)}}},
          {"401", {{"description", "Unauthorized"}}}};
}

json body(const std::string& schema) {
  return {{"content", {{"*/*", {{"schema", {{"$ref", ref(schema)}}}}}}}, {"required", true}};
}

json patchBody() {
  json schema = {{"$ref", ref("io.k8s.apimachinery.pkg.apis.meta.v1.Patch")}};
  json content = json::object();
  for (const char* type :
       {"application/json-patch+json", "application/merge-patch+json",
        "application/strategic-merge-patch+json", "application/apply-patch+yaml"}) {
    content[type] = {{"schema", schema}};
  }
  return {{"content", std::move(content)}, {"required", true}};
}

struct OpContext {
  std::string gv;        // "CoreV1"
  std::string scope;     // "Namespaced" or ""
  std::string kindName;  // "Pod" or "PodStatus"
  json gvk;              // x-kubernetes-group-version-kind
  std::string schema;    // response schema
  std::string tag;       // "core_v1"
};

json operation(const OpContext& c, const std::string& verb, const std::string& action,
               json params) {
  json op = {{"tags", {c.tag}},
             {"description", verb + " " + c.kindName},
             {"operationId", verb + c.gv + c.scope + c.kindName},
             {"responses", responses(c.schema)},
             {"x-kubernetes-action", action},
             {"x-kubernetes-group-version-kind", c.gvk}};
  if (!params.empty()) {
    op["parameters"] = std::move(params);
  }
  return op;
}

bool has(const std::vector<std::string>& verbs, std::string_view verb) {
  return std::find(verbs.begin(), verbs.end(), verb) != verbs.end();
}

void addResource(const ResourceType& type, json& paths, json& schemas) {
  const std::string prefix = prefixOf(type.group, type.version);
  const std::string base = type.namespaced ? prefix + "/namespaces/{namespace}/" + type.resource
                                           : prefix + "/" + type.resource;
  const std::string kindSchema = schemaName(type.group, type.version, type.kind);
  const std::string listSchema = kindSchema + "List";
  schemas[kindSchema] = {{"type", "object"}, {"description", type.kind}};
  schemas[listSchema] = {{"type", "object"}, {"description", type.kind + "List"}};
  json scopeParams = json::array();
  if (type.namespaced) {
    scopeParams.push_back(pathParam("namespace", "object name and auth scope"));
  }
  OpContext c{
      gvName(type.group, type.version),
      type.namespaced ? "Namespaced" : "",
      type.kind,
      {{"group", type.group}, {"version", type.version}, {"kind", type.kind}},
      kindSchema,
      type.group.empty() ? "core_" + type.version : groupShort(type.group) + "_" + type.version};
  const auto& verbs = type.verbs;

  json collection = json::object();
  if (has(verbs, "list")) {
    OpContext lc = c;
    lc.schema = listSchema;
    collection["get"] = operation(lc, "list", "list", listParams());
  }
  if (has(verbs, "create")) {
    json op = operation(c, "create", "post", writeParams(false));
    op["requestBody"] = body(kindSchema);
    collection["post"] = std::move(op);
  }
  if (has(verbs, "deletecollection")) {
    collection["delete"] = operation(c, "deletecollection", "deletecollection", listParams());
  }
  if (!collection.empty()) {
    collection["parameters"] = scopeParams;
    paths[base] = std::move(collection);
  }
  if (type.namespaced && has(verbs, "list")) {
    OpContext lc = c;
    lc.scope = "";
    lc.kindName = type.kind + "ForAllNamespaces";
    lc.schema = listSchema;
    paths[prefix + "/" + type.resource] = {{"get", operation(lc, "list", "list", listParams())}};
  }

  json itemParams = scopeParams;
  itemParams.insert(itemParams.begin(), pathParam("name", "name of the " + type.kind));
  json item = json::object();
  if (has(verbs, "get")) {
    item["get"] = operation(c, "read", "get", json::array());
  }
  if (has(verbs, "update")) {
    json op = operation(c, "replace", "put", writeParams(false));
    op["requestBody"] = body(kindSchema);
    item["put"] = std::move(op);
  }
  if (has(verbs, "patch")) {
    json op = operation(c, "patch", "patch", writeParams(true));
    op["requestBody"] = patchBody();
    item["patch"] = std::move(op);
  }
  if (has(verbs, "delete")) {
    item["delete"] = operation(c, "delete", "delete", deleteParams());
  }
  if (!item.empty()) {
    item["parameters"] = itemParams;
    paths[base + "/{name}"] = std::move(item);
  }

  for (const auto& sub : type.subresources) {
    SubresourceInfo info = describeSubresource(type, sub);
    std::string group = info.version.empty() ? type.group : info.group;
    std::string version = info.version.empty() ? type.version : info.version;
    OpContext sc = c;
    sc.kindName = type.kind + capitalize(sub);
    sc.gvk = {{"group", group}, {"version", version}, {"kind", info.kind}};
    sc.schema = schemaName(group, version, info.kind);
    schemas[sc.schema] = {{"type", "object"}, {"description", info.kind}};
    json subItem = json::object();
    for (const auto& verb : info.verbs) {
      if (verb == "get") {
        subItem["get"] = operation(sc, "read", "get", json::array());
      } else if (verb == "update") {
        json op = operation(sc, "replace", "put", writeParams(false));
        op["requestBody"] = body(sc.schema);
        subItem["put"] = std::move(op);
      } else if (verb == "patch") {
        json op = operation(sc, "patch", "patch", writeParams(true));
        op["requestBody"] = patchBody();
        subItem["patch"] = std::move(op);
      } else if (verb == "create") {
        json op = operation(sc, "create", "post", writeParams(false));
        op["requestBody"] = body(sc.schema);
        subItem["post"] = std::move(op);
      }
    }
    subItem["parameters"] = itemParams;
    paths[base + "/{name}/" + sub] = std::move(subItem);
  }
}

}  // namespace

std::optional<json> openApiDocument(const ResourceRegistry& registry, std::string_view group,
                                    std::string_view version) {
  json paths = json::object();
  json schemas = json::object();
  for (const auto& type : registry.all()) {
    if (type->group == group && type->version == version) {
      addResource(*type, paths, schemas);
    }
  }
  if (paths.empty()) {
    return std::nullopt;
  }
  for (const char* meta : {"Patch", "Status", "DeleteOptions", "WatchEvent", "ObjectMeta"}) {
    schemas[std::string("io.k8s.apimachinery.pkg.apis.meta.v1.") + meta] = {{"type", "object"},
                                                                            {"description", meta}};
  }
  return json{{"openapi", "3.0.0"},
              {"info", {{"title", "Kubernetes"}, {"version", "v1.32.0+berth"}}},
              {"paths", std::move(paths)},
              {"components", {{"schemas", std::move(schemas)}}}};
}

json openApiIndex(const ResourceRegistry& registry) {
  json paths = json::object();
  for (const auto& group : registry.groups()) {
    for (const auto& version : registry.versions(group)) {
      std::string path = group.empty() ? "api/" + version : "apis/" + group + "/" + version;
      auto doc = openApiDocument(registry, group, version);
      std::string hash = Sha256::digestOf(doc ? doc->dump() : "");
      if (auto colon = hash.find(':'); colon != std::string::npos) {
        hash = hash.substr(colon + 1);
      }
      for (char& ch : hash) {
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      }
      paths[path] = {{"serverRelativeURL", "/openapi/v3/" + path + "?hash=" + hash}};
    }
  }
  return {{"paths", std::move(paths)}};
}

std::optional<std::pair<std::string, std::string>> parseOpenApiPath(std::string_view path) {
  while (path.starts_with('/')) {
    path.remove_prefix(1);
  }
  if (path.starts_with("api/")) {
    std::string_view version = path.substr(4);
    if (version.empty() || version.find('/') != std::string_view::npos) {
      return std::nullopt;
    }
    return std::pair<std::string, std::string>{"", std::string(version)};
  }
  if (path.starts_with("apis/")) {
    std::string_view rest = path.substr(5);
    auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0) {
      return std::nullopt;
    }
    std::string_view version = rest.substr(slash + 1);
    if (version.empty() || version.find('/') != std::string_view::npos) {
      return std::nullopt;
    }
    return std::pair<std::string, std::string>{std::string(rest.substr(0, slash)),
                                               std::string(version)};
  }
  return std::nullopt;
}

}  // namespace berth::apiserver
