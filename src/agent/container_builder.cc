#include "agent/container_builder.h"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "api/quantity.h"
#include "base/files.h"

namespace berth::agent {
namespace {

constexpr char kDefaultPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::optional<uint32_t> parseId(const std::string& s) {
  uint32_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) {
    return std::nullopt;
  }
  return v;
}

// Finds `name` in a passwd/group style file; returns the fields of the matching line.
std::vector<std::string> lookup(const std::filesystem::path& file, const std::string& name) {
  auto text = files::read(file);
  if (!text) {
    return {};
  }
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::istringstream ls(line);
    std::string f;
    while (std::getline(ls, f, ':')) {
      fields.push_back(f);
    }
    if (fields.size() >= 3 && fields[0] == name) {
      return fields;
    }
  }
  return {};
}

Status addResources(const api::ResourceRequirements& r, runtime::Resources& out) {
  auto find = [](const std::map<std::string, std::string>& m, const char* k) {
    auto it = m.find(k);
    return it == m.end() ? std::optional<std::string>() : it->second;
  };
  auto cpuRequest = find(r.requests, "cpu");
  auto cpuLimit = find(r.limits, "cpu");
  if (!cpuRequest) {
    cpuRequest = cpuLimit;  // Kubernetes defaults the request to the limit
  }
  if (cpuRequest) {
    BERTH_ASSIGN_OR_RETURN(int64_t milli, api::parseQuantityMilli(*cpuRequest));
    // The kubelet's conversion: 1 CPU = 1024 shares, at least 2.
    out.cpuShares = std::max<uint64_t>(2, static_cast<uint64_t>(milli) * 1024 / 1000);
  }
  if (cpuLimit) {
    BERTH_ASSIGN_OR_RETURN(int64_t milli, api::parseQuantityMilli(*cpuLimit));
    // Quota per 100 ms period, at least 1 ms as the kernel requires.
    out.cpuQuotaMicros = std::max<int64_t>(1000, milli * 100);
  }
  if (auto mem = find(r.limits, "memory")) {
    BERTH_ASSIGN_OR_RETURN(int64_t bytes, api::parseQuantity(*mem));
    out.memoryLimitBytes = bytes;
  }
  return ok();
}

}  // namespace

std::string expandVars(const std::string& text, const std::map<std::string, std::string>& env) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 >= text.size()) {
      out += text[i];
      continue;
    }
    if (text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (text[i + 1] == '(') {
      auto close = text.find(')', i + 2);
      if (close != std::string::npos) {
        auto it = env.find(text.substr(i + 2, close - i - 2));
        if (it != env.end()) {
          out += it->second;
          i = close;
          continue;
        }
      }
    }
    out += text[i];
  }
  return out;
}

Result<std::pair<uint32_t, uint32_t>> resolveUser(const std::string& user,
                                                  const std::filesystem::path& rootfs) {
  if (user.empty()) {
    return std::pair<uint32_t, uint32_t>{0, 0};
  }
  std::string userPart = user, groupPart;
  if (auto colon = user.find(':'); colon != std::string::npos) {
    userPart = user.substr(0, colon);
    groupPart = user.substr(colon + 1);
  }
  uint32_t uid = 0, gid = 0;
  if (auto id = parseId(userPart)) {
    uid = *id;
  } else {
    auto fields = lookup(rootfs / "etc/passwd", userPart);
    if (fields.size() < 4) {
      return fail(ErrorCode::kInvalidArgument, "unable to find user '{}' in the image", userPart);
    }
    uid = parseId(fields[2]).value_or(0);
    gid = parseId(fields[3]).value_or(0);
  }
  if (!groupPart.empty()) {
    if (auto id = parseId(groupPart)) {
      gid = *id;
    } else {
      auto fields = lookup(rootfs / "etc/group", groupPart);
      if (fields.size() < 3) {
        return fail(ErrorCode::kInvalidArgument, "unable to find group '{}' in the image",
                    groupPart);
      }
      gid = parseId(fields[2]).value_or(0);
    }
  }
  return std::pair{uid, gid};
}

Result<runtime::ContainerSpec> buildContainerSpec(const BuildInputs& in) {
  const api::Pod& pod = *in.pod;
  const api::Container& c = *in.container;
  const image::ImageConfig& img = *in.imageConfig;
  runtime::ContainerSpec spec;

  // Environment: the image's, then the container's (in order, later wins), $(VAR) expanded
  // against what is defined before it.
  std::map<std::string, std::string> env;
  std::vector<std::string> order;
  auto set = [&](const std::string& k, const std::string& v) {
    if (env.emplace(k, v).second) {
      order.push_back(k);
    } else {
      env[k] = v;
    }
  };
  for (const auto& kv : img.env) {
    auto eq = kv.find('=');
    set(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
  }
  if (!c.envFrom.empty() && !in.resolvedEnv) {
    return fail(ErrorCode::kInvalidArgument, "envFrom needs a control plane");
  }
  if (in.resolvedEnv) {
    for (const auto& [k, v] : in.resolvedEnv->fromSources) {
      set(k, v);
    }
  }
  for (size_t i = 0; i < c.env.size(); ++i) {
    const auto& e = c.env[i];
    if (e.valueFrom) {
      if (e.valueFrom->fieldRef) {
        const auto& path = e.valueFrom->fieldRef->fieldPath;
        std::string v;
        if (path == "metadata.name") {
          v = pod.metadata.name;
        } else if (path == "metadata.namespace") {
          v = pod.metadata.namespace_;
        } else if (path == "metadata.uid") {
          v = pod.metadata.uid;
        } else if (path == "spec.nodeName") {
          v = pod.spec.nodeName;
        } else if (path == "status.podIP") {
          v = pod.status.podIP;
        } else {
          return fail(ErrorCode::kInvalidArgument, "env '{}': unsupported fieldPath '{}'", e.name,
                      path);
        }
        set(e.name, v);
        continue;
      }
      if (!in.resolvedEnv) {
        return fail(ErrorCode::kInvalidArgument,
                    "env '{}': configMapKeyRef and secretKeyRef need a control plane", e.name);
      }
      // A missing optional reference leaves the variable unset.
      if (auto it = in.resolvedEnv->refs.find(i); it != in.resolvedEnv->refs.end()) {
        set(e.name, it->second);
      }
      continue;
    }
    set(e.name, expandVars(e.value, env));
  }
  if (env.find("PATH") == env.end()) {
    set("PATH", kDefaultPath);
  }
  std::string hostname = pod.spec.hostname.empty() ? pod.metadata.name : pod.spec.hostname;
  if (hostname.size() > 63) {
    hostname.resize(63);
  }
  set("HOSTNAME", hostname);
  for (const auto& k : order) {
    spec.env.push_back(k + "=" + env[k]);
  }

  // Command: Kubernetes' rules — command replaces ENTRYPOINT, args replace CMD.
  std::vector<std::string> args;
  if (!c.command.empty()) {
    args = c.command;
    args.insert(args.end(), c.args.begin(), c.args.end());
  } else {
    args = img.entrypoint;
    const auto& tail = c.args.empty() ? img.cmd : c.args;
    args.insert(args.end(), tail.begin(), tail.end());
  }
  if (args.empty()) {
    return fail(ErrorCode::kInvalidArgument, "no command specified");
  }
  for (auto& a : args) {
    a = expandVars(a, env);
  }
  spec.args = std::move(args);
  spec.cwd = !c.workingDir.empty() ? c.workingDir : (img.workingDir.empty() ? "/" : img.workingDir);
  spec.hostname = hostname;

  // User: the container's securityContext, else the pod's, else the image's USER.
  BERTH_ASSIGN_OR_RETURN(auto ids, resolveUser(img.user, in.rootfs));
  const auto& psc = pod.spec.securityContext;
  const auto& csc = c.securityContext;
  std::optional<int64_t> runAsUser = csc && csc->runAsUser   ? csc->runAsUser
                                     : psc && psc->runAsUser ? psc->runAsUser
                                                             : std::nullopt;
  std::optional<int64_t> runAsGroup = csc && csc->runAsGroup   ? csc->runAsGroup
                                      : psc && psc->runAsGroup ? psc->runAsGroup
                                                               : std::nullopt;
  if (runAsUser) {
    ids.first = static_cast<uint32_t>(*runAsUser);
  }
  if (runAsGroup) {
    ids.second = static_cast<uint32_t>(*runAsGroup);
  }
  bool nonRoot = (csc && csc->runAsNonRoot.value_or(false)) ||
                 (!(csc && csc->runAsNonRoot) && psc && psc->runAsNonRoot.value_or(false));
  if (nonRoot && ids.first == 0) {
    return fail(ErrorCode::kInvalidArgument,
                "container has runAsNonRoot and image will run as root");
  }
  spec.uid = ids.first;
  spec.gid = ids.second;
  if (psc) {
    for (int64_t g : psc->supplementalGroups) {
      spec.additionalGids.push_back(static_cast<uint32_t>(g));
    }
    if (psc->fsGroup) {
      spec.additionalGids.push_back(static_cast<uint32_t>(*psc->fsGroup));
    }
  }

  // Security.
  if (csc) {
    spec.privileged = csc->privileged.value_or(false);
    spec.readOnlyRootfs = csc->readOnlyRootFilesystem.value_or(false);
    if (csc->capabilities) {
      spec.capAdd = csc->capabilities->add;
      spec.capDrop = csc->capabilities->drop;
    }
    // no_new_privs stays on unless escalation is explicitly allowed.
    spec.noNewPrivileges = !csc->allowPrivilegeEscalation.value_or(false) && !spec.privileged;
  }

  // Mounts: pod files, then volumes.
  auto bind = [](const std::filesystem::path& src, const std::string& dst, bool ro) {
    runtime::Mount m;
    m.destination = dst;
    m.type = "bind";
    m.source = src.string();
    m.options = {"rbind", ro ? "ro" : "rw"};
    return m;
  };
  if (!in.hostsFile.empty()) {
    spec.mounts.push_back(bind(in.hostsFile, "/etc/hosts", false));
  }
  if (!in.resolvConfFile.empty()) {
    spec.mounts.push_back(bind(in.resolvConfFile, "/etc/resolv.conf", false));
  }
  if (!in.hostnameFile.empty()) {
    spec.mounts.push_back(bind(in.hostnameFile, "/etc/hostname", false));
  }
  for (const auto& vm : c.volumeMounts) {
    auto it = in.volumePaths.find(vm.name);
    if (it == in.volumePaths.end()) {
      return fail(ErrorCode::kInvalidArgument, "volume '{}' is not prepared", vm.name);
    }
    std::filesystem::path src = it->second;
    if (!vm.subPath.empty()) {
      src /= vm.subPath;
      if (!files::exists(src)) {
        BERTH_TRY_STATUS(files::makeDirs(src));
      }
    }
    spec.mounts.push_back(bind(src, vm.mountPath, vm.readOnly));
  }

  BERTH_TRY_STATUS(addResources(c.resources, spec.resources));
  if (in.pidsLimit > 0) {
    spec.resources.pidsLimit = in.pidsLimit;
  }
  return spec;
}

}  // namespace berth::agent
