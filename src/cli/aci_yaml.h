#pragma once

// The ACI YAML deployment format (reference §1.15): a YAML rendering of the ARM container-group
// body with `name`, `apiVersion`, `location`, `tags`, `type` and `properties` at the top.
// `berth container create -f` reads it, `berth container export` writes it. Pure functions.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::cli {

// A parsed ACI YAML file: the group's name (empty when the file has none) and the ARM PUT body
// (the file without name, apiVersion, type and id).
struct AciDeployment {
  std::string name;
  nlohmann::json body;
};

// kInvalidArgument for YAML that does not parse (with the line), for more or fewer than one
// document, for a document that is not a map, or one without `properties`.
Result<AciDeployment> parseAciYaml(std::string_view text);

// Renders JSON as block YAML. Strings that YAML would read as something else ("80", "true",
// "null", "1.5", "") are quoted, so parseAciYaml(renderYaml(x)) gives x back.
std::string renderYaml(const nlohmann::json& value);

// The group as `GET` returns it -> what `export` writes: name, apiVersion, location, tags,
// type and properties, without the read-only parts (id, provisioningState, instanceView
// of the group and of each container, events, ipAddress.ip and ipAddress.fqdn).
nlohmann::json exportableGroup(const nlohmann::json& group, const std::string& apiVersion);

}  // namespace berth::cli
