#include "instances/container_group_codec.h"

namespace berth::instances {
namespace {

using nlohmann::json;

json encodePort(const ContainerPort& p) {
  json out = {{"port", p.port}};
  if (!p.protocol.empty()) {
    out["protocol"] = p.protocol;
  }
  return out;
}

json encodeEnv(const EnvironmentVariable& e, const EncodeOptions& options) {
  json out = {{"name", e.name}};
  if (e.value) {
    out["value"] = *e.value;
  }
  if (e.secureValue && options.includeSecrets) {
    out["secureValue"] = *e.secureValue;
  }
  return out;
}

json encodeGpu(const GpuResource& g) {
  json out = {{"count", g.count}};
  if (!g.sku.empty()) {
    out["sku"] = g.sku;
  }
  return out;
}

json encodeResources(const ResourceRequirements& r) {
  json requests = {{"cpu", r.requests.cpu}, {"memoryInGB", r.requests.memoryInGB}};
  if (r.requests.gpu) {
    requests["gpu"] = encodeGpu(*r.requests.gpu);
  }
  json out = {{"requests", requests}};
  if (r.limits) {
    json limits = json::object();
    if (r.limits->cpu) {
      limits["cpu"] = *r.limits->cpu;
    }
    if (r.limits->memoryInGB) {
      limits["memoryInGB"] = *r.limits->memoryInGB;
    }
    if (r.limits->gpu) {
      limits["gpu"] = encodeGpu(*r.limits->gpu);
    }
    out["limits"] = limits;
  }
  return out;
}

json encodeMount(const VolumeMount& m) {
  json out = {{"name", m.name}, {"mountPath", m.mountPath}};
  if (m.readOnly) {
    out["readOnly"] = true;
  }
  return out;
}

json encodeProbe(const ContainerProbe& p) {
  json out = json::object();
  if (p.exec) {
    out["exec"] = {{"command", p.exec->command}};
  }
  if (p.httpGet) {
    json get = {{"port", p.httpGet->port}};
    if (!p.httpGet->path.empty()) {
      get["path"] = p.httpGet->path;
    }
    if (!p.httpGet->scheme.empty()) {
      get["scheme"] = p.httpGet->scheme;
    }
    if (!p.httpGet->httpHeaders.empty()) {
      json headers = json::array();
      for (const HttpHeader& h : p.httpGet->httpHeaders) {
        headers.push_back({{"name", h.name}, {"value", h.value}});
      }
      get["httpHeaders"] = headers;
    }
    out["httpGet"] = get;
  }
  auto put = [&](const char* key, const std::optional<int64_t>& v) {
    if (v) {
      out[key] = *v;
    }
  };
  put("initialDelaySeconds", p.initialDelaySeconds);
  put("periodSeconds", p.periodSeconds);
  put("failureThreshold", p.failureThreshold);
  put("successThreshold", p.successThreshold);
  put("timeoutSeconds", p.timeoutSeconds);
  return out;
}

json encodeEvents(const std::vector<Event>& events) {
  json out = json::array();
  for (const Event& e : events) {
    out.push_back({{"count", e.count},
                   {"firstTimestamp", e.firstTimestamp},
                   {"lastTimestamp", e.lastTimestamp},
                   {"name", e.name},
                   {"message", e.message},
                   {"type", e.type}});
  }
  return out;
}

json encodeState(const ContainerState& s) {
  json out = {{"state", s.state}};
  if (!s.startTime.empty()) {
    out["startTime"] = s.startTime;
  }
  if (s.exitCode) {
    out["exitCode"] = *s.exitCode;
  }
  if (!s.finishTime.empty()) {
    out["finishTime"] = s.finishTime;
  }
  out["detailStatus"] = s.detailStatus;
  return out;
}

json encodeContainerView(const ContainerInstanceView& v) {
  json out = {{"restartCount", v.restartCount}, {"events", encodeEvents(v.events)}};
  if (v.currentState) {
    out["currentState"] = encodeState(*v.currentState);
  }
  if (v.previousState) {
    out["previousState"] = encodeState(*v.previousState);
  }
  return out;
}

// Properties containers and init containers share.
template <typename T>
json encodeCommon(const T& c, const EncodeOptions& options) {
  json props = {{"image", c.image}};
  if (!c.command.empty()) {
    props["command"] = c.command;
  }
  json env = json::array();
  for (const EnvironmentVariable& e : c.environmentVariables) {
    env.push_back(encodeEnv(e, options));
  }
  props["environmentVariables"] = env;
  if (!c.volumeMounts.empty()) {
    json mounts = json::array();
    for (const VolumeMount& m : c.volumeMounts) {
      mounts.push_back(encodeMount(m));
    }
    props["volumeMounts"] = mounts;
  }
  if (c.instanceView) {
    props["instanceView"] = encodeContainerView(*c.instanceView);
  }
  return props;
}

json encodeContainer(const Container& c, const EncodeOptions& options) {
  json props = encodeCommon(c, options);
  json ports = json::array();
  for (const ContainerPort& p : c.ports) {
    ports.push_back(encodePort(p));
  }
  props["ports"] = ports;
  props["resources"] = encodeResources(c.resources);
  if (c.livenessProbe) {
    props["livenessProbe"] = encodeProbe(*c.livenessProbe);
  }
  if (c.readinessProbe) {
    props["readinessProbe"] = encodeProbe(*c.readinessProbe);
  }
  return {{"name", c.name}, {"properties", props}};
}

json encodeVolume(const Volume& v, const EncodeOptions& options) {
  json out = {{"name", v.name}};
  if (v.emptyDir) {
    out["emptyDir"] = json::object();
  }
  if (v.secret) {
    out["secret"] = options.includeSecrets ? json(*v.secret) : json::object();
  }
  return out;
}

json encodeProperties(const ContainerGroupProperties& p, const EncodeOptions& options) {
  json out = json::object();
  out["provisioningState"] = p.provisioningState;
  json containers = json::array();
  for (const Container& c : p.containers) {
    containers.push_back(encodeContainer(c, options));
  }
  out["containers"] = containers;
  if (!p.initContainers.empty()) {
    json inits = json::array();
    for (const InitContainer& c : p.initContainers) {
      inits.push_back({{"name", c.name}, {"properties", encodeCommon(c, options)}});
    }
    out["initContainers"] = inits;
  }
  if (!p.imageRegistryCredentials.empty()) {
    json creds = json::array();
    for (const ImageRegistryCredential& c : p.imageRegistryCredentials) {
      json cred = {{"server", c.server}};
      if (!c.username.empty()) {
        cred["username"] = c.username;
      }
      if (c.password && options.includeSecrets) {
        cred["password"] = *c.password;
      }
      if (!c.identity.empty()) {
        cred["identity"] = c.identity;
      }
      if (!c.identityUrl.empty()) {
        cred["identityUrl"] = c.identityUrl;
      }
      creds.push_back(cred);
    }
    out["imageRegistryCredentials"] = creds;
  }
  out["restartPolicy"] = p.restartPolicy;
  if (p.ipAddress) {
    json ports = json::array();
    for (const ContainerPort& port : p.ipAddress->ports) {
      ports.push_back(encodePort(port));
    }
    json ip = {{"ports", ports}, {"type", p.ipAddress->type}};
    if (!p.ipAddress->ip.empty()) {
      ip["ip"] = p.ipAddress->ip;
    }
    if (!p.ipAddress->dnsNameLabel.empty()) {
      ip["dnsNameLabel"] = p.ipAddress->dnsNameLabel;
    }
    if (!p.ipAddress->fqdn.empty()) {
      ip["fqdn"] = p.ipAddress->fqdn;
    }
    out["ipAddress"] = ip;
  }
  out["osType"] = p.osType;
  if (!p.volumes.empty()) {
    json volumes = json::array();
    for (const Volume& v : p.volumes) {
      volumes.push_back(encodeVolume(v, options));
    }
    out["volumes"] = volumes;
  }
  out["sku"] = p.sku;
  if (!p.priority.empty()) {
    out["priority"] = p.priority;
  }
  if (p.dnsConfig) {
    json dns = {{"nameServers", p.dnsConfig->nameServers}};
    if (!p.dnsConfig->searchDomains.empty()) {
      dns["searchDomains"] = p.dnsConfig->searchDomains;
    }
    if (!p.dnsConfig->options.empty()) {
      dns["options"] = p.dnsConfig->options;
    }
    out["dnsConfig"] = dns;
  }
  if (p.instanceView) {
    out["instanceView"] = {{"state", p.instanceView->state},
                           {"events", encodeEvents(p.instanceView->events)}};
  }
  return out;
}

}  // namespace

nlohmann::json encodeContainerGroup(const ContainerGroup& group, const EncodeOptions& options) {
  json out = {{"id", containerGroupId(group)},
              {"name", group.name},
              {"type", kContainerGroupType},
              {"location", group.location},
              {"tags", group.tags.empty() ? json::object() : json(group.tags)}};
  if (!group.zones.empty()) {
    out["zones"] = group.zones;
  }
  out["properties"] = encodeProperties(group.properties, options);
  return out;
}

}  // namespace berth::instances
