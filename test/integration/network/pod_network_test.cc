// The pod sandbox against the real kernel and CNI plugins 1.1.1: namespaces, addresses,
// reachability, host ports, and that destroy and failed creates leave nothing behind.

#include <chrono>
#include <set>
#include <thread>

#include "agent/network/subnet_masq.h"
#include "integration/network/network_fixture.h"

namespace berth::network {
namespace {

using namespace std::chrono_literals;

class PodNetworkTest : public NetworkFixture {};

TEST_F(PodNetworkTest, CreateGivesAddressInSubnetHostnameAndLoopback) {
  auto sb = create("p1-" + id_, "web-" + id_);
  ASSERT_TRUE(sb) << sb.error().message();
  EXPECT_EQ(sb->ip.rfind(prefix_, 0), 0u) << sb->ip;
  EXPECT_EQ(sb->gateway, prefix_ + "1");

  auto addr =
      runCmd({"nsenter", "--net=" + sb->netns.string(), "ip", "-4", "-o", "addr", "show", "eth0"});
  EXPECT_NE(addr.out.find(sb->ip + "/24"), std::string::npos) << addr.out;
  auto lo = runCmd({"nsenter", "--net=" + sb->netns.string(), "ip", "-o", "link", "show", "lo"});
  EXPECT_NE(lo.out.find(",UP"), std::string::npos) << lo.out;
  auto host = runCmd({"nsenter", "--uts=" + sb->utsns.string(), "hostname"});
  EXPECT_EQ(host.out, "web-" + id_ + "\n");
  // The IPC namespace is a different one from ours.
  auto ipc = runCmd({"nsenter", "--ipc=" + sb->ipcns.string(), "readlink", "/proc/self/ns/ipc"});
  auto ours = runCmd({"readlink", "/proc/self/ns/ipc"});
  EXPECT_NE(ipc.out, ours.out);
  EXPECT_FALSE(ipc.out.empty());
  // The default route goes through the bridge.
  auto route = runCmd({"nsenter", "--net=" + sb->netns.string(), "ip", "route", "show", "default"});
  EXPECT_NE(route.out.find("via " + sb->gateway), std::string::npos) << route.out;

  // The bridge plugin (isGateway) turns on forwarding; nothing else has to.
  EXPECT_EQ(files::read("/proc/sys/net/ipv4/ip_forward").value_or(""), "1\n");

  auto again = network_->inspect(root_ / "pods" / ("p1-" + id_));
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->ip, sb->ip);
  EXPECT_EQ(again->netns, sb->netns);
}

TEST_F(PodNetworkTest, TwoSandboxesReachEachOther) {
  auto a = create("a-" + id_);
  auto b = create("b-" + id_);
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_NE(a->ip, b->ip);
  auto ping =
      runCmd({"nsenter", "--net=" + a->netns.string(), "busybox", "ping", "-c1", "-W2", b->ip});
  EXPECT_TRUE(ping.succeeded()) << ping.out << ping.err;
  auto gw = runCmd(
      {"nsenter", "--net=" + b->netns.string(), "busybox", "ping", "-c1", "-W2", b->gateway});
  EXPECT_TRUE(gw.succeeded()) << gw.out << gw.err;
}

int freePort() {
  for (int i = 0; i < 100; ++i) {
    int port = 20000 + std::stoi(randomHex(2), nullptr, 16) % 30000;
    auto ss = process::run({"ss", "-Htln", fmt::format("sport = :{}", port)});
    if (ss && ss->out.empty()) {
      return port;
    }
  }
  return 0;
}

TEST_F(PodNetworkTest, HostPortReachesServerInSandbox) {
  int hostPort = freePort();
  ASSERT_GT(hostPort, 0);
  int localPort = freePort();
  PortMapping all{.hostPort = hostPort, .containerPort = 8080};
  PortMapping local{.hostPort = localPort, .containerPort = 8080, .hostIP = "127.0.0.1"};
  auto sb = create("hp-" + id_, "hp", {all, local});
  ASSERT_TRUE(sb) << sb.error().message();

  fs::path www = root_ / "www";
  ASSERT_TRUE(files::writeAtomic(www / "index.html", "hello " + id_));
  spawn({"nsenter", "--net=" + sb->netns.string(), "busybox", "httpd", "-f", "-p", "8080", "-h",
         www.string()});
  auto fetch = [&](const std::string& host, int port) {
    return process::run({"timeout", "3", "busybox", "wget", "-q", "-O", "-",
                         fmt::format("http://{}:{}/index.html", host, port)});
  };
  // Directly first, to know the server is up.
  bool up = false;
  for (int i = 0; i < 50 && !up; ++i) {
    auto r = fetch(sb->ip, 8080);
    up = r && r->succeeded();
    if (!up) {
      std::this_thread::sleep_for(100ms);
    }
  }
  ASSERT_TRUE(up) << "httpd in the sandbox did not come up";

  auto viaGateway = fetch(sb->gateway, hostPort);
  ASSERT_TRUE(viaGateway);
  EXPECT_EQ(viaGateway->out, "hello " + id_) << viaGateway->describe();
  // 127.0.0.1 works because portmap (snat) sets route_localnet on the bridge; DNAT to a
  // non-local address from 127.0.0.1 is otherwise dropped as martian.
  auto localnet =
      files::read(fmt::format("/proc/sys/net/ipv4/conf/{}/route_localnet", config_.bridge));
  EXPECT_EQ(localnet.value_or(""), "1\n");
  auto viaLoopback = fetch("127.0.0.1", hostPort);
  ASSERT_TRUE(viaLoopback);
  EXPECT_EQ(viaLoopback->out, "hello " + id_) << viaLoopback->describe();
  auto scoped = fetch("127.0.0.1", localPort);
  ASSERT_TRUE(scoped);
  EXPECT_EQ(scoped->out, "hello " + id_) << scoped->describe();
  // hostIP scoping: the 127.0.0.1-only port is not mapped on the gateway address.
  auto unscoped = fetch(sb->gateway, localPort);
  ASSERT_TRUE(unscoped);
  EXPECT_FALSE(unscoped->succeeded());

  // After destroy the port is no longer mapped.
  ASSERT_TRUE(network_->destroy("hp-" + id_, root_ / "pods" / ("hp-" + id_), {all, local}));
  auto gone = fetch(sb->gateway, hostPort);
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->succeeded());
  auto nat = runCmd({"iptables", "-t", "nat", "-S"});
  EXPECT_EQ(nat.out.find(sb->ip), std::string::npos) << nat.out;
}

// Outbound NAT is one nftables rule for the subnet (no iptables chain per pod). A server in an
// "outside" namespace, with a route only to its own /30, answers a pod only if the pod's
// traffic leaves with the host's address; the rule goes with the last sandbox on the bridge.
TEST_F(PodNetworkTest, SubnetMasqueradeReachesOutsideAndGoesWithTheLastSandbox) {
  auto a = create("ma-" + id_);
  auto b = create("mb-" + id_);
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_TRUE(b) << b.error().message();
  std::string table = subnetMasqTable(config_.bridge);
  auto listed = runCmd({"nft", "list", "table", "ip", table});
  ASSERT_TRUE(listed.succeeded()) << listed.describe();
  EXPECT_NE(listed.out.find("ip saddr " + prefix_ + "0/24 ip daddr != " + prefix_ + "0/24"),
            std::string::npos)
      << listed.out;
  auto nat = runCmd({"iptables", "-t", "nat", "-S"});
  EXPECT_EQ(nat.out.find(config_.name), std::string::npos) << nat.out;
  EXPECT_EQ(nat.out.find(a->ip + "/32"), std::string::npos) << nat.out;

  // The outside: a namespace on a veth pair with 10.251.x.0/30 (apart from every pod range).
  std::string outside = "bo" + id_;
  std::string hostEnd = "bo" + id_ + "h";
  std::string third = std::to_string(std::stoul(id_.substr(2, 2), nullptr, 16));
  std::string hostAddr = "10.251." + third + ".1";
  std::string outsideAddr = "10.251." + third + ".2";
  struct Cleanup {
    std::string netns, link;
    ~Cleanup() {
      process::run({"ip", "link", "del", link});
      process::run({"ip", "netns", "del", netns});
    }
  } cleanup{outside, hostEnd};
  for (const auto& cmd : std::vector<std::vector<std::string>>{
           {"ip", "netns", "add", outside},
           {"ip", "link", "add", hostEnd, "type", "veth", "peer", "name", "eth9", "netns", outside},
           {"ip", "addr", "add", hostAddr + "/30", "dev", hostEnd},
           {"ip", "link", "set", hostEnd, "up"},
           {"ip", "-n", outside, "addr", "add", outsideAddr + "/30", "dev", "eth9"},
           {"ip", "-n", outside, "link", "set", "eth9", "up"},
           {"ip", "-n", outside, "link", "set", "lo", "up"}}) {
    auto r = runCmd(cmd);
    ASSERT_TRUE(r.succeeded()) << cmd[0] << " " << cmd[1] << " " << cmd[2] << ": " << r.describe();
  }
  fs::path www = root_ / "www";
  ASSERT_TRUE(files::writeAtomic(www / "index.html", "outside " + id_));
  spawn(
      {"ip", "netns", "exec", outside, "busybox", "httpd", "-f", "-p", "8080", "-h", www.string()});
  auto fetch = [&](const Sandbox& from) {
    return runCmd({"nsenter", "--net=" + from.netns.string(), "timeout", "3", "busybox", "wget",
                   "-q", "-O", "-", "http://" + outsideAddr + ":8080/index.html"});
  };
  bool reached = false;
  for (int i = 0; i < 30 && !reached; ++i) {
    reached = fetch(*a).out == "outside " + id_;
    if (!reached) {
      std::this_thread::sleep_for(100ms);
    }
  }
  EXPECT_TRUE(reached) << "pod could not reach " << outsideAddr << " through the masquerade";

  // The rule stays while a sandbox is on the bridge, and goes with the last one.
  ASSERT_TRUE(network_->destroy("ma-" + id_, root_ / "pods" / ("ma-" + id_), {}));
  EXPECT_TRUE(runCmd({"nft", "list", "table", "ip", table}).succeeded());
  EXPECT_EQ(fetch(*b).out, "outside " + id_);
  ASSERT_TRUE(network_->destroy("mb-" + id_, root_ / "pods" / ("mb-" + id_), {}));
  EXPECT_FALSE(process::run({"nft", "list", "table", "ip", table})->succeeded());

  // A new sandbox brings it back.
  auto c = create("mc-" + id_);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_TRUE(runCmd({"nft", "list", "table", "ip", table}).succeeded());
  EXPECT_EQ(fetch(*c).out, "outside " + id_);
}

// A masquerade table whose bridge is gone (a killed agent, then `ip link del`) is debris: the
// first sandbox a network makes removes it.
TEST_F(PodNetworkTest, FirstCreateRemovesMasqueradeOfDeletedBridges) {
  std::string gone = "bz" + id_;
  ASSERT_TRUE(ensureSubnetMasq(gone, "10.252.0.0/24"));
  ASSERT_TRUE(runCmd({"nft", "list", "table", "ip", subnetMasqTable(gone)}).succeeded());
  auto sb = create("sw-" + id_);
  ASSERT_TRUE(sb) << sb.error().message();
  EXPECT_FALSE(process::run({"nft", "list", "table", "ip", subnetMasqTable(gone)})->succeeded());
  EXPECT_TRUE(runCmd({"nft", "list", "table", "ip", subnetMasqTable(config_.bridge)}).succeeded());
  process::run({"nft", "delete", "table", "ip", subnetMasqTable(gone)});
}

TEST_F(PodNetworkTest, DestroyReleasesAddressVethAndMounts) {
  std::string id = "d-" + id_;
  auto sb = create(id);
  ASSERT_TRUE(sb) << sb.error().message();
  fs::path dir = root_ / "pods" / id;
  std::string veth = hostVeth(dir);
  ASSERT_FALSE(veth.empty());
  fs::path lease = config_.ipamDataDir / config_.name / sb->ip;
  EXPECT_TRUE(files::exists(lease));
  EXPECT_TRUE(runCmd({"ip", "link", "show", veth}).succeeded());
  EXPECT_EQ(mountsUnder(dir).size(), 4u);  // ns dir + net, ipc, uts

  auto s = network_->destroy(id, dir, {});
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_FALSE(files::exists(lease));
  EXPECT_FALSE(runCmd({"ip", "link", "show", veth}).succeeded());
  EXPECT_EQ(mountsUnder(dir), std::vector<std::string>{});
  EXPECT_FALSE(files::exists(sandboxNsDir(dir)));
  auto nat = runCmd({"iptables", "-t", "nat", "-S"});
  EXPECT_EQ(nat.out.find(sb->ip), std::string::npos) << nat.out;
  EXPECT_FALSE(network_->inspect(dir));

  // Idempotent.
  auto twice = network_->destroy(id, dir, {});
  EXPECT_TRUE(twice) << twice.error().message();
  // The directory can be removed like any other.
  EXPECT_TRUE(files::removeAll(dir));
}

TEST_F(PodNetworkTest, DestroyAfterRestartUsesTheCache) {
  std::string id = "r-" + id_;
  auto sb = create(id);
  ASSERT_TRUE(sb) << sb.error().message();
  fs::path dir = root_ / "pods" / id;
  fs::path lease = config_.ipamDataDir / config_.name / sb->ip;
  ASSERT_TRUE(files::exists(lease));

  // A restarted agent whose configuration has since changed: inspect and destroy still use what
  // the sandbox was created with.
  network_.reset();
  NetworkConfig changed = config_;
  changed.ipamDataDir = root_ / "other-ipam";
  changed.bridge = "bx" + id_;
  auto restarted = makeCniPodNetwork(changed);
  auto found = restarted->inspect(dir);
  ASSERT_TRUE(found) << found.error().message();
  EXPECT_EQ(found->ip, sb->ip);
  EXPECT_EQ(found->gateway, sb->gateway);
  ASSERT_TRUE(restarted->destroy(id, dir, {}));
  EXPECT_FALSE(files::exists(lease));
  EXPECT_EQ(mountsUnder(dir), std::vector<std::string>{});
  EXPECT_FALSE(runCmd({"ip", "link", "show", changed.bridge}).succeeded());
}

// After a reboot the namespace mounts are gone but the cache and the IPAM lease (on disk) are
// not: inspect reports the sandbox lost and destroy still releases the address.
TEST_F(PodNetworkTest, DestroyAfterRebootReleasesTheAddress) {
  std::string id = "b-" + id_;
  auto sb = create(id, "pod", {{.hostPort = freePort(), .containerPort = 80}});
  ASSERT_TRUE(sb) << sb.error().message();
  fs::path dir = root_ / "pods" / id;
  fs::path lease = config_.ipamDataDir / config_.name / sb->ip;
  for (const auto& m : mountsUnder(dir)) {
    ::umount2(m.c_str(), MNT_DETACH);
  }
  auto lost = network_->inspect(dir);
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(files::exists(lease));

  auto s = network_->destroy(id, dir, {});
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_FALSE(files::exists(lease));
  EXPECT_FALSE(files::exists(sandboxNsDir(dir)));
  auto nat = runCmd({"iptables", "-t", "nat", "-S"});
  EXPECT_EQ(nat.out.find(sb->ip), std::string::npos) << nat.out;
}

TEST_F(PodNetworkTest, FailedCreateWithMissingPluginsLeavesNothing) {
  NetworkConfig bogus = config_;
  bogus.pluginDir = root_ / "no-plugins";
  auto network = makeCniPodNetwork(bogus);
  fs::path dir = podDir("f-" + id_);
  auto sb = network->create("f-" + id_, dir, "pod", {});
  ASSERT_FALSE(sb);
  EXPECT_NE(sb.error().message().find("no-plugins/loopback"), std::string::npos)
      << sb.error().message();
  EXPECT_EQ(mountsUnder(root_), std::vector<std::string>{});
  EXPECT_FALSE(files::exists(sandboxNsDir(dir)));
}

TEST_F(PodNetworkTest, FailedCreateWithExhaustedSubnetLeavesNothing) {
  // A /30 has one address for pods besides the gateway.
  config_.subnet = prefix_ + "0/30";
  network_ = makeCniPodNetwork(config_);
  auto first = create("x1-" + id_);
  ASSERT_TRUE(first) << first.error().message();
  auto second = create("x2-" + id_);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message().find("no IP addresses available"), std::string::npos)
      << second.error().message();
  fs::path dir = root_ / "pods" / ("x2-" + id_);
  EXPECT_EQ(mountsUnder(dir), std::vector<std::string>{});
  EXPECT_FALSE(files::exists(sandboxNsDir(dir)));
  // Only the first sandbox's veth is on the bridge.
  auto ports = runCmd({"ip", "-o", "link", "show", "master", config_.bridge});
  EXPECT_EQ(std::count(ports.out.begin(), ports.out.end(), '\n'), 1) << ports.out;
  EXPECT_EQ(*files::listDir(config_.ipamDataDir / config_.name),
            (std::vector<std::string>{first->ip, "last_reserved_ip.0", "lock"}));
}

// The real plugins, except that DEL of `failType` fails while `failing` is set.
class FlakyDelExec : public CniExec {
 public:
  explicit FlakyDelExec(CniExecPtr real) : real_(std::move(real)) {}
  Result<std::string> run(const CniCall& call) override {
    if (failing && call.command == "DEL" && call.type == "bridge") {
      return fail(ErrorCode::kUnavailable, "injected failure");
    }
    return real_->run(call);
  }
  bool failing = false;

 private:
  CniExecPtr real_;
};

TEST_F(PodNetworkTest, FailedDestroyKeepsTheSandboxForARetry) {
  auto exec = std::make_unique<FlakyDelExec>(makeCniExec(config_.pluginDir));
  FlakyDelExec* flaky = exec.get();
  auto network = makeCniPodNetwork(config_, std::move(exec));
  std::string id = "k-" + id_;
  fs::path dir = podDir(id);
  auto sb = network->create(id, dir, "pod", {});
  ASSERT_TRUE(sb) << sb.error().message();
  fs::path lease = config_.ipamDataDir / config_.name / sb->ip;

  flaky->failing = true;
  auto s = network->destroy(id, dir, {});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("injected failure"), std::string::npos);
  EXPECT_TRUE(network->inspect(dir)) << "the sandbox must survive a failed destroy";
  EXPECT_TRUE(files::exists(lease));

  flaky->failing = false;
  s = network->destroy(id, dir, {});
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_FALSE(files::exists(lease));
  EXPECT_EQ(mountsUnder(dir), std::vector<std::string>{});
}

TEST_F(PodNetworkTest, ConcurrentCreatesGetDistinctAddresses) {
  constexpr int kCount = 4;
  std::vector<Result<Sandbox>> results(kCount, fail(ErrorCode::kInternal, "not run"));
  std::vector<fs::path> dirs;
  for (int i = 0; i < kCount; ++i) {
    dirs.push_back(podDir(fmt::format("c{}-{}", i, id_)));
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < kCount; ++i) {
    threads.emplace_back(
        [&, i] { results[i] = network_->create(fmt::format("c{}-{}", i, id_), dirs[i], "c", {}); });
  }
  for (auto& t : threads) {
    t.join();
  }
  std::set<std::string> ips;
  for (const auto& r : results) {
    ASSERT_TRUE(r) << r.error().message();
    ips.insert(r->ip);
  }
  EXPECT_EQ(ips.size(), static_cast<size_t>(kCount));
  threads.clear();
  std::vector<Status> destroyed(kCount);
  for (int i = 0; i < kCount; ++i) {
    threads.emplace_back(
        [&, i] { destroyed[i] = network_->destroy(fmt::format("c{}-{}", i, id_), dirs[i], {}); });
  }
  for (auto& t : threads) {
    t.join();
  }
  for (const auto& s : destroyed) {
    EXPECT_TRUE(s) << s.error().message();
  }
  EXPECT_EQ(mountsUnder(root_), std::vector<std::string>{});
}

TEST_F(PodNetworkTest, InvalidHostnameIsRejectedAndLeavesNothing) {
  fs::path dir = podDir("h-" + id_);
  auto sb = network_->create("h-" + id_, dir, std::string(65, 'a'), {});
  ASSERT_FALSE(sb);
  EXPECT_EQ(sb.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(mountsUnder(root_), std::vector<std::string>{});
}

// Median of 10 create/destroy rounds, with and without a host port (printed for the record).
TEST_F(PodNetworkTest, CreateAndDestroyTimes) {
  using Clock = std::chrono::steady_clock;
  for (bool withPort : {false, true}) {
    std::vector<double> creates, destroys;
    for (int i = 0; i < 10; ++i) {
      std::string id = fmt::format("t{}{}-{}", withPort, i, id_);
      fs::path dir = podDir(id);
      std::vector<PortMapping> ports;
      if (withPort) {
        ports.push_back({.hostPort = freePort(), .containerPort = 80});
      }
      auto t0 = Clock::now();
      auto sb = network_->create(id, dir, "t", ports);
      auto t1 = Clock::now();
      ASSERT_TRUE(sb) << sb.error().message();
      ASSERT_TRUE(network_->destroy(id, dir, ports));
      auto t2 = Clock::now();
      creates.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      destroys.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    }
    std::sort(creates.begin(), creates.end());
    std::sort(destroys.begin(), destroys.end());
    std::cout << fmt::format("sandbox {}: create median {:.1f} ms, destroy median {:.1f} ms\n",
                             withPort ? "with one host port" : "without host ports",
                             (creates[4] + creates[5]) / 2, (destroys[4] + destroys[5]) / 2);
  }
  EXPECT_EQ(mountsUnder(root_), std::vector<std::string>{});
}

}  // namespace
}  // namespace berth::network
