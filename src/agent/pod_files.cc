#include "agent/pod_files.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>

#include "agent/config_sources.h"
#include "api/quantity.h"
#include "base/files.h"

namespace berth::agent {
namespace fs = std::filesystem;

namespace {
// Written again before every container start, so a machine crash cannot lose anything.
constexpr auto kRewritten = files::Durability::kVolatile;
}  // namespace

Result<PodFiles> writePodFiles(const fs::path& podDir, const api::Pod& pod,
                               const std::string& podIP) {
  PodFiles out{podDir / "etc/hosts", podDir / "etc/resolv.conf", podDir / "etc/hostname"};
  std::string hostname = pod.spec.hostname.empty() ? pod.metadata.name : pod.spec.hostname;
  if (hostname.size() > 63) {
    hostname.resize(63);
  }
  std::string hosts =
      "# Kubernetes-managed hosts file (Berth).\n127.0.0.1\tlocalhost\n::1\tlocalhost "
      "ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\n"
      "fe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n";
  if (!podIP.empty()) {
    hosts += podIP + "\t" + hostname + "\n";
  }
  BERTH_TRY_STATUS(files::writeAtomic(out.hosts, hosts, 0644, kRewritten));

  std::string resolv;
  if (auto host = files::read("/etc/resolv.conf")) {
    std::istringstream in(*host);
    std::string line;
    while (std::getline(in, line)) {
      // A loopback resolver on the host is not reachable from the pod's network namespace.
      if (line.rfind("nameserver 127.", 0) == 0 || line.rfind("nameserver ::1", 0) == 0) {
        continue;
      }
      resolv += line + "\n";
    }
  }
  BERTH_TRY_STATUS(files::writeAtomic(out.resolvConf, resolv, 0644, kRewritten));
  BERTH_TRY_STATUS(files::writeAtomic(out.hostname, hostname + "\n", 0644, kRewritten));
  return out;
}

namespace {

Status checkHostPath(const api::HostPathVolumeSource& hp, const std::string& volume) {
  struct stat st {};
  bool present = ::stat(hp.path.c_str(), &st) == 0;
  const std::string& type = hp.type;
  auto wrong = [&](const char* what) {
    return fail(ErrorCode::kInvalidArgument, "hostPath volume '{}': '{}' is not {}", volume,
                hp.path, what);
  };
  if (type == "DirectoryOrCreate" && !present) {
    return files::makeDirs(hp.path);
  }
  if (type == "FileOrCreate" && !present) {
    BERTH_TRY_STATUS(files::makeDirs(fs::path(hp.path).parent_path()));
    int fd = ::open(hp.path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) {
      return fail(errnoError(errno, fmt::format("create '{}'", hp.path)));
    }
    ::close(fd);
    return ok();
  }
  if (type.empty()) {
    return ok();  // no check, as Kubernetes does
  }
  if (!present) {
    return fail(ErrorCode::kNotFound, "hostPath volume '{}': '{}' does not exist", volume, hp.path);
  }
  if ((type == "Directory" || type == "DirectoryOrCreate") && !S_ISDIR(st.st_mode)) {
    return wrong("a directory");
  }
  if ((type == "File" || type == "FileOrCreate") && !S_ISREG(st.st_mode)) {
    return wrong("a file");
  }
  if (type == "Socket" && !S_ISSOCK(st.st_mode)) {
    return wrong("a socket");
  }
  if (type == "CharDevice" && !S_ISCHR(st.st_mode)) {
    return wrong("a character device");
  }
  if (type == "BlockDevice" && !S_ISBLK(st.st_mode)) {
    return wrong("a block device");
  }
  return ok();
}

bool isMountPoint(const fs::path& path) {
  struct stat self {
  }, parent{};
  if (::stat(path.c_str(), &self) != 0 || ::stat(path.parent_path().c_str(), &parent) != 0) {
    return false;
  }
  return self.st_dev != parent.st_dev;
}

// A configMap or secret volume: its files under `dir`, secrets on a tmpfs of their own.
Status prepareObjectVolume(const fs::path& dir, const api::Pod& pod, const api::Volume& v,
                           ObjectResolver& resolver) {
  BERTH_ASSIGN_OR_RETURN(auto files, projectVolume(pod, v, resolver));
  BERTH_TRY_STATUS(files::makeDirs(dir, 0755));
  if (v.secret && !isMountPoint(dir) &&
      ::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
    return fail(errnoError(errno, "mount tmpfs"));
  }
  return writeVolumeFiles(dir, files);
}

Result<fs::path> prepareVolume(const fs::path& podDir, const api::Pod& pod, const api::Volume& v,
                               ObjectResolver* resolver) {
  if (v.emptyDir) {
    fs::path dir = podDir / "volumes" / v.name;
    BERTH_TRY_STATUS(files::makeDirs(dir, 0777));
    ::chmod(dir.c_str(), 0777);  // any container user may write, as with Kubernetes
    if (v.emptyDir->medium == "Memory" && !isMountPoint(dir)) {
      std::string opts = "mode=1777";
      if (v.emptyDir->sizeLimit) {
        BERTH_ASSIGN_OR_RETURN(int64_t bytes, api::parseQuantity(*v.emptyDir->sizeLimit));
        opts += fmt::format(",size={}", bytes);
      }
      if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0) {
        return fail(errnoError(errno, fmt::format("mount tmpfs for volume '{}'", v.name)));
      }
    }
    return dir;
  }
  if (v.hostPath) {
    BERTH_TRY_STATUS(checkHostPath(*v.hostPath, v.name));
    return fs::path(v.hostPath->path);
  }
  if ((v.configMap || v.secret) && resolver) {
    fs::path dir = podDir / "volumes" / v.name;
    BERTH_TRY_STATUS(prepareObjectVolume(dir, pod, v, *resolver));
    return dir;
  }
  if (v.configMap || v.secret) {
    return fail(ErrorCode::kInvalidArgument,
                "volume '{}': configMap and secret volumes need a control plane", v.name);
  }
  return fail(ErrorCode::kInvalidArgument, "volume '{}' has no supported source", v.name);
}

}  // namespace

Result<std::map<std::string, fs::path>> prepareVolumes(const fs::path& podDir, const api::Pod& pod,
                                                       ObjectResolver* resolver,
                                                       std::string* failedVolume) {
  std::map<std::string, fs::path> out;
  for (const auto& v : pod.spec.volumes) {
    auto path = prepareVolume(podDir, pod, v, resolver);
    if (!path) {
      if (failedVolume) {
        *failedVolume = v.name;
      }
      return fail(std::move(path.error()));
    }
    out[v.name] = *path;
  }
  return out;
}

Status cleanupVolumes(const fs::path& podDir) {
  fs::path root = podDir / "volumes";
  BERTH_ASSIGN_OR_RETURN(auto names, files::listDir(root));
  for (const auto& name : names) {
    fs::path dir = root / name;
    if (isMountPoint(dir) && ::umount2(dir.c_str(), 0) != 0 &&
        ::umount2(dir.c_str(), MNT_DETACH) != 0) {
      return fail(errnoError(errno, fmt::format("unmount volume '{}'", name)));
    }
  }
  return files::removeAll(root);
}

}  // namespace berth::agent
