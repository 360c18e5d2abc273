#include "instances/group_to_pod.h"

#include <cmath>
#include <set>
#include <sstream>

#include "api/pod_codec.h"
#include "base/base64.h"
#include "instances/pod_naming.h"
#include "instances/quota.h"

namespace berth::instances {
namespace {

using nlohmann::json;

// Decimal amounts like 0.1 * 1000 = 100.00000000000001 must not round up to 101.
int64_t ceilScaled(double value, double scale) {
  return static_cast<int64_t>(std::ceil(value * scale - 1e-6));
}

json secretObject(const std::string& name, const std::string& ns, const GroupKey& key,
                  const std::string& type, const json& data) {
  json labels = groupLabels(key);
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
          {"type", type},
          {"data", data}};
}

std::vector<api::EnvVar> toEnv(const std::vector<EnvironmentVariable>& env,
                               const std::string& container, const std::string& group,
                               json& secretData) {
  std::vector<api::EnvVar> out;
  for (const EnvironmentVariable& e : env) {
    api::EnvVar var;
    var.name = e.name;
    if (e.secureValue) {
      std::string key = container + "." + e.name;
      secretData[key] = base64Encode(*e.secureValue);
      var.valueFrom = api::EnvVarSource{};
      var.valueFrom->secretKeyRef = api::KeySelector{envSecretName(group), key, false};
    } else {
      var.value = e.value.value_or("");
    }
    out.push_back(std::move(var));
  }
  return out;
}

std::vector<api::VolumeMount> toMounts(const std::vector<VolumeMount>& mounts) {
  std::vector<api::VolumeMount> out;
  for (const VolumeMount& m : mounts) {
    out.push_back(api::VolumeMount{m.name, m.mountPath, m.readOnly, ""});
  }
  return out;
}

api::Probe toProbe(const ContainerProbe& p) {
  api::Probe probe;
  if (p.exec) {
    probe.exec = api::ExecAction{p.exec->command};
  }
  if (p.httpGet) {
    api::HttpGetAction get;
    get.path = p.httpGet->path.empty() ? "/" : p.httpGet->path;
    get.port = std::to_string(p.httpGet->port);
    get.scheme = p.httpGet->scheme == "https" ? "HTTPS" : "HTTP";
    for (const HttpHeader& h : p.httpGet->httpHeaders) {
      get.httpHeaders.push_back(api::HttpHeader{h.name, h.value});
    }
    probe.httpGet = get;
  }
  auto copy = [](const std::optional<int64_t>& from, int32_t& to) {
    if (from) {
      to = static_cast<int32_t>(*from);
    }
  };
  copy(p.initialDelaySeconds, probe.initialDelaySeconds);
  copy(p.periodSeconds, probe.periodSeconds);
  copy(p.failureThreshold, probe.failureThreshold);
  copy(p.successThreshold, probe.successThreshold);
  copy(p.timeoutSeconds, probe.timeoutSeconds);
  return probe;
}

api::ResourceRequirements toResources(const ResourceRequirements& r) {
  api::ResourceRequirements out;
  out.requests["cpu"] = cpuQuantity(r.requests.cpu);
  out.requests["memory"] = memoryQuantity(r.requests.memoryInGB);
  double cpuLimit = r.limits && r.limits->cpu ? *r.limits->cpu : r.requests.cpu;
  double memoryLimit =
      r.limits && r.limits->memoryInGB ? *r.limits->memoryInGB : r.requests.memoryInGB;
  out.limits["cpu"] = cpuQuantity(cpuLimit);
  out.limits["memory"] = memoryQuantity(memoryLimit);
  std::optional<GpuResource> gpu = r.limits && r.limits->gpu ? r.limits->gpu : r.requests.gpu;
  if (gpu && gpu->count > 0) {
    out.requests["nvidia.com/gpu"] = std::to_string(gpu->count);
    out.limits["nvidia.com/gpu"] = std::to_string(gpu->count);
  }
  return out;
}

std::vector<std::string> splitSpaces(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string word; in >> word;) {
    out.push_back(word);
  }
  return out;
}

api::PodDnsConfig toDnsConfig(const DnsConfiguration& dns) {
  api::PodDnsConfig out;
  out.nameservers = dns.nameServers;
  out.searches = splitSpaces(dns.searchDomains);
  for (const std::string& option : splitSpaces(dns.options)) {
    size_t colon = option.find(':');
    api::PodDnsConfigOption o;
    o.name = option.substr(0, colon);
    if (colon != std::string::npos) {
      o.value = option.substr(colon + 1);
    }
    out.options.push_back(o);
  }
  return out;
}

// The dockerconfigjson of the credentials that carry a password; null if none do.
json dockerConfig(const std::vector<ImageRegistryCredential>& creds) {
  json auths = json::object();
  for (const ImageRegistryCredential& c : creds) {
    if (!c.password) {
      continue;
    }
    auths[c.server] = {{"username", c.username},
                       {"password", *c.password},
                       {"auth", base64Encode(c.username + ":" + *c.password)}};
  }
  return auths.empty() ? json() : json{{"auths", auths}};
}

}  // namespace

std::string cpuQuantity(double cores) {
  int64_t milli = ceilScaled(cores, 1000);
  return milli % 1000 == 0 ? std::to_string(milli / 1000) : std::to_string(milli) + "m";
}

std::string memoryQuantity(double gigabytes) {
  int64_t mebi = ceilScaled(gigabytes, 1024);
  return mebi % 1024 == 0 ? std::to_string(mebi / 1024) + "Gi" : std::to_string(mebi) + "Mi";
}

nlohmann::json PodObjects::podJson() const {
  return api::encodePod(pod);
}

Result<PodObjects> groupToPod(const ContainerGroup& group) {
  const ContainerGroupProperties& p = group.properties;
  GroupKey key{group.subscriptionId, group.resourceGroup, group.name};
  std::string ns = podNamespace(group.subscriptionId, group.resourceGroup);
  PodObjects out;
  out.namespaceObject = {{"apiVersion", "v1"},
                         {"kind", "Namespace"},
                         {"metadata", {{"name", ns}, {"labels", {{kPoolLabel, kPoolValue}}}}}};

  api::Pod& pod = out.pod;
  pod.metadata.name = group.name;
  pod.metadata.namespace_ = ns;
  pod.metadata.labels = groupLabels(key);
  pod.metadata.annotations = groupAnnotations(key);
  pod.spec.restartPolicy = p.restartPolicy;
  pod.spec.nodeSelector[kPoolLabel] = kPoolValue;
  pod.spec.tolerations.push_back(api::Toleration{kPoolLabel, "Equal", kPoolValue, "NoSchedule"});
  if (p.dnsConfig) {
    pod.spec.dnsConfig = toDnsConfig(*p.dnsConfig);
  }

  std::set<std::pair<int64_t, std::string>> published;
  if (p.ipAddress && p.ipAddress->type == "Public") {
    for (const ContainerPort& port : p.ipAddress->ports) {
      published.insert({port.port, port.protocol});
    }
  }
  json envData = json::object();
  std::string groupCpu = cpuQuantity(totalCpu(group));
  std::string groupMemory = memoryQuantity(totalMemoryInGB(group));
  for (const InitContainer& c : p.initContainers) {
    api::Container k;
    k.name = c.name;
    k.image = c.image;
    k.command = c.command;
    k.env = toEnv(c.environmentVariables, c.name, group.name, envData);
    k.volumeMounts = toMounts(c.volumeMounts);
    k.resources.requests = {{"cpu", groupCpu}, {"memory", groupMemory}};
    k.resources.limits = k.resources.requests;
    pod.spec.initContainers.push_back(std::move(k));
  }
  for (const Container& c : p.containers) {
    api::Container k;
    k.name = c.name;
    k.image = c.image;
    k.command = c.command;
    for (const ContainerPort& port : c.ports) {
      api::ContainerPort kp;
      kp.containerPort = static_cast<int32_t>(port.port);
      kp.protocol = port.protocol.empty() ? "TCP" : port.protocol;
      if (published.contains({port.port, kp.protocol})) {
        kp.hostPort = kp.containerPort;
      }
      k.ports.push_back(kp);
    }
    k.env = toEnv(c.environmentVariables, c.name, group.name, envData);
    k.resources = toResources(c.resources);
    k.volumeMounts = toMounts(c.volumeMounts);
    if (c.livenessProbe) {
      k.livenessProbe = toProbe(*c.livenessProbe);
    }
    if (c.readinessProbe) {
      k.readinessProbe = toProbe(*c.readinessProbe);
    }
    pod.spec.containers.push_back(std::move(k));
  }
  if (!envData.empty()) {
    out.secrets.push_back(secretObject(envSecretName(group.name), ns, key, "Opaque", envData));
  }

  if (json config = dockerConfig(p.imageRegistryCredentials); !config.is_null()) {
    std::string name = registrySecretName(group.name);
    out.secrets.push_back(secretObject(name, ns, key, "kubernetes.io/dockerconfigjson",
                                       {{".dockerconfigjson", base64Encode(config.dump())}}));
    pod.spec.imagePullSecrets.push_back(api::LocalObjectReference{name});
  }

  for (const Volume& v : p.volumes) {
    api::Volume kv;
    kv.name = v.name;
    if (v.emptyDir) {
      kv.emptyDir = api::EmptyDirVolumeSource{};
    } else if (v.secret) {
      json data = json::object();
      for (const auto& [file, content] : *v.secret) {
        auto bytes = base64Decode(content, Base64Mode::kLenient);
        if (!bytes) {
          return fail(ErrorCode::kInvalidArgument,
                      "volume '{}': file '{}': value is not base64: {}", v.name, file,
                      bytes.error().message());
        }
        data[file] = base64Encode(*bytes);
      }
      std::string name = volumeSecretName(group.name, v.name);
      out.secrets.push_back(secretObject(name, ns, key, "Opaque", data));
      kv.secret = api::SecretVolumeSource{};
      kv.secret->secretName = name;
    } else {
      return fail(ErrorCode::kInvalidArgument, "volume '{}': unsupported volume type '{}'", v.name,
                  v.unsupportedKind.empty() ? "none" : v.unsupportedKind);
    }
    pod.spec.volumes.push_back(std::move(kv));
  }
  return out;
}

}  // namespace berth::instances
