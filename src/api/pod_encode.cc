// encodePod: Pod -> JSON in the shape the Kubernetes API server writes. Optional fields follow
// Go's omitempty: empty strings, zero numbers, false, empty lists/maps and unset optionals are
// left out; fields Kubernetes declares without omitempty (containers, name, containerPort,
// ready, restartCount, ...) are always written.

#include "api/pod_codec.h"

namespace berth::api {
namespace {

using nlohmann::json;

void put(json& j, const char* key, const std::string& v) {
  if (!v.empty()) {
    j[key] = v;
  }
}

void put(json& j, const char* key, const std::optional<std::string>& v) {
  if (v) {
    j[key] = *v;
  }
}

template <typename Int>
requires std::is_integral_v<Int> &&
    (!std::is_same_v<Int, bool>)void put(json& j, const char* key, Int v) {
  if (v != 0) {
    j[key] = v;
  }
}

void putBool(json& j, const char* key, bool v) {
  if (v) {
    j[key] = true;
  }
}

template <typename T>
void put(json& j, const char* key, const std::optional<T>& v) {
  if (v) {
    j[key] = *v;
  }
}

void put(json& j, const char* key, const std::vector<std::string>& v) {
  if (!v.empty()) {
    j[key] = v;
  }
}

void put(json& j, const char* key, const std::map<std::string, std::string>& v) {
  if (!v.empty()) {
    j[key] = v;
  }
}

template <typename T, typename Fn>
void putList(json& j, const char* key, const std::vector<T>& items, Fn fn) {
  if (items.empty()) {
    return;
  }
  json out = json::array();
  for (const auto& item : items) {
    out.push_back(fn(item));
  }
  j[key] = std::move(out);
}

// IntOrString: digits are written as a number, anything else as a string.
json intOrString(const std::string& v) {
  if (!v.empty() && v.size() <= 9 && v.find_first_not_of("0123456789") == std::string::npos) {
    return std::stoi(v);
  }
  return v;
}

json encodeMeta(const ObjectMeta& m) {
  json j = json::object();
  put(j, "name", m.name);
  put(j, "generateName", m.generateName);
  put(j, "namespace", m.namespace_);
  put(j, "uid", m.uid);
  put(j, "resourceVersion", m.resourceVersion);
  put(j, "generation", m.generation);
  put(j, "creationTimestamp", m.creationTimestamp);
  put(j, "deletionTimestamp", m.deletionTimestamp);
  put(j, "deletionGracePeriodSeconds", m.deletionGracePeriodSeconds);
  put(j, "labels", m.labels);
  put(j, "annotations", m.annotations);
  putList(j, "ownerReferences", m.ownerReferences, [](const OwnerReference& o) {
    json r = {{"apiVersion", o.apiVersion}, {"kind", o.kind}, {"name", o.name}, {"uid", o.uid}};
    putBool(r, "controller", o.controller);
    return r;
  });
  put(j, "finalizers", m.finalizers);
  return j;
}

json encodeKeySelector(const KeySelector& k) {
  json j = {{"key", k.key}};
  put(j, "name", k.name);
  putBool(j, "optional", k.optional);
  return j;
}

json encodeEnvVar(const EnvVar& e) {
  json j = {{"name", e.name}};
  put(j, "value", e.value);
  if (e.valueFrom) {
    json from = json::object();
    if (e.valueFrom->configMapKeyRef) {
      from["configMapKeyRef"] = encodeKeySelector(*e.valueFrom->configMapKeyRef);
    }
    if (e.valueFrom->secretKeyRef) {
      from["secretKeyRef"] = encodeKeySelector(*e.valueFrom->secretKeyRef);
    }
    if (e.valueFrom->fieldRef) {
      json f = {{"fieldPath", e.valueFrom->fieldRef->fieldPath}};
      put(f, "apiVersion", e.valueFrom->fieldRef->apiVersion);
      from["fieldRef"] = std::move(f);
    }
    j["valueFrom"] = std::move(from);
  }
  return j;
}

json encodeSeccomp(const SeccompProfile& s) {
  json j = {{"type", s.type}};
  put(j, "localhostProfile", s.localhostProfile);
  return j;
}

json encodeSecurityContext(const SecurityContext& s) {
  json j = json::object();
  if (s.capabilities) {
    json caps = json::object();
    put(caps, "add", s.capabilities->add);
    put(caps, "drop", s.capabilities->drop);
    j["capabilities"] = std::move(caps);
  }
  put(j, "privileged", s.privileged);
  put(j, "runAsUser", s.runAsUser);
  put(j, "runAsGroup", s.runAsGroup);
  put(j, "runAsNonRoot", s.runAsNonRoot);
  put(j, "readOnlyRootFilesystem", s.readOnlyRootFilesystem);
  put(j, "allowPrivilegeEscalation", s.allowPrivilegeEscalation);
  if (s.seccompProfile) {
    j["seccompProfile"] = encodeSeccomp(*s.seccompProfile);
  }
  return j;
}

json encodeProbe(const Probe& p) {
  json j = json::object();
  if (p.exec) {
    json e = json::object();
    put(e, "command", p.exec->command);
    j["exec"] = std::move(e);
  }
  if (p.httpGet) {
    json h = {{"port", intOrString(p.httpGet->port)}};
    put(h, "path", p.httpGet->path);
    put(h, "host", p.httpGet->host);
    put(h, "scheme", p.httpGet->scheme);
    putList(h, "httpHeaders", p.httpGet->httpHeaders, [](const HttpHeader& hh) {
      return json{{"name", hh.name}, {"value", hh.value}};
    });
    j["httpGet"] = std::move(h);
  }
  if (p.tcpSocket) {
    json t = {{"port", intOrString(p.tcpSocket->port)}};
    put(t, "host", p.tcpSocket->host);
    j["tcpSocket"] = std::move(t);
  }
  put(j, "initialDelaySeconds", p.initialDelaySeconds);
  put(j, "timeoutSeconds", p.timeoutSeconds);
  put(j, "periodSeconds", p.periodSeconds);
  put(j, "successThreshold", p.successThreshold);
  put(j, "failureThreshold", p.failureThreshold);
  put(j, "terminationGracePeriodSeconds", p.terminationGracePeriodSeconds);
  return j;
}

json encodeEnvFrom(const EnvFromSource& e) {
  json j = json::object();
  put(j, "prefix", e.prefix);
  auto ref = [](const EnvFromRef& r) {
    json o = json::object();
    put(o, "name", r.name);
    putBool(o, "optional", r.optional);
    return o;
  };
  if (e.configMapRef) {
    j["configMapRef"] = ref(*e.configMapRef);
  }
  if (e.secretRef) {
    j["secretRef"] = ref(*e.secretRef);
  }
  return j;
}

json encodeContainer(const Container& c) {
  json j = {{"name", c.name}};
  put(j, "image", c.image);
  put(j, "command", c.command);
  put(j, "args", c.args);
  put(j, "workingDir", c.workingDir);
  putList(j, "ports", c.ports, [](const ContainerPort& p) {
    json o = {{"containerPort", p.containerPort}};
    put(o, "name", p.name);
    put(o, "hostPort", p.hostPort);
    put(o, "protocol", p.protocol);
    put(o, "hostIP", p.hostIP);
    return o;
  });
  putList(j, "envFrom", c.envFrom, encodeEnvFrom);
  putList(j, "env", c.env, encodeEnvVar);
  json resources = json::object();  // a struct in Go: written even when empty
  put(resources, "limits", c.resources.limits);
  put(resources, "requests", c.resources.requests);
  j["resources"] = std::move(resources);
  putList(j, "volumeMounts", c.volumeMounts, [](const VolumeMount& m) {
    json o = {{"name", m.name}, {"mountPath", m.mountPath}};
    putBool(o, "readOnly", m.readOnly);
    put(o, "subPath", m.subPath);
    return o;
  });
  if (c.livenessProbe) {
    j["livenessProbe"] = encodeProbe(*c.livenessProbe);
  }
  if (c.readinessProbe) {
    j["readinessProbe"] = encodeProbe(*c.readinessProbe);
  }
  if (c.startupProbe) {
    j["startupProbe"] = encodeProbe(*c.startupProbe);
  }
  put(j, "terminationMessagePath", c.terminationMessagePath);
  put(j, "terminationMessagePolicy", c.terminationMessagePolicy);
  put(j, "imagePullPolicy", c.imagePullPolicy);
  if (c.securityContext) {
    j["securityContext"] = encodeSecurityContext(*c.securityContext);
  }
  putBool(j, "stdin", c.stdin);
  putBool(j, "stdinOnce", c.stdinOnce);
  putBool(j, "tty", c.tty);
  return j;
}

json encodeKeyToPath(const KeyToPath& k) {
  json j = {{"key", k.key}, {"path", k.path}};
  put(j, "mode", k.mode);
  return j;
}

json encodeVolume(const Volume& v) {
  json j = {{"name", v.name}};
  if (v.emptyDir) {
    json e = json::object();
    put(e, "medium", v.emptyDir->medium);
    put(e, "sizeLimit", v.emptyDir->sizeLimit);
    j["emptyDir"] = std::move(e);
  }
  if (v.hostPath) {
    json h = {{"path", v.hostPath->path}};
    put(h, "type", v.hostPath->type);
    j["hostPath"] = std::move(h);
  }
  if (v.configMap) {
    json c = json::object();
    put(c, "name", v.configMap->name);
    putList(c, "items", v.configMap->items, encodeKeyToPath);
    put(c, "defaultMode", v.configMap->defaultMode);
    putBool(c, "optional", v.configMap->optional);
    j["configMap"] = std::move(c);
  }
  if (v.secret) {
    json s = json::object();
    put(s, "secretName", v.secret->secretName);
    putList(s, "items", v.secret->items, encodeKeyToPath);
    put(s, "defaultMode", v.secret->defaultMode);
    putBool(s, "optional", v.secret->optional);
    j["secret"] = std::move(s);
  }
  return j;
}

json encodePodSecurityContext(const PodSecurityContext& s) {
  json j = json::object();
  put(j, "runAsUser", s.runAsUser);
  put(j, "runAsGroup", s.runAsGroup);
  put(j, "runAsNonRoot", s.runAsNonRoot);
  if (!s.supplementalGroups.empty()) {
    j["supplementalGroups"] = s.supplementalGroups;
  }
  put(j, "fsGroup", s.fsGroup);
  putList(j, "sysctls", s.sysctls, [](const Sysctl& sc) {
    return json{{"name", sc.name}, {"value", sc.value}};
  });
  if (s.seccompProfile) {
    j["seccompProfile"] = encodeSeccomp(*s.seccompProfile);
  }
  return j;
}

json encodeSpec(const PodSpec& s) {
  json j = json::object();
  putList(j, "volumes", s.volumes, encodeVolume);
  putList(j, "initContainers", s.initContainers, encodeContainer);
  json containers = json::array();  // not omitempty in Kubernetes
  for (const auto& c : s.containers) {
    containers.push_back(encodeContainer(c));
  }
  j["containers"] = std::move(containers);
  put(j, "restartPolicy", s.restartPolicy);
  put(j, "terminationGracePeriodSeconds", s.terminationGracePeriodSeconds);
  put(j, "activeDeadlineSeconds", s.activeDeadlineSeconds);
  put(j, "dnsPolicy", s.dnsPolicy);
  put(j, "nodeSelector", s.nodeSelector);
  put(j, "serviceAccountName", s.serviceAccountName);
  if (!s.serviceAccountName.empty()) {
    j["serviceAccount"] = s.serviceAccountName;  // the deprecated alias the API server mirrors
  }
  put(j, "nodeName", s.nodeName);
  putBool(j, "hostNetwork", s.hostNetwork);
  putBool(j, "hostPID", s.hostPID);
  putBool(j, "hostIPC", s.hostIPC);
  put(j, "shareProcessNamespace", s.shareProcessNamespace);
  if (s.securityContext) {
    j["securityContext"] = encodePodSecurityContext(*s.securityContext);
  }
  putList(j, "imagePullSecrets", s.imagePullSecrets, [](const LocalObjectReference& l) {
    return json{{"name", l.name}};
  });
  put(j, "hostname", s.hostname);
  put(j, "subdomain", s.subdomain);
  put(j, "schedulerName", s.schedulerName);
  putList(j, "tolerations", s.tolerations, [](const Toleration& t) {
    json o = json::object();
    put(o, "key", t.key);
    put(o, "operator", t.op);
    put(o, "value", t.value);
    put(o, "effect", t.effect);
    put(o, "tolerationSeconds", t.tolerationSeconds);
    return o;
  });
  putList(j, "hostAliases", s.hostAliases, [](const HostAlias& h) {
    json o = {{"ip", h.ip}};
    put(o, "hostnames", h.hostnames);
    return o;
  });
  put(j, "priority", s.priority);
  if (s.dnsConfig) {
    json d = json::object();
    put(d, "nameservers", s.dnsConfig->nameservers);
    put(d, "searches", s.dnsConfig->searches);
    putList(d, "options", s.dnsConfig->options, [](const PodDnsConfigOption& o) {
      json out = json::object();
      put(out, "name", o.name);
      put(out, "value", o.value);
      return out;
    });
    j["dnsConfig"] = std::move(d);
  }
  return j;
}

json encodeStatus(const PodStatus& s) {
  json j = json::object();
  put(j, "phase", s.phase);
  putList(j, "conditions", s.conditions, [](const PodCondition& c) {
    json o = {{"type", c.type}, {"status", c.status}};
    put(o, "lastProbeTime", c.lastProbeTime);
    put(o, "lastTransitionTime", c.lastTransitionTime);
    put(o, "reason", c.reason);
    put(o, "message", c.message);
    return o;
  });
  put(j, "message", s.message);
  put(j, "reason", s.reason);
  put(j, "hostIP", s.hostIP);
  putList(j, "hostIPs", s.hostIPs, [](const PodIP& ip) { return json{{"ip", ip.ip}}; });
  put(j, "podIP", s.podIP);
  putList(j, "podIPs", s.podIPs, [](const PodIP& ip) { return json{{"ip", ip.ip}}; });
  put(j, "startTime", s.startTime);
  putList(j, "initContainerStatuses", s.initContainerStatuses, encodeContainerStatus);
  putList(j, "containerStatuses", s.containerStatuses, encodeContainerStatus);
  put(j, "qosClass", s.qosClass);
  return j;
}

}  // namespace

json encodeContainerState(const ContainerState& s) {
  json j = json::object();
  if (s.waiting) {
    json w = json::object();
    put(w, "reason", s.waiting->reason);
    put(w, "message", s.waiting->message);
    j["waiting"] = std::move(w);
  }
  if (s.running) {
    json r = json::object();
    put(r, "startedAt", s.running->startedAt);
    j["running"] = std::move(r);
  }
  if (s.terminated) {
    const ContainerStateTerminated& t = *s.terminated;
    json o = {{"exitCode", t.exitCode}};
    put(o, "signal", t.signal);
    put(o, "reason", t.reason);
    put(o, "message", t.message);
    put(o, "startedAt", t.startedAt);
    put(o, "finishedAt", t.finishedAt);
    put(o, "containerID", t.containerID);
    j["terminated"] = std::move(o);
  }
  return j;
}

json encodeContainerStatus(const ContainerStatus& c) {
  json j = {{"name", c.name},
            {"state", encodeContainerState(c.state)},
            {"lastState", encodeContainerState(c.lastState)},
            {"ready", c.ready},
            {"restartCount", c.restartCount},
            {"image", c.image},
            {"imageID", c.imageID}};
  put(j, "containerID", c.containerID);
  put(j, "started", c.started);
  return j;
}

json encodePod(const Pod& pod) {
  return {{"apiVersion", pod.apiVersion.empty() ? "v1" : pod.apiVersion},
          {"kind", pod.kind.empty() ? "Pod" : pod.kind},
          {"metadata", encodeMeta(pod.metadata)},
          {"spec", encodeSpec(pod.spec)},
          {"status", encodeStatus(pod.status)}};
}

}  // namespace berth::api
