#include "agent/config_sources.h"

#include <sys/stat.h>

#include "api/name_validation.h"
#include "base/files.h"

namespace berth::agent {
namespace fs = std::filesystem;

namespace {

enum class Kind { kConfigMap, kSecret };

// A fetched object, or nothing for a missing optional one. The kubelet's not-found wording
// ("configmap", singular) is what users see in `kubectl describe`.
Result<std::optional<ObjectData>> fetch(ObjectResolver& resolver, Kind kind, const std::string& ns,
                                        const std::string& name, bool optional) {
  auto data = kind == Kind::kConfigMap ? resolver.configMap(ns, name) : resolver.secret(ns, name);
  if (data) {
    return std::optional<ObjectData>(std::move(*data));
  }
  if (data.error().code() == ErrorCode::kNotFound) {
    if (optional) {
      return std::optional<ObjectData>();
    }
    return fail(ErrorCode::kNotFound, "{} \"{}\" not found",
                kind == Kind::kConfigMap ? "configmap" : "secret", name);
  }
  return fail(std::move(data.error())
                  .wrap(fmt::format("get {} \"{}\"",
                                    kind == Kind::kConfigMap ? "configmap" : "secret", name)));
}

bool validItemPath(const std::string& path) {
  if (path.empty() || path.front() == '/') {
    return false;
  }
  for (const auto& part : fs::path(path)) {
    if (part == "..") {
      return false;
    }
  }
  return true;
}

}  // namespace

bool needsObjects(const api::Container& container) {
  if (!container.envFrom.empty()) {
    return true;
  }
  for (const auto& e : container.env) {
    if (e.valueFrom && (e.valueFrom->configMapKeyRef || e.valueFrom->secretKeyRef)) {
      return true;
    }
  }
  return false;
}

Result<ResolvedEnv> resolveEnv(const api::Pod& pod, const api::Container& container,
                               ObjectResolver& resolver) {
  const std::string& ns = pod.metadata.namespace_;
  ResolvedEnv out;
  // One fetch per object per container, as the kubelet caches them within one start.
  std::map<std::pair<Kind, std::string>, std::optional<ObjectData>> fetched;
  auto get = [&](Kind kind, const std::string& name,
                 bool optional) -> Result<const std::optional<ObjectData>*> {
    auto key = std::pair{kind, name};
    auto it = fetched.find(key);
    if (it == fetched.end()) {
      BERTH_ASSIGN_OR_RETURN(auto data, fetch(resolver, kind, ns, name, optional));
      it = fetched.emplace(key, std::move(data)).first;
    } else if (!it->second && !optional) {
      return fail(ErrorCode::kNotFound, "{} \"{}\" not found",
                  kind == Kind::kConfigMap ? "configmap" : "secret", name);
    }
    return &it->second;
  };

  for (const auto& from : container.envFrom) {
    Kind kind = from.configMapRef ? Kind::kConfigMap : Kind::kSecret;
    const api::EnvFromRef* ref = from.configMapRef ? &*from.configMapRef
                                 : from.secretRef  ? &*from.secretRef
                                                   : nullptr;
    if (!ref) {
      continue;
    }
    BERTH_ASSIGN_OR_RETURN(auto data, get(kind, ref->name, ref->optional));
    if (!*data) {
      continue;
    }
    for (const auto& [key, value] : **data) {
      std::string name = from.prefix + key;
      if (!api::isEnvVarName(name).empty()) {
        out.invalidKeys.push_back(name);
        continue;
      }
      out.fromSources.emplace_back(name, value);
    }
  }

  for (size_t i = 0; i < container.env.size(); ++i) {
    const auto& e = container.env[i];
    if (!e.valueFrom) {
      continue;
    }
    const api::KeySelector* sel = e.valueFrom->configMapKeyRef ? &*e.valueFrom->configMapKeyRef
                                  : e.valueFrom->secretKeyRef  ? &*e.valueFrom->secretKeyRef
                                                               : nullptr;
    if (!sel) {
      continue;
    }
    Kind kind = e.valueFrom->configMapKeyRef ? Kind::kConfigMap : Kind::kSecret;
    BERTH_ASSIGN_OR_RETURN(auto data, get(kind, sel->name, sel->optional));
    if (!*data) {
      continue;
    }
    auto it = (*data)->find(sel->key);
    if (it == (*data)->end()) {
      if (sel->optional) {
        continue;
      }
      return fail(ErrorCode::kNotFound, "couldn't find key {} in {} {}/{}", sel->key,
                  kind == Kind::kConfigMap ? "ConfigMap" : "Secret", ns, sel->name);
    }
    out.refs[i] = it->second;
  }
  return out;
}

Result<std::vector<VolumeFile>> projectVolume(const api::Pod& pod, const api::Volume& volume,
                                              ObjectResolver& resolver) {
  Kind kind = volume.configMap ? Kind::kConfigMap : Kind::kSecret;
  const std::string& name = volume.configMap ? volume.configMap->name : volume.secret->secretName;
  bool optional = volume.configMap ? volume.configMap->optional : volume.secret->optional;
  const auto& items = volume.configMap ? volume.configMap->items : volume.secret->items;
  auto defaultMode = volume.configMap ? volume.configMap->defaultMode : volume.secret->defaultMode;
  int mode = defaultMode.value_or(0644);

  BERTH_ASSIGN_OR_RETURN(auto data, fetch(resolver, kind, pod.metadata.namespace_, name, optional));
  std::vector<VolumeFile> out;
  if (!data) {
    return out;
  }
  if (items.empty()) {
    for (const auto& [key, value] : *data) {
      out.push_back(VolumeFile{key, value, mode});
    }
    return out;
  }
  for (const auto& item : items) {
    auto it = data->find(item.key);
    if (it == data->end()) {
      if (optional) {
        continue;
      }
      return fail(ErrorCode::kNotFound, "{} references non-existent {} key: {}",
                  kind == Kind::kConfigMap ? "configmap" : "secret",
                  kind == Kind::kConfigMap ? "config" : "secret", item.key);
    }
    if (!validItemPath(item.path)) {
      return fail(ErrorCode::kInvalidArgument, "invalid item path '{}'", item.path);
    }
    out.push_back(VolumeFile{item.path, it->second, item.mode.value_or(mode)});
  }
  return out;
}

Status writeVolumeFiles(const fs::path& dir, const std::vector<VolumeFile>& files) {
  BERTH_TRY_STATUS(files::makeDirs(dir, 0755));
  // Replace the previous projection's files (the directory itself may be a tmpfs mount point).
  BERTH_ASSIGN_OR_RETURN(auto old, files::listDir(dir));
  for (const auto& name : old) {
    BERTH_TRY_STATUS(files::removeAll(dir / name));
  }
  for (const auto& f : files) {
    fs::path path = dir / f.path;
    BERTH_TRY_STATUS(files::makeDirs(path.parent_path(), 0755));
    BERTH_TRY_STATUS(files::writeAtomic(path, f.content, 0600));
    // Not subject to the umask: the mode is what the pod asked for.
    if (::chmod(path.c_str(), static_cast<mode_t>(f.mode & 07777)) != 0) {
      return fail(errnoError(errno, fmt::format("chmod '{}'", path.string())));
    }
  }
  return ok();
}

}  // namespace berth::agent
