#include "agent/runtime/oci_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace berth::runtime {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

ContainerSpec baseSpec() {
  ContainerSpec s;
  s.id = "pod1-web-0";
  s.dir = "/var/lib/berth/containers/pod1-web-0";
  s.rootfs = "/var/lib/berth/rootfs/pod1-web-0";
  s.args = {"/bin/httpd", "-f"};
  s.env = {"PATH=/bin", "A=b"};
  s.cwd = "/www";
  s.hostname = "web";
  return s;
}

OciSpecOptions nodeOptions() {
  OciSpecOptions o;
  o.availableCapabilities = 0x1fffeffffffULL;  // this host: everything but CAP_SYS_RESOURCE
  o.nofileHard = 20000;
  return o;
}

json build(const ContainerSpec& s, const OciSpecOptions& o = nodeOptions()) {
  auto r = buildOciSpec(s, o);
  EXPECT_TRUE(r) << r.error().message();
  return r ? *r : json{};
}

const json* findMount(const json& config, const std::string& destination) {
  for (const auto& m : config["mounts"]) {
    if (m["destination"] == destination) {
      return &m;
    }
  }
  return nullptr;
}

TEST(OciSpecTest, ProcessFields) {
  auto s = baseSpec();
  s.uid = 1000;
  s.gid = 2000;
  s.additionalGids = {3000, 4000};
  json c = build(s);
  EXPECT_EQ(c["ociVersion"], "1.0.2");
  const json& p = c["process"];
  EXPECT_EQ(p["terminal"], false);
  EXPECT_EQ(p["args"], json({"/bin/httpd", "-f"}));
  EXPECT_EQ(p["env"], json({"PATH=/bin", "A=b"}));
  EXPECT_EQ(p["cwd"], "/www");
  EXPECT_EQ(p["user"]["uid"], 1000);
  EXPECT_EQ(p["user"]["gid"], 2000);
  EXPECT_EQ(p["user"]["additionalGids"], json({3000, 4000}));
  EXPECT_EQ(p["noNewPrivileges"], true);
  ASSERT_EQ(p["rlimits"].size(), 1u);
  EXPECT_EQ(p["rlimits"][0]["type"], "RLIMIT_NOFILE");
  EXPECT_EQ(p["rlimits"][0]["soft"], 1024);
  EXPECT_EQ(p["rlimits"][0]["hard"], 20000);
  EXPECT_EQ(c["hostname"], "web");
  EXPECT_EQ(c["root"]["path"], "/var/lib/berth/rootfs/pod1-web-0");
  EXPECT_EQ(c["root"]["readonly"], false);
}

TEST(OciSpecTest, DefaultCapabilitiesAreDockers) {
  json caps = build(baseSpec())["process"]["capabilities"];
  auto effective = caps["effective"].get<std::vector<std::string>>();
  EXPECT_EQ(effective.size(), 14u);
  for (const char* cap :
       {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"}) {
    EXPECT_THAT(effective, Contains(cap));
  }
  EXPECT_THAT(effective, Not(Contains("CAP_SYS_ADMIN")));
  EXPECT_EQ(caps["bounding"], caps["effective"]);
  EXPECT_EQ(caps["permitted"], caps["effective"]);
  EXPECT_TRUE(caps["inheritable"].empty());
}

TEST(OciSpecTest, CapabilityAddAndDrop) {
  auto s = baseSpec();
  s.capDrop = {"ALL"};
  s.capAdd = {"net_admin", "CAP_NET_BIND_SERVICE"};
  EXPECT_EQ(build(s)["process"]["capabilities"]["effective"],
            json({"CAP_NET_BIND_SERVICE", "CAP_NET_ADMIN"}));

  s.capDrop = {"NET_RAW", "CHOWN"};
  s.capAdd = {};
  auto effective = build(s)["process"]["capabilities"]["effective"];
  EXPECT_THAT(effective, Not(Contains("CAP_NET_RAW")));
  EXPECT_THAT(effective, Not(Contains("CAP_CHOWN")));
  EXPECT_EQ(effective.size(), 12u);

  s.capAdd = {"ALL"};
  effective = build(s)["process"]["capabilities"]["effective"];
  EXPECT_THAT(effective, Contains("CAP_SYS_ADMIN"));
  EXPECT_THAT(effective, Not(Contains("CAP_SYS_RESOURCE")));  // not available on this node
}

TEST(OciSpecTest, CapabilityErrors) {
  auto s = baseSpec();
  s.capAdd = {"FLY"};
  auto r = buildOciSpec(s, nodeOptions());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "container 'pod1-web-0': unknown capability 'FLY'");

  s.capAdd = {"SYS_RESOURCE"};
  r = buildOciSpec(s, nodeOptions());
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message(), HasSubstr("'CAP_SYS_RESOURCE' is not available"));
}

TEST(OciSpecTest, NamespacesUseGivenPaths) {
  auto s = baseSpec();
  s.netnsPath = "/run/netns/pod1";
  s.ipcnsPath = "/proc/123/ns/ipc";
  json ns = build(s)["linux"]["namespaces"];
  EXPECT_EQ(ns, json::parse(R"([{"type":"pid"},{"type":"mount"},
      {"type":"network","path":"/run/netns/pod1"},{"type":"ipc","path":"/proc/123/ns/ipc"},
      {"type":"uts"}])"));
}

TEST(OciSpecTest, ResourcesAndCgroupsPath) {
  auto s = baseSpec();
  json linux = build(s)["linux"];
  EXPECT_EQ(linux["cgroupsPath"], "/berth/pod1-web-0");
  EXPECT_FALSE(linux["resources"].contains("memory"));
  EXPECT_FALSE(linux["resources"].contains("cpu"));

  s.cgroupsPath = "/berth/pods/x";
  s.resources.cpuShares = 256;
  s.resources.cpuQuotaMicros = 50000;
  s.resources.memoryLimitBytes = 33554432;
  s.resources.pidsLimit = 20;
  linux = build(s)["linux"];
  EXPECT_EQ(linux["cgroupsPath"], "/berth/pods/x");
  // The quota is applied by the monitor after the start (deferredCpuQuota), never by the runtime.
  EXPECT_EQ(linux["resources"]["cpu"], json::parse(R"({"shares":256})"));
  EXPECT_EQ(linux["resources"]["memory"], json::parse(R"({"limit":33554432,"swap":33554432})"));
  EXPECT_EQ(linux["resources"]["pids"], json::parse(R"({"limit":20})"));
}

TEST(OciSpecTest, CpuQuotaIsDeferred) {
  auto s = baseSpec();
  EXPECT_FALSE(deferredCpuQuota(s));

  s.resources.cpuQuotaMicros = 1000;  // 0.01 vCPU
  json linux = build(s)["linux"];
  EXPECT_FALSE(linux["resources"].contains("cpu"));
  EXPECT_EQ(deferredCpuQuota(s), (CpuQuota{1000, 100000}));

  s.resources.cpuShares = 10;
  s.resources.cpuQuotaMicros = 250000;
  linux = build(s)["linux"];
  EXPECT_EQ(linux["resources"]["cpu"], json::parse(R"({"shares":10})"));
  EXPECT_EQ(deferredCpuQuota(s), (CpuQuota{250000, 100000}));
}

TEST(OciSpecTest, DevicesDenyByDefault) {
  json devices = build(baseSpec())["linux"]["resources"]["devices"];
  EXPECT_EQ(devices[0], json::parse(R"({"allow":false,"access":"rwm"})"));
  EXPECT_THAT(
      devices,
      Contains(json::parse(R"({"allow":true,"type":"c","major":1,"minor":3,"access":"rwm"})")));
  EXPECT_THAT(devices,
              Contains(json::parse(R"({"allow":true,"type":"c","major":136,"access":"rwm"})")));
}

TEST(OciSpecTest, MaskedAndReadonlyPaths) {
  json linux = build(baseSpec())["linux"];
  for (const char* p :
       {"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"}) {
    EXPECT_THAT(linux["maskedPaths"], Contains(p));
  }
  for (const char* p : {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}) {
    EXPECT_THAT(linux["readonlyPaths"], Contains(p));
  }
  EXPECT_EQ(linux["seccomp"]["defaultAction"], "SCMP_ACT_ERRNO");
}

TEST(OciSpecTest, DefaultAndUserMounts) {
  auto s = baseSpec();
  s.readOnlyRootfs = true;
  s.mounts.push_back(Mount{"/data", "bind", "/var/lib/berth/vol/data", {"rbind", "rw"}});
  s.mounts.push_back(Mount{"/dev/shm", "bind", "/var/lib/berth/pods/p/shm", {"rbind", "rw"}});
  json c = build(s);
  EXPECT_EQ(c["root"]["readonly"], true);
  for (const char* d : {"/proc", "/dev", "/dev/pts", "/dev/mqueue", "/sys", "/sys/fs/cgroup"}) {
    EXPECT_NE(findMount(c, d), nullptr) << d;
  }
  ASSERT_NE(findMount(c, "/data"), nullptr);
  EXPECT_EQ((*findMount(c, "/data"))["source"], "/var/lib/berth/vol/data");
  // The caller's /dev/shm replaces the default one.
  ASSERT_NE(findMount(c, "/dev/shm"), nullptr);
  EXPECT_EQ((*findMount(c, "/dev/shm"))["type"], "bind");
  int shm = 0;
  for (const auto& m : c["mounts"]) {
    shm += m["destination"] == "/dev/shm";
  }
  EXPECT_EQ(shm, 1);
  EXPECT_THAT((*findMount(c, "/sys"))["options"], Contains("ro"));
}

TEST(OciSpecTest, Privileged) {
  auto s = baseSpec();
  s.privileged = true;
  json c = build(s);
  EXPECT_FALSE(c["linux"].contains("seccomp"));
  EXPECT_FALSE(c["linux"].contains("maskedPaths"));
  EXPECT_FALSE(c["linux"].contains("readonlyPaths"));
  auto effective = c["process"]["capabilities"]["effective"];
  EXPECT_EQ(effective.size(), 40u);  // all 41 but CAP_SYS_RESOURCE
  EXPECT_THAT(effective, Contains("CAP_SYS_ADMIN"));
  EXPECT_EQ(c["linux"]["resources"]["devices"], json::parse(R"([{"allow":true,"access":"rwm"}])"));
}

TEST(OciSpecTest, CustomSeccompProfile) {
  auto o = nodeOptions();
  o.seccompProfile = json{{"defaultAction", "SCMP_ACT_ALLOW"}};
  EXPECT_EQ(build(baseSpec(), o)["linux"]["seccomp"], *o.seccompProfile);
}

TEST(OciSpecTest, RejectsBadInput) {
  auto s = baseSpec();
  s.id = "a/b";
  EXPECT_EQ(buildOciSpec(s, nodeOptions()).error().message(),
            "container id 'a/b' has invalid character '/'");
  s = baseSpec();
  s.args.clear();
  EXPECT_EQ(buildOciSpec(s, nodeOptions()).error().message(), "container 'pod1-web-0': no command");
  s = baseSpec();
  s.rootfs = "rootfs";
  EXPECT_FALSE(buildOciSpec(s, nodeOptions()));
  s = baseSpec();
  s.cwd = "www";
  EXPECT_FALSE(buildOciSpec(s, nodeOptions()));
  s = baseSpec();
  s.mounts.push_back(Mount{"data", "bind", "/x", {}});
  EXPECT_FALSE(buildOciSpec(s, nodeOptions()));
}

TEST(OciSpecTest, ValidateContainerId) {
  EXPECT_TRUE(validateContainerId("abc-123_x.y"));
  EXPECT_FALSE(validateContainerId(""));
  EXPECT_FALSE(validateContainerId("-x"));
  EXPECT_FALSE(validateContainerId(".x"));
  EXPECT_FALSE(validateContainerId(std::string(129, 'a')));
  EXPECT_FALSE(validateContainerId("a b"));
}

}  // namespace
}  // namespace berth::runtime
