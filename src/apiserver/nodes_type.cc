// The Node resource type (cluster-scoped): name, taints, podCIDR/providerID update rules and
// kubectl's node printer (STATUS with SchedulingDisabled, ROLES, VERSION, wide columns).

#include <set>

#include "api/name_validation.h"
#include "api/validation_internal.h"
#include "apiserver/builtin_types.h"
#include "apiserver/type_support.h"

namespace berth::apiserver {

using nlohmann::json;
using types::text;
namespace internal = api::internal;

namespace {

const json& listAt(const json& object, std::initializer_list<std::string_view> path) {
  static const json kEmpty = json::array();
  const json* v = types::at(object, path);
  return v && v->is_array() ? *v : kEmpty;
}

// SetDefaults_NodeStatus and the podCIDR <-> podCIDRs conversion.
void defaults(json& node) {
  if (!node.is_object()) {
    return;
  }
  if (json* spec = node.contains("spec") ? &node["spec"] : nullptr; spec && spec->is_object()) {
    std::string cidr = text(*spec, {"podCIDR"});
    const json& cidrs = listAt(*spec, {"podCIDRs"});
    if (!cidr.empty() && cidrs.empty()) {
      (*spec)["podCIDRs"] = json::array({cidr});
    } else if (cidr.empty() && !cidrs.empty() && cidrs[0].is_string()) {
      (*spec)["podCIDR"] = cidrs[0];
    }
  }
  if (const json* capacity = types::at(node, {"status", "capacity"});
      capacity && capacity->is_object() && !types::at(node, {"status", "allocatable"})) {
    node["status"]["allocatable"] = *capacity;
  }
}

void validateTaints(const json& node, types::Errors& out) {
  const json& taints = listAt(node, {"spec", "taints"});
  std::set<std::pair<std::string, std::string>> seen;
  for (size_t i = 0; i < taints.size(); ++i) {
    std::string path = internal::index("spec.taints", i);
    std::string key = text(taints[i], {"key"});
    std::string value = text(taints[i], {"value"});
    std::string effect = text(taints[i], {"effect"});
    internal::addInvalid(out, path + ".key", key, api::isQualifiedName(key));
    if (auto errs = api::isValidLabelValue(value); !errs.empty()) {
      std::string joined;
      for (const auto& e : errs) {
        joined += (joined.empty() ? "" : ";") + e;
      }
      out.push_back(internal::invalid(path + ".value", value, joined));
    }
    if (effect.empty()) {
      out.push_back(internal::required(path + ".effect"));
    } else if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute") {
      out.push_back(internal::notSupported(path + ".effect", effect,
                                           {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
    }
    if (!seen.insert({key, effect}).second) {
      api::FieldError dup = internal::duplicate(path, key);
      dup.detail = "taints must be unique by key and effect pair";
      out.push_back(std::move(dup));
    }
  }
}

void validateUpdate(const json& node, const json& old, types::Errors& out) {
  const json& oldCidrs = listAt(old, {"spec", "podCIDRs"});
  if (!oldCidrs.empty() && oldCidrs != listAt(node, {"spec", "podCIDRs"})) {
    out.push_back(internal::forbidden(
        "spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"));
  }
  std::string oldProvider = text(old, {"spec", "providerID"});
  if (!oldProvider.empty() && oldProvider != text(node, {"spec", "providerID"})) {
    out.push_back(internal::forbidden(
        "spec.providerID", "node updates may not change providerID except from \"\" to valid"));
  }
}

std::vector<Cause> validate(const json& node, const json* old) {
  types::Errors errors;
  if (old) {
    types::validateObjectMetaUpdate(node, *old, errors);
  }
  types::validateObjectMeta(node, false, types::NameRule::kDns1123Subdomain, errors);
  validateTaints(node, errors);
  if (old) {
    validateUpdate(node, *old, errors);
  }
  return types::toCauses(errors);
}

std::string address(const json& node, std::string_view type) {
  for (const auto& a : listAt(node, {"status", "addresses"})) {
    if (text(a, {"type"}) == type) {
      return text(a, {"address"});
    }
  }
  return "<none>";
}

std::string orUnknown(const std::string& s) {
  return s.empty() ? "<unknown>" : s;
}

std::vector<json> row(const json& node, const NowFn& now) {
  std::vector<std::string> status;
  for (const auto& c : listAt(node, {"status", "conditions"})) {
    if (text(c, {"type"}) == "Ready") {
      status.push_back(text(c, {"status"}) == "True" ? "Ready" : "NotReady");
      break;
    }
  }
  if (status.empty()) {
    status.push_back("Unknown");
  }
  if (types::flag(node, {"spec", "unschedulable"})) {
    status.push_back("SchedulingDisabled");
  }
  // findNodeRoles: node-role.kubernetes.io/<role> keys and kubernetes.io/role values, sorted.
  std::set<std::string> roles;
  if (const json* labels = types::at(node, {"metadata", "labels"}); labels && labels->is_object()) {
    for (const auto& [k, v] : labels->items()) {
      constexpr std::string_view kPrefix = "node-role.kubernetes.io/";
      if (k.starts_with(kPrefix) && k.size() > kPrefix.size()) {
        roles.insert(k.substr(kPrefix.size()));
      } else if (k == "kubernetes.io/role" && v.is_string() && !v.get<std::string>().empty()) {
        roles.insert(v.get<std::string>());
      }
    }
  }
  auto join = [](const auto& items) {
    std::string out;
    for (const auto& s : items) {
      out += (out.empty() ? "" : ",") + s;
    }
    return out;
  };
  std::string roleCell = roles.empty() ? "<none>" : join(roles);
  return {
      types::nameOf(node),
      join(status),
      roleCell,
      types::ageOf(node, now),
      text(node, {"status", "nodeInfo", "kubeletVersion"}),
      address(node, "InternalIP"),
      address(node, "ExternalIP"),
      orUnknown(text(node, {"status", "nodeInfo", "osImage"})),
      orUnknown(text(node, {"status", "nodeInfo", "kernelVersion"})),
      orUnknown(text(node, {"status", "nodeInfo", "containerRuntimeVersion"})),
  };
}

}  // namespace

ResourceType nodeType(NowFn now) {
  ResourceType t;
  t.version = "v1";
  t.resource = "nodes";
  t.kind = "Node";
  t.singular = "node";
  t.namespaced = false;
  t.shortNames = {"no"};
  t.subresources = {"status"};
  t.hasStatus = true;
  t.defaults = defaults;
  t.validate = validate;
  t.unknownFields = [](const json& node) {
    static const json schema = types::objectSchema(
        {{"spec",
          {{"podCIDR", true},
           {"podCIDRs", true},
           {"providerID", true},
           {"unschedulable", true},
           {"taints",
            json::array({{{"key", true}, {"value", true}, {"effect", true}, {"timeAdded", true}}})},
           {"configSource", true},
           {"externalID", true}}},
         {"status", true}});
    return types::unknownFieldsBySchema(node, schema);
  };
  t.columns = {
      types::nameColumn(),
      {"Status", "string", "", "The status of the node", 0},
      {"Roles", "string", "", "The roles of the node", 0},
      types::ageColumn(),
      {"Version", "string", "", "Kubelet Version reported by the node.", 0},
      {"Internal-IP", "string", "", "List of addresses reachable to the node.", 1},
      {"External-IP", "string", "", "List of addresses reachable to the node.", 1},
      {"OS-Image", "string", "", "OS Image reported by the node from /etc/os-release.", 1},
      {"Kernel-Version", "string", "", "Kernel Version reported by the node from 'uname -r'.", 1},
      {"Container-Runtime", "string", "",
       "ContainerRuntime Version reported by the node through runtime remote API.", 1},
  };
  t.row = [now = std::move(now)](const json& node) { return row(node, now); };
  t.fields = [](const json& node) -> std::map<std::string, std::string> {
    return {
        {"spec.unschedulable", types::flag(node, {"spec", "unschedulable"}) ? "true" : "false"}};
  };
  return t;
}

}  // namespace berth::apiserver
