#include <array>
#include <cctype>
#include <string_view>

#include "instances/arm_json_reader.h"
#include "instances/container_group_codec.h"

namespace berth::instances {
namespace {

using internal::ArmReader;
using internal::invalidContent;

// The canonical spelling of `value` among `choices` (case-insensitive), else `value` itself.
template <size_t N>
std::string canonical(const std::string& value, const std::array<std::string_view, N>& choices) {
  for (std::string_view choice : choices) {
    if (choice.size() == value.size() &&
        std::equal(choice.begin(), choice.end(), value.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return std::string(choice);
    }
  }
  return value;
}

constexpr std::array<std::string_view, 2> kProtocols = {"TCP", "UDP"};
constexpr std::array<std::string_view, 3> kRestartPolicies = {"Always", "OnFailure", "Never"};
constexpr std::array<std::string_view, 2> kOsTypes = {"Linux", "Windows"};
constexpr std::array<std::string_view, 2> kIpTypes = {"Public", "Private"};
constexpr std::array<std::string_view, 2> kSchemes = {"http", "https"};
constexpr std::array<std::string_view, 3> kSkus = {"Standard", "Dedicated", "Confidential"};
constexpr std::array<std::string_view, 2> kPriorities = {"Regular", "Spot"};

// Every item of an array must be an object.
ArmStatus requireObject(const nlohmann::json& value, const std::string& path) {
  if (value.is_object()) {
    return {};
  }
  return std::unexpected(invalidContent("Error converting value " + value.dump() +
                                        " to type 'object'. Path '" + path + "'."));
}

// Decodes the array at `key` into `out` with fn(ArmReader&, T&) -> ArmStatus.
template <typename T, typename Fn>
ArmStatus readList(const ArmReader& r, const char* key, std::vector<T>& out, Fn fn) {
  auto items = r.array(key);
  ARM_TRY(items);
  out.clear();
  std::string base = r.childPath(key);
  for (size_t i = 0; i < items->size(); i++) {
    std::string path = base + "[" + std::to_string(i) + "]";
    ARM_TRY(requireObject(*(*items)[i], path));
    ArmReader item(*(*items)[i], path);
    T value;
    ARM_TRY(fn(item, value));
    out.push_back(std::move(value));
  }
  return {};
}

// Calls fn(ArmReader&) for the object at `key` if present.
template <typename Fn>
ArmStatus readObject(const ArmReader& r, const char* key, Fn fn) {
  const nlohmann::json* v = r.find(key);
  if (v == nullptr) {
    return {};
  }
  ARM_TRY(requireObject(*v, r.childPath(key)));
  ArmReader child(*v, r.childPath(key));
  return fn(child);
}

ArmStatus readPort(const ArmReader& r, ContainerPort& port, bool defaultTcp) {
  ARM_TRY(r.require("port"));
  ARM_TRY(r.integer("port", port.port));
  ARM_TRY(r.str("protocol", port.protocol));
  port.protocol = canonical(port.protocol, kProtocols);
  if (port.protocol.empty() && defaultTcp) {
    port.protocol = "TCP";
  }
  return {};
}

ArmStatus readEnv(const ArmReader& r, EnvironmentVariable& env) {
  ARM_TRY(r.require("name"));
  ARM_TRY(r.str("name", env.name));
  ARM_TRY(r.optStr("value", env.value));
  return r.optStr("secureValue", env.secureValue);
}

ArmStatus readGpu(const ArmReader& r, std::optional<GpuResource>& out) {
  return readObject(r, "gpu", [&](const ArmReader& g) -> ArmStatus {
    GpuResource gpu;
    ARM_TRY(g.integer("count", gpu.count));
    ARM_TRY(g.str("sku", gpu.sku));
    out = gpu;
    return {};
  });
}

ArmStatus readResources(const ArmReader& r, ResourceRequirements& res) {
  ARM_TRY(readObject(r, "requests", [&](const ArmReader& q) -> ArmStatus {
    res.requestsGiven = q.has("cpu") && q.has("memoryInGB");
    ARM_TRY(q.number("cpu", res.requests.cpu));
    ARM_TRY(q.number("memoryInGB", res.requests.memoryInGB));
    return readGpu(q, res.requests.gpu);
  }));
  return readObject(r, "limits", [&](const ArmReader& l) -> ArmStatus {
    ResourceLimits limits;
    ARM_TRY(l.optNumber("cpu", limits.cpu));
    ARM_TRY(l.optNumber("memoryInGB", limits.memoryInGB));
    ARM_TRY(readGpu(l, limits.gpu));
    res.limits = limits;
    return {};
  });
}

ArmStatus readMount(const ArmReader& r, VolumeMount& m) {
  ARM_TRY(r.require("name"));
  ARM_TRY(r.require("mountPath"));
  ARM_TRY(r.str("name", m.name));
  ARM_TRY(r.str("mountPath", m.mountPath));
  return r.boolean("readOnly", m.readOnly);
}

ArmStatus readProbe(const ArmReader& r, const char* key, std::optional<ContainerProbe>& out) {
  return readObject(r, key, [&](const ArmReader& p) -> ArmStatus {
    ContainerProbe probe;
    ARM_TRY(readObject(p, "exec", [&](const ArmReader& e) -> ArmStatus {
      ExecProbe exec;
      ARM_TRY(e.strList("command", exec.command));
      probe.exec = exec;
      return {};
    }));
    ARM_TRY(readObject(p, "httpGet", [&](const ArmReader& h) -> ArmStatus {
      HttpGet get;
      ARM_TRY(h.require("port"));
      ARM_TRY(h.str("path", get.path));
      ARM_TRY(h.integer("port", get.port));
      ARM_TRY(h.str("scheme", get.scheme));
      get.scheme = canonical(get.scheme, kSchemes);
      ARM_TRY(readList(h, "httpHeaders", get.httpHeaders,
                       [](const ArmReader& hr, HttpHeader& header) -> ArmStatus {
                         ARM_TRY(hr.str("name", header.name));
                         return hr.str("value", header.value);
                       }));
      probe.httpGet = get;
      return {};
    }));
    ARM_TRY(p.optInteger("initialDelaySeconds", probe.initialDelaySeconds));
    ARM_TRY(p.optInteger("periodSeconds", probe.periodSeconds));
    ARM_TRY(p.optInteger("failureThreshold", probe.failureThreshold));
    ARM_TRY(p.optInteger("successThreshold", probe.successThreshold));
    ARM_TRY(p.optInteger("timeoutSeconds", probe.timeoutSeconds));
    out = probe;
    return {};
  });
}

ArmStatus readEvents(const ArmReader& r, std::vector<Event>& events) {
  return readList(r, "events", events, [](const ArmReader& e, Event& ev) -> ArmStatus {
    ARM_TRY(e.integer("count", ev.count));
    ARM_TRY(e.str("firstTimestamp", ev.firstTimestamp));
    ARM_TRY(e.str("lastTimestamp", ev.lastTimestamp));
    ARM_TRY(e.str("name", ev.name));
    ARM_TRY(e.str("message", ev.message));
    return e.str("type", ev.type);
  });
}

ArmStatus readState(const ArmReader& r, const char* key, std::optional<ContainerState>& out) {
  return readObject(r, key, [&](const ArmReader& s) -> ArmStatus {
    ContainerState state;
    ARM_TRY(s.str("state", state.state));
    ARM_TRY(s.str("startTime", state.startTime));
    ARM_TRY(s.optInteger("exitCode", state.exitCode));
    ARM_TRY(s.str("finishTime", state.finishTime));
    ARM_TRY(s.str("detailStatus", state.detailStatus));
    out = state;
    return {};
  });
}

ArmStatus readContainerView(const ArmReader& r, std::optional<ContainerInstanceView>& out) {
  return readObject(r, "instanceView", [&](const ArmReader& v) -> ArmStatus {
    ContainerInstanceView view;
    ARM_TRY(v.integer("restartCount", view.restartCount));
    ARM_TRY(readState(v, "currentState", view.currentState));
    ARM_TRY(readState(v, "previousState", view.previousState));
    ARM_TRY(readEvents(v, view.events));
    out = view;
    return {};
  });
}

// The parts containers and init containers share. Returns the reader of "properties" through
// fn(ArmReader&) for the rest.
template <typename T, typename Fn>
ArmStatus readContainerCommon(const ArmReader& r, T& c, bool keepReadOnly, Fn rest) {
  ARM_TRY(r.require("name"));
  ARM_TRY(r.require("properties"));
  ARM_TRY(r.str("name", c.name));
  return readObject(r, "properties", [&](const ArmReader& p) -> ArmStatus {
    ARM_TRY(p.require("image"));
    ARM_TRY(p.str("image", c.image));
    ARM_TRY(p.strList("command", c.command));
    ARM_TRY(readList(p, "environmentVariables", c.environmentVariables, readEnv));
    ARM_TRY(readList(p, "volumeMounts", c.volumeMounts, readMount));
    if (keepReadOnly) {
      ARM_TRY(readContainerView(p, c.instanceView));
    }
    return rest(p);
  });
}

ArmStatus readVolume(const ArmReader& r, Volume& v) {
  ARM_TRY(r.require("name"));
  ARM_TRY(r.str("name", v.name));
  if (const nlohmann::json* e = r.find("emptyDir")) {
    ARM_TRY(requireObject(*e, r.childPath("emptyDir")));
    v.emptyDir = true;
  }
  if (r.has("secret")) {
    std::map<std::string, std::string> files;
    ARM_TRY(r.strMap("secret", files));
    v.secret = std::move(files);
  }
  for (const char* kind : {"azureFile", "gitRepo", "secretReference"}) {
    if (r.has(kind) && v.unsupportedKind.empty()) {
      v.unsupportedKind = kind;
    }
  }
  return {};
}

ArmStatus readIpAddress(const ArmReader& r, std::optional<IpAddress>& out, bool keepReadOnly) {
  return readObject(r, "ipAddress", [&](const ArmReader& a) -> ArmStatus {
    IpAddress ip;
    ARM_TRY(a.require("ports"));
    ARM_TRY(a.require("type"));
    ARM_TRY(
        readList(a, "ports", ip.ports, [](const ArmReader& pr, ContainerPort& port) -> ArmStatus {
          return readPort(pr, port, true);
        }));
    ARM_TRY(a.str("type", ip.type));
    ip.type = canonical(ip.type, kIpTypes);
    ARM_TRY(a.str("dnsNameLabel", ip.dnsNameLabel));
    if (keepReadOnly) {
      ARM_TRY(a.str("ip", ip.ip));
      ARM_TRY(a.str("fqdn", ip.fqdn));
    }
    out = ip;
    return {};
  });
}

ArmStatus readProperties(const ArmReader& p, ContainerGroupProperties& props, bool keepReadOnly) {
  ARM_TRY(p.require("containers"));
  ARM_TRY(readList(
      p, "containers", props.containers, [&](const ArmReader& r, Container& c) -> ArmStatus {
        return readContainerCommon(r, c, keepReadOnly, [&](const ArmReader& cp) -> ArmStatus {
          ARM_TRY(readList(cp, "ports", c.ports,
                           [](const ArmReader& pr, ContainerPort& port) -> ArmStatus {
                             return readPort(pr, port, false);
                           }));
          ARM_TRY(readObject(cp, "resources", [&](const ArmReader& rr) -> ArmStatus {
            return readResources(rr, c.resources);
          }));
          ARM_TRY(readProbe(cp, "livenessProbe", c.livenessProbe));
          return readProbe(cp, "readinessProbe", c.readinessProbe);
        });
      }));
  ARM_TRY(readList(p, "initContainers", props.initContainers,
                   [&](const ArmReader& r, InitContainer& c) -> ArmStatus {
                     return readContainerCommon(r, c, keepReadOnly,
                                                [](const ArmReader&) -> ArmStatus { return {}; });
                   }));
  ARM_TRY(readList(p, "imageRegistryCredentials", props.imageRegistryCredentials,
                   [](const ArmReader& r, ImageRegistryCredential& c) -> ArmStatus {
                     ARM_TRY(r.require("server"));
                     ARM_TRY(r.str("server", c.server));
                     ARM_TRY(r.str("username", c.username));
                     ARM_TRY(r.optStr("password", c.password));
                     ARM_TRY(r.str("identity", c.identity));
                     return r.str("identityUrl", c.identityUrl);
                   }));
  ARM_TRY(p.str("restartPolicy", props.restartPolicy));
  props.restartPolicy =
      props.restartPolicy.empty() ? "Always" : canonical(props.restartPolicy, kRestartPolicies);
  ARM_TRY(readIpAddress(p, props.ipAddress, keepReadOnly));
  ARM_TRY(p.str("osType", props.osType));
  props.osType = canonical(props.osType, kOsTypes);
  ARM_TRY(readList(p, "volumes", props.volumes, readVolume));
  ARM_TRY(p.str("sku", props.sku));
  props.sku = props.sku.empty() ? "Standard" : canonical(props.sku, kSkus);
  ARM_TRY(p.str("priority", props.priority));
  props.priority = canonical(props.priority, kPriorities);
  ARM_TRY(readObject(p, "dnsConfig", [&](const ArmReader& d) -> ArmStatus {
    DnsConfiguration dns;
    ARM_TRY(d.strList("nameServers", dns.nameServers));
    ARM_TRY(d.str("searchDomains", dns.searchDomains));
    ARM_TRY(d.str("options", dns.options));
    props.dnsConfig = dns;
    return {};
  }));
  if (keepReadOnly) {
    ARM_TRY(p.str("provisioningState", props.provisioningState));
    ARM_TRY(readObject(p, "instanceView", [&](const ArmReader& v) -> ArmStatus {
      GroupInstanceView view;
      ARM_TRY(v.str("state", view.state));
      ARM_TRY(readEvents(v, view.events));
      props.instanceView = view;
      return {};
    }));
  }
  return {};
}

}  // namespace

ArmResult<ContainerGroup> decodeContainerGroup(const nlohmann::json& body, const GroupPath& path,
                                               bool keepReadOnly) {
  ARM_TRY(requireObject(body, ""));
  ContainerGroup group;
  group.subscriptionId = path.subscriptionId;
  group.resourceGroup = path.resourceGroup;
  group.name = path.name;
  ArmReader root(body, "");
  ARM_TRY(root.str("location", group.location));
  ARM_TRY(root.strMap("tags", group.tags));
  ARM_TRY(root.strList("zones", group.zones));
  ARM_TRY(root.require("properties"));
  ARM_TRY(readObject(root, "properties", [&](const ArmReader& p) -> ArmStatus {
    return readProperties(p, group.properties, keepReadOnly);
  }));
  return group;
}

}  // namespace berth::instances
