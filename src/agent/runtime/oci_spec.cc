#include "agent/runtime/oci_spec.h"

#include <algorithm>
#include <set>

#include "agent/runtime/capabilities.h"
#include "agent/runtime/seccomp_profile.h"

namespace berth::runtime {
namespace {

using nlohmann::json;

// The containerd/Docker defaults: files under /proc and /sys that leak host information or
// allow host changes.
const std::vector<std::string> kMaskedPaths = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
};
const std::vector<std::string> kReadonlyPaths = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

json mount(std::string destination, std::string type, std::string source,
           std::vector<std::string> options) {
  return json{{"destination", std::move(destination)},
              {"type", std::move(type)},
              {"source", std::move(source)},
              {"options", std::move(options)}};
}

json defaultMounts(bool privileged) {
  json mounts = json::array();
  mounts.push_back(mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}));
  mounts.push_back(
      mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}));
  mounts.push_back(
      mount("/dev/pts", "devpts", "devpts",
            {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}));
  mounts.push_back(
      mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}));
  mounts.push_back(mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}));
  mounts.push_back(
      mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", privileged ? "rw" : "ro"}));
  mounts.push_back(mount("/sys/fs/cgroup", "cgroup", "cgroup",
                         {"nosuid", "noexec", "nodev", "relatime", privileged ? "rw" : "ro"}));
  return mounts;
}

json deviceRule(bool allow, std::string type, int64_t major, int64_t minor, std::string access) {
  json rule{{"allow", allow}, {"type", std::move(type)}, {"access", std::move(access)}};
  if (major >= 0) {
    rule["major"] = major;
  }
  if (minor >= 0) {
    rule["minor"] = minor;
  }
  return rule;
}

json deviceRules(bool privileged) {
  json rules = json::array();
  if (privileged) {
    rules.push_back(json{{"allow", true}, {"access", "rwm"}});
    return rules;
  }
  rules.push_back(json{{"allow", false}, {"access", "rwm"}});
  // mknod of any char/block device (the node is useless without the rules below), then
  // /dev/null, zero, full, random, urandom, tty, console, ptmx and the pts devices.
  rules.push_back(deviceRule(true, "c", -1, -1, "m"));
  rules.push_back(deviceRule(true, "b", -1, -1, "m"));
  for (int minor : {3, 5, 7, 8, 9}) {
    rules.push_back(deviceRule(true, "c", 1, minor, "rwm"));
  }
  rules.push_back(deviceRule(true, "c", 5, 0, "rwm"));
  rules.push_back(deviceRule(true, "c", 5, 1, "rwm"));
  rules.push_back(deviceRule(true, "c", 5, 2, "rwm"));
  rules.push_back(deviceRule(true, "c", 136, -1, "rwm"));
  return rules;
}

json resources(const ContainerSpec& spec) {
  json r{{"devices", deviceRules(spec.privileged)}};
  const Resources& res = spec.resources;
  json cpu = json::object();
  if (res.cpuShares) {
    cpu["shares"] = std::max<uint64_t>(*res.cpuShares, 2);
  }
  // No quota/period here: see deferredCpuQuota().
  if (!cpu.empty()) {
    r["cpu"] = cpu;
  }
  if (res.memoryLimitBytes) {
    // swap is memory+swap in the OCI spec: equal to the limit means no swap at all.
    r["memory"] = {{"limit", *res.memoryLimitBytes}, {"swap", *res.memoryLimitBytes}};
  }
  if (res.pidsLimit) {
    r["pids"] = {{"limit", *res.pidsLimit}};
  }
  return r;
}

json namespaceEntry(const std::string& type, const std::string& path) {
  json ns{{"type", type}};
  if (!path.empty()) {
    ns["path"] = path;
  }
  return ns;
}

}  // namespace

std::optional<CpuQuota> deferredCpuQuota(const ContainerSpec& spec) {
  if (!spec.resources.cpuQuotaMicros) {
    return std::nullopt;
  }
  return CpuQuota{*spec.resources.cpuQuotaMicros, kCfsPeriodMicros};
}

std::string effectiveCgroupsPath(const ContainerSpec& spec) {
  return spec.cgroupsPath.empty() ? "/berth/" + spec.id : spec.cgroupsPath;
}

Status validateContainerId(const std::string& id) {
  if (id.empty() || id.size() > 128) {
    return fail(ErrorCode::kInvalidArgument, "container id '{}' must have 1 to 128 characters", id);
  }
  for (char c : id) {
    bool okChar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
    if (!okChar) {
      return fail(ErrorCode::kInvalidArgument, "container id '{}' has invalid character '{}'", id,
                  c);
    }
  }
  if (id[0] == '.' || id[0] == '-') {
    return fail(ErrorCode::kInvalidArgument, "container id '{}' must not start with '{}'", id,
                id[0]);
  }
  return ok();
}

Result<json> buildOciSpec(const ContainerSpec& spec, const OciSpecOptions& options) {
  BERTH_TRY_STATUS(validateContainerId(spec.id));
  if (spec.args.empty()) {
    return fail(ErrorCode::kInvalidArgument, "container '{}': no command", spec.id);
  }
  if (!spec.rootfs.is_absolute()) {
    return fail(ErrorCode::kInvalidArgument, "container '{}': rootfs '{}' is not absolute", spec.id,
                spec.rootfs.string());
  }
  if (!spec.cwd.starts_with("/")) {
    return fail(ErrorCode::kInvalidArgument,
                "container '{}': working directory '{}' is not absolute", spec.id, spec.cwd);
  }
  auto caps = containerCapabilities(spec.capAdd, spec.capDrop, spec.privileged,
                                    options.availableCapabilities);
  if (!caps) {
    return fail(std::move(caps.error()).wrap(fmt::format("container '{}'", spec.id)));
  }

  json user{{"uid", spec.uid}, {"gid", spec.gid}};
  if (!spec.additionalGids.empty()) {
    user["additionalGids"] = spec.additionalGids;
  }
  uint64_t nofileSoft = std::min<uint64_t>(1024, options.nofileHard);
  json process{
      {"terminal", false},
      {"user", user},
      {"args", spec.args},
      {"env", spec.env},
      {"cwd", spec.cwd},
      {"capabilities",
       {{"bounding", *caps},
        {"effective", *caps},
        {"permitted", *caps},
        {"inheritable", json::array()}}},
      {"rlimits",
       {{{"type", "RLIMIT_NOFILE"}, {"soft", nofileSoft}, {"hard", options.nofileHard}}}},
      {"noNewPrivileges", spec.noNewPrivileges},
  };

  json mounts = defaultMounts(spec.privileged);
  std::set<std::string> userDestinations;
  for (const auto& m : spec.mounts) {
    if (!m.destination.starts_with("/")) {
      return fail(ErrorCode::kInvalidArgument,
                  "container '{}': mount destination '{}' is not absolute", spec.id, m.destination);
    }
    userDestinations.insert(m.destination);
  }
  // A mount the caller gives for a default destination (e.g. /dev/shm) replaces the default.
  json merged = json::array();
  for (auto& m : mounts) {
    if (!userDestinations.count(m["destination"].get<std::string>())) {
      merged.push_back(std::move(m));
    }
  }
  for (const auto& m : spec.mounts) {
    merged.push_back(mount(m.destination, m.type, m.source, m.options));
  }

  json linux{
      {"namespaces",
       {namespaceEntry("pid", ""), namespaceEntry("mount", ""),
        namespaceEntry("network", spec.netnsPath), namespaceEntry("ipc", spec.ipcnsPath),
        namespaceEntry("uts", spec.utsnsPath)}},
      {"cgroupsPath", effectiveCgroupsPath(spec)},
      {"resources", resources(spec)},
  };
  if (!spec.privileged) {
    linux["maskedPaths"] = kMaskedPaths;
    linux["readonlyPaths"] = kReadonlyPaths;
    linux["seccomp"] =
        options.seccompProfile ? *options.seccompProfile : defaultSeccompProfile(*caps);
  }

  json config{
      {"ociVersion", "1.0.2"},
      {"process", process},
      {"root", {{"path", spec.rootfs.string()}, {"readonly", spec.readOnlyRootfs}}},
      {"mounts", merged},
      {"linux", linux},
  };
  if (!spec.hostname.empty()) {
    config["hostname"] = spec.hostname;
  }
  return config;
}

}  // namespace berth::runtime
