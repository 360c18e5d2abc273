#include "cli/aci_yaml.h"

#include <yaml-cpp/yaml.h>

#include "api/pod_codec.h"

namespace berth::cli {
namespace {

using nlohmann::json;

// Whether a plain (unquoted) scalar `s` would be read back as something other than the string.
bool needsQuotes(const std::string& s) {
  auto parsed = api::parseManifest("k: " + s + "\n");
  if (!parsed || parsed->size() != 1 || !(*parsed)[0].is_object() || !(*parsed)[0].contains("k")) {
    return true;
  }
  const json& back = (*parsed)[0]["k"];
  return !back.is_string() || back.get<std::string>() != s;
}

void emit(YAML::Emitter& out, const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [k, v] : value.items()) {
        out << YAML::Key;
        emit(out, json(k));
        out << YAML::Value;
        emit(out, v);
      }
      out << YAML::EndMap;
      break;
    case json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& v : value) {
        emit(out, v);
      }
      out << YAML::EndSeq;
      break;
    case json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      if (s.find('\n') == std::string::npos && needsQuotes(s)) {
        out << YAML::DoubleQuoted << s;
      } else {
        out << s;
      }
      break;
    }
    case json::value_t::boolean:
      out << value.get<bool>();
      break;
    case json::value_t::null:
    case json::value_t::discarded:
      out << YAML::Null;
      break;
    default:  // numbers: JSON's spelling is valid YAML
      out << value.dump();
      break;
  }
}

}  // namespace

Result<AciDeployment> parseAciYaml(std::string_view text) {
  BERTH_ASSIGN_OR_RETURN(auto docs, api::parseManifest(text));
  if (docs.size() != 1) {
    return fail(ErrorCode::kInvalidArgument, "expected one YAML document, found {}", docs.size());
  }
  json doc = std::move(docs[0]);
  if (!doc.is_object()) {
    return fail(ErrorCode::kInvalidArgument, "the YAML document is not a map");
  }
  if (!doc.contains("properties") || !doc["properties"].is_object()) {
    return fail(ErrorCode::kInvalidArgument, "the YAML document has no 'properties' map");
  }
  AciDeployment out;
  if (doc.contains("name")) {
    if (!doc["name"].is_string()) {
      return fail(ErrorCode::kInvalidArgument, "'name' is not a string");
    }
    out.name = doc["name"].get<std::string>();
  }
  for (const char* key : {"name", "apiVersion", "type", "id"}) {
    doc.erase(key);
  }
  out.body = std::move(doc);
  return out;
}

std::string renderYaml(const json& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  out.SetMapFormat(YAML::Block);
  emit(out, value);
  return std::string(out.c_str()) + "\n";
}

json exportableGroup(const json& group, const std::string& apiVersion) {
  json out = json::object();
  if (group.contains("name")) {
    out["name"] = group["name"];
  }
  out["apiVersion"] = apiVersion;
  for (const char* key : {"location", "tags", "identity", "zones", "type"}) {
    if (group.contains(key)) {
      out[key] = group[key];
    }
  }
  json properties = group.value("properties", json::object());
  properties.erase("provisioningState");
  properties.erase("instanceView");
  properties.erase("events");
  if (properties.contains("ipAddress") && properties["ipAddress"].is_object()) {
    properties["ipAddress"].erase("ip");
    properties["ipAddress"].erase("fqdn");
  }
  for (const char* list : {"containers", "initContainers"}) {
    if (!properties.contains(list) || !properties[list].is_array()) {
      continue;
    }
    for (auto& c : properties[list]) {
      if (c.contains("properties") && c["properties"].is_object()) {
        c["properties"].erase("instanceView");
      }
    }
  }
  out["properties"] = std::move(properties);
  return out;
}

}  // namespace berth::cli
