// decodePod and unknownPodFields: one reader walk serves both, so the set of known fields is
// written down once.

#include <algorithm>

#include "api/json_reader.h"
#include "api/pod_codec.h"

namespace berth::api {
namespace {

using internal::DecodeContext;
using internal::ObjectReader;
using R = ObjectReader;

void readOwnerReference(R& r, OwnerReference& o) {
  r.str("apiVersion", o.apiVersion);
  r.str("kind", o.kind);
  r.str("name", o.name);
  r.str("uid", o.uid);
  r.boolean("controller", o.controller);
  r.skip("blockOwnerDeletion");
}

void readMeta(R& r, ObjectMeta& m) {
  r.str("name", m.name);
  r.str("generateName", m.generateName);
  r.str("namespace", m.namespace_);
  r.str("uid", m.uid);
  r.str("resourceVersion", m.resourceVersion);
  r.i64("generation", m.generation);
  r.str("creationTimestamp", m.creationTimestamp);
  r.optStr("deletionTimestamp", m.deletionTimestamp);
  r.optI64("deletionGracePeriodSeconds", m.deletionGracePeriodSeconds);
  r.strMap("labels", m.labels);
  r.strMap("annotations", m.annotations);
  r.list("ownerReferences", m.ownerReferences, readOwnerReference);
  r.strList("finalizers", m.finalizers);
  // Server bookkeeping Berth neither uses nor rejects.
  r.skip("managedFields");
  r.skip("selfLink");
}

void readKeySelector(R& r, KeySelector& k) {
  r.str("name", k.name);
  r.str("key", k.key);
  r.boolean("optional", k.optional);
}

void readEnvVar(R& r, EnvVar& e) {
  r.str("name", e.name);
  r.str("value", e.value);
  r.optObject("valueFrom", e.valueFrom, [](R& r, EnvVarSource& s) {
    r.optObject("configMapKeyRef", s.configMapKeyRef, readKeySelector);
    r.optObject("secretKeyRef", s.secretKeyRef, readKeySelector);
    r.optObject("fieldRef", s.fieldRef, [](R& r, ObjectFieldSelector& f) {
      r.str("apiVersion", f.apiVersion);
      r.str("fieldPath", f.fieldPath);
    });
  });
}

void readEnvFromRef(R& r, EnvFromRef& ref) {
  r.str("name", ref.name);
  r.boolean("optional", ref.optional);
}

void readEnvFrom(R& r, EnvFromSource& e) {
  r.str("prefix", e.prefix);
  r.optObject("configMapRef", e.configMapRef, readEnvFromRef);
  r.optObject("secretRef", e.secretRef, readEnvFromRef);
}

void readPort(R& r, ContainerPort& p) {
  r.str("name", p.name);
  r.i32("containerPort", p.containerPort);
  r.i32("hostPort", p.hostPort);
  r.str("protocol", p.protocol);
  r.str("hostIP", p.hostIP);
}

void readVolumeMount(R& r, VolumeMount& m) {
  r.str("name", m.name);
  r.str("mountPath", m.mountPath);
  r.boolean("readOnly", m.readOnly);
  r.str("subPath", m.subPath);
}

void readSeccomp(R& r, SeccompProfile& s) {
  r.str("type", s.type);
  r.str("localhostProfile", s.localhostProfile);
}

void readSecurityContext(R& r, SecurityContext& s) {
  r.optI64("runAsUser", s.runAsUser);
  r.optI64("runAsGroup", s.runAsGroup);
  r.optBool("runAsNonRoot", s.runAsNonRoot);
  r.optBool("readOnlyRootFilesystem", s.readOnlyRootFilesystem);
  r.optBool("privileged", s.privileged);
  r.optBool("allowPrivilegeEscalation", s.allowPrivilegeEscalation);
  r.optObject("capabilities", s.capabilities, [](R& r, Capabilities& c) {
    r.strList("add", c.add);
    r.strList("drop", c.drop);
  });
  r.optObject("seccompProfile", s.seccompProfile, readSeccomp);
}

void readProbe(R& r, Probe& p) {
  r.optObject("exec", p.exec, [](R& r, ExecAction& e) { r.strList("command", e.command); });
  r.optObject("httpGet", p.httpGet, [](R& r, HttpGetAction& h) {
    r.str("path", h.path);
    r.intOrString("port", h.port);
    r.str("host", h.host);
    r.str("scheme", h.scheme);
    r.list("httpHeaders", h.httpHeaders, [](R& r, HttpHeader& hh) {
      r.str("name", hh.name);
      r.str("value", hh.value);
    });
  });
  r.optObject("tcpSocket", p.tcpSocket, [](R& r, TcpSocketAction& t) {
    r.intOrString("port", t.port);
    r.str("host", t.host);
  });
  r.i32("initialDelaySeconds", p.initialDelaySeconds);
  r.i32("timeoutSeconds", p.timeoutSeconds);
  r.i32("periodSeconds", p.periodSeconds);
  r.i32("successThreshold", p.successThreshold);
  r.i32("failureThreshold", p.failureThreshold);
  r.optI64("terminationGracePeriodSeconds", p.terminationGracePeriodSeconds);
}

void readContainer(R& r, Container& c) {
  r.str("name", c.name);
  r.str("image", c.image);
  r.strList("command", c.command);
  r.strList("args", c.args);
  r.str("workingDir", c.workingDir);
  r.list("ports", c.ports, readPort);
  r.list("envFrom", c.envFrom, readEnvFrom);
  r.list("env", c.env, readEnvVar);
  r.object("resources", c.resources, [](R& r, ResourceRequirements& res) {
    r.quantityMap("requests", res.requests);
    r.quantityMap("limits", res.limits);
  });
  r.list("volumeMounts", c.volumeMounts, readVolumeMount);
  r.optObject("livenessProbe", c.livenessProbe, readProbe);
  r.optObject("readinessProbe", c.readinessProbe, readProbe);
  r.optObject("startupProbe", c.startupProbe, readProbe);
  r.str("imagePullPolicy", c.imagePullPolicy);
  r.optObject("securityContext", c.securityContext, readSecurityContext);
  r.str("terminationMessagePath", c.terminationMessagePath);
  r.str("terminationMessagePolicy", c.terminationMessagePolicy);
  r.boolean("stdin", c.stdin);
  r.boolean("stdinOnce", c.stdinOnce);
  r.boolean("tty", c.tty);
}

void readKeyToPath(R& r, KeyToPath& k) {
  r.str("key", k.key);
  r.str("path", k.path);
  r.optI32("mode", k.mode);
}

void readVolume(R& r, Volume& v) {
  r.str("name", v.name);
  r.optObject("emptyDir", v.emptyDir, [](R& r, EmptyDirVolumeSource& e) {
    r.str("medium", e.medium);
    r.quantity("sizeLimit", e.sizeLimit);
  });
  r.optObject("hostPath", v.hostPath, [](R& r, HostPathVolumeSource& h) {
    r.str("path", h.path);
    r.str("type", h.type);
  });
  r.optObject("configMap", v.configMap, [](R& r, ConfigMapVolumeSource& c) {
    r.str("name", c.name);
    r.list("items", c.items, readKeyToPath);
    r.optI32("defaultMode", c.defaultMode);
    r.boolean("optional", c.optional);
  });
  r.optObject("secret", v.secret, [](R& r, SecretVolumeSource& s) {
    r.str("secretName", s.secretName);
    r.list("items", s.items, readKeyToPath);
    r.optI32("defaultMode", s.defaultMode);
    r.boolean("optional", s.optional);
  });
}

void readPodSecurityContext(R& r, PodSecurityContext& s) {
  r.optI64("runAsUser", s.runAsUser);
  r.optI64("runAsGroup", s.runAsGroup);
  r.optBool("runAsNonRoot", s.runAsNonRoot);
  r.optI64("fsGroup", s.fsGroup);
  r.i64List("supplementalGroups", s.supplementalGroups);
  r.list("sysctls", s.sysctls, [](R& r, Sysctl& sc) {
    r.str("name", sc.name);
    r.str("value", sc.value);
  });
  r.optObject("seccompProfile", s.seccompProfile, readSeccomp);
}

void readToleration(R& r, Toleration& t) {
  r.str("key", t.key);
  r.str("operator", t.op);
  r.str("value", t.value);
  r.str("effect", t.effect);
  r.optI64("tolerationSeconds", t.tolerationSeconds);
}

void readSpec(R& r, PodSpec& s) {
  r.list("initContainers", s.initContainers, readContainer);
  r.list("containers", s.containers, readContainer);
  r.list("volumes", s.volumes, readVolume);
  r.str("restartPolicy", s.restartPolicy);
  r.optI64("terminationGracePeriodSeconds", s.terminationGracePeriodSeconds);
  r.optI64("activeDeadlineSeconds", s.activeDeadlineSeconds);
  r.str("dnsPolicy", s.dnsPolicy);
  r.optObject("dnsConfig", s.dnsConfig, [](R& r, PodDnsConfig& d) {
    r.strList("nameservers", d.nameservers);
    r.strList("searches", d.searches);
    r.list("options", d.options, [](R& r, PodDnsConfigOption& o) {
      r.str("name", o.name);
      r.optStr("value", o.value);
    });
  });
  r.list("hostAliases", s.hostAliases, [](R& r, HostAlias& h) {
    r.str("ip", h.ip);
    r.strList("hostnames", h.hostnames);
  });
  r.strMap("nodeSelector", s.nodeSelector);
  r.str("serviceAccountName", s.serviceAccountName);
  // The deprecated alias of serviceAccountName; the API server copies it over.
  std::string serviceAccount;
  r.str("serviceAccount", serviceAccount);
  if (s.serviceAccountName.empty()) {
    s.serviceAccountName = serviceAccount;
  }
  r.str("nodeName", s.nodeName);
  r.boolean("hostNetwork", s.hostNetwork);
  r.boolean("hostPID", s.hostPID);
  r.boolean("hostIPC", s.hostIPC);
  r.optBool("shareProcessNamespace", s.shareProcessNamespace);
  r.str("hostname", s.hostname);
  r.str("subdomain", s.subdomain);
  r.optObject("securityContext", s.securityContext, readPodSecurityContext);
  r.list("imagePullSecrets", s.imagePullSecrets,
         [](R& r, LocalObjectReference& l) { r.str("name", l.name); });
  r.list("tolerations", s.tolerations, readToleration);
  r.str("schedulerName", s.schedulerName);
  r.optI32("priority", s.priority);
}

void readState(R& r, ContainerState& s) {
  r.optObject("waiting", s.waiting, [](R& r, ContainerStateWaiting& w) {
    r.str("reason", w.reason);
    r.str("message", w.message);
  });
  r.optObject("running", s.running,
              [](R& r, ContainerStateRunning& run) { r.str("startedAt", run.startedAt); });
  r.optObject("terminated", s.terminated, [](R& r, ContainerStateTerminated& t) {
    r.i32("exitCode", t.exitCode);
    r.i32("signal", t.signal);
    r.str("reason", t.reason);
    r.str("message", t.message);
    r.str("startedAt", t.startedAt);
    r.str("finishedAt", t.finishedAt);
    r.str("containerID", t.containerID);
  });
}

void readContainerStatus(R& r, ContainerStatus& c) {
  r.str("name", c.name);
  r.object("state", c.state, readState);
  r.object("lastState", c.lastState, readState);
  r.boolean("ready", c.ready);
  r.i32("restartCount", c.restartCount);
  r.str("image", c.image);
  r.str("imageID", c.imageID);
  r.str("containerID", c.containerID);
  r.optBool("started", c.started);
}

void readStatus(R& r, PodStatus& s) {
  r.str("phase", s.phase);
  r.list("conditions", s.conditions, [](R& r, PodCondition& c) {
    r.str("type", c.type);
    r.str("status", c.status);
    r.str("reason", c.reason);
    r.str("message", c.message);
    r.str("lastProbeTime", c.lastProbeTime);
    r.str("lastTransitionTime", c.lastTransitionTime);
  });
  r.str("message", s.message);
  r.str("reason", s.reason);
  r.str("hostIP", s.hostIP);
  r.list("hostIPs", s.hostIPs, [](R& r, PodIP& ip) { r.str("ip", ip.ip); });
  r.str("podIP", s.podIP);
  r.list("podIPs", s.podIPs, [](R& r, PodIP& ip) { r.str("ip", ip.ip); });
  r.str("startTime", s.startTime);
  r.list("initContainerStatuses", s.initContainerStatuses, readContainerStatus);
  r.list("containerStatuses", s.containerStatuses, readContainerStatus);
  r.str("qosClass", s.qosClass);
}

// Walks the whole document, continuing past type errors so that every unknown field is seen.
Pod readPod(const nlohmann::json& json, DecodeContext& ctx) {
  Pod pod;
  ObjectReader r(json, "", ctx);
  r.str("apiVersion", pod.apiVersion);
  r.str("kind", pod.kind);
  r.object("metadata", pod.metadata, readMeta);
  r.object("spec", pod.spec, readSpec);
  r.object("status", pod.status, readStatus);
  return pod;
}

}  // namespace

Result<Pod> decodePod(const nlohmann::json& json) {
  if (!json.is_object()) {
    return fail(ErrorCode::kInvalidArgument, "expected a Pod object, got {}",
                internal::describeJson(json));
  }
  auto kind = json.find("kind");
  if (kind != json.end() && !kind->is_string() && !kind->is_null()) {
    return fail(ErrorCode::kInvalidArgument, "kind: expected string, got {}",
                internal::describeJson(*kind));
  }
  auto version = json.find("apiVersion");
  if (version != json.end() && !version->is_string() && !version->is_null()) {
    return fail(ErrorCode::kInvalidArgument, "apiVersion: expected string, got {}",
                internal::describeJson(*version));
  }
  if (kind == json.end() || !kind->is_string() || kind->get<std::string>().empty()) {
    return fail(ErrorCode::kInvalidArgument, "kind: Required value: must be \"Pod\"");
  }
  if (*kind != "Pod") {
    return fail(ErrorCode::kInvalidArgument, "kind: expected \"Pod\", got {}", kind->dump());
  }
  if (version == json.end() || !version->is_string() || version->get<std::string>().empty()) {
    return fail(ErrorCode::kInvalidArgument, "apiVersion: Required value: must be \"v1\"");
  }
  if (*version != "v1") {
    return fail(ErrorCode::kInvalidArgument, "apiVersion: expected \"v1\", got {}",
                version->dump());
  }
  DecodeContext ctx;
  Pod pod = readPod(json, ctx);
  if (ctx.firstError) {
    return fail(ErrorCode::kInvalidArgument, "{}", *ctx.firstError);
  }
  return pod;
}

std::vector<std::string> unknownPodFields(const nlohmann::json& json) {
  DecodeContext ctx;
  (void)readPod(json, ctx);
  std::sort(ctx.unknownFields.begin(), ctx.unknownFields.end());
  return ctx.unknownFields;
}

}  // namespace berth::api
