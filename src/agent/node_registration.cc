#include "agent/node_registration.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "base/files.h"
#include "base/process.h"

namespace berth::agent {

using nlohmann::json;

namespace {

constexpr int64_t kEvictionMemoryKi = 100 * 1024;  // memory.available<100Mi

std::string trim(std::string s) {
  auto notSpace = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), notSpace));
  s.erase(std::find_if(s.rbegin(), s.rend(), notSpace).base(), s.end());
  return s;
}

std::string readTrimmed(const std::filesystem::path& path) {
  auto text = files::read(path);
  return text ? trim(*text) : "";
}

std::string goArch(const std::string& machine) {
  if (machine == "x86_64") {
    return "amd64";
  }
  if (machine == "aarch64") {
    return "arm64";
  }
  return machine;
}

// The first non-loopback IPv4 address of an interface that is up.
std::string firstHostAddress() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    return "";
  }
  std::string out;
  for (ifaddrs* a = list; a != nullptr && out.empty(); a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET ||
        (a->ifa_flags & IFF_LOOPBACK) || !(a->ifa_flags & IFF_UP)) {
      continue;
    }
    char buf[INET_ADDRSTRLEN];
    auto* sin = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    if (::inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf))) {
      out = buf;
    }
  }
  ::freeifaddrs(list);
  return out;
}

json condition(const char* type, bool status, const char* reason, const char* message,
               const std::string& now, const json& previousStatus) {
  std::string value = status ? "True" : "False";
  std::string transition = now;
  if (previousStatus.is_object() && previousStatus.contains("conditions") &&
      previousStatus["conditions"].is_array()) {
    for (const auto& c : previousStatus["conditions"]) {
      if (c.value("type", "") == type && c.value("status", "") == value &&
          c.contains("lastTransitionTime") && c["lastTransitionTime"].is_string()) {
        transition = c["lastTransitionTime"].get<std::string>();
      }
    }
  }
  return {{"type", type},
          {"status", value},
          {"lastHeartbeatTime", now},
          {"lastTransitionTime", transition},
          {"reason", reason},
          {"message", message}};
}

json labelsFor(const NodeInputs& in) {
  json labels = {{"kubernetes.io/hostname", in.nodeName},
                 {"kubernetes.io/os", "linux"},
                 {"kubernetes.io/arch", in.architecture},
                 {"beta.kubernetes.io/os", "linux"},
                 {"beta.kubernetes.io/arch", in.architecture}};
  if (!in.pool.empty()) {
    labels[kPoolLabel] = in.pool;
  }
  return labels;
}

json specFor(const NodeInputs& in) {
  json spec = json::object();
  if (!in.pool.empty() && in.taintPool) {
    spec["taints"] =
        json::array({{{"key", kPoolLabel}, {"value", in.pool}, {"effect", "NoSchedule"}}});
  }
  return spec;
}

}  // namespace

int64_t parseMemTotalKi(const std::string& meminfo) {
  std::istringstream in(meminfo);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("MemTotal:", 0) == 0) {
      std::istringstream fields(line.substr(9));
      int64_t kb = 0;
      fields >> kb;
      return kb;
    }
  }
  return 0;
}

std::string parseOsImage(const std::string& osRelease) {
  std::istringstream in(osRelease);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PRETTY_NAME=", 0) == 0) {
      std::string v = trim(line.substr(12));
      if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
        v = v.substr(1, v.size() - 2);
      }
      return v;
    }
  }
  return "Linux";
}

std::string parseRuntimeVersion(const std::string& runtimeName, const std::string& versionOutput) {
  std::istringstream in(versionOutput);
  std::string line;
  std::getline(in, line);
  // "crun version 1.8.1", "runc version 1.1.5"
  auto at = line.find("version ");
  std::string version = at == std::string::npos ? "" : trim(line.substr(at + 8));
  if (auto space = version.find(' '); space != std::string::npos) {
    version.resize(space);
  }
  return fmt::format("{}://{}", runtimeName, version.empty() ? "unknown" : version);
}

json buildNode(const NodeInputs& in, const std::string& now, const json& previousStatus) {
  json capacity = {
      {"cpu", std::to_string(in.cpuCores)},
      {"memory", fmt::format("{}Ki", in.memoryKi)},
      {"pods", "110"},
      {"hugepages-1Gi", "0"},
      {"hugepages-2Mi", "0"},
  };
  json allocatable = capacity;
  allocatable["memory"] =
      fmt::format("{}Ki", std::max<int64_t>(0, in.memoryKi - kEvictionMemoryKi));
  if (in.ephemeralStorageKi > 0) {
    capacity["ephemeral-storage"] = fmt::format("{}Ki", in.ephemeralStorageKi);
    // nodefs.available<10%, written in bytes as the kubelet does.
    allocatable["ephemeral-storage"] = std::to_string(in.ephemeralStorageKi * 1024 / 10 * 9);
  }
  json addresses = json::array();
  if (!in.internalIP.empty()) {
    addresses.push_back({{"type", "InternalIP"}, {"address", in.internalIP}});
  }
  addresses.push_back(
      {{"type", "Hostname"}, {"address", in.hostname.empty() ? in.nodeName : in.hostname}});
  json conditions = json::array({
      condition("MemoryPressure", false, "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available", now, previousStatus),
      condition("DiskPressure", false, "KubeletHasNoDiskPressure", "kubelet has no disk pressure",
                now, previousStatus),
      condition("PIDPressure", false, "KubeletHasSufficientPID",
                "kubelet has sufficient PID available", now, previousStatus),
      condition("Ready", true, "KubeletReady", "kubelet is posting ready status", now,
                previousStatus),
  });
  json status = {
      {"capacity", capacity},
      {"allocatable", allocatable},
      {"conditions", conditions},
      {"addresses", addresses},
      {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", in.kubeletPort}}}}},
      {"nodeInfo",
       {{"machineID", in.machineID},
        {"systemUUID", in.systemUUID},
        {"bootID", in.bootID},
        {"kernelVersion", in.kernelVersion},
        {"osImage", in.osImage},
        {"containerRuntimeVersion", in.containerRuntimeVersion},
        {"kubeletVersion", kKubeletVersion},
        {"operatingSystem", "linux"},
        {"architecture", in.architecture}}},
  };
  if (in.images) {
    json images = json::array();
    for (const NodeImage& image : *in.images) {
      images.push_back({{"names", image.names}, {"sizeBytes", image.sizeBytes}});
    }
    status["images"] = std::move(images);
  }
  return {
      {"apiVersion", "v1"},
      {"kind", "Node"},
      {"metadata",
       {{"name", in.nodeName},
        {"labels", labelsFor(in)},
        {"annotations",
         {{"node.alpha.kubernetes.io/ttl", "0"},
          {"volumes.kubernetes.io/controller-managed-attach-detach", "true"}}}}},
      {"spec", specFor(in)},
      {"status", status},
  };
}

std::vector<NodeImage> nodeImages(const std::vector<image::Image>& images, size_t max) {
  std::vector<NodeImage> out;
  for (const image::Image& image : images) {
    NodeImage entry{image.names, image.size};
    if (entry.names.empty()) {
      entry.names.push_back(image.id);
    }
    out.push_back(std::move(entry));
  }
  std::sort(out.begin(), out.end(), [](const NodeImage& a, const NodeImage& b) {
    return a.sizeBytes != b.sizeBytes ? a.sizeBytes > b.sizeBytes : a.names < b.names;
  });
  if (out.size() > max) {
    out.resize(max);
  }
  return out;
}

NodeInputs gatherNodeInputs(const std::string& nodeName, const std::string& listenHost, int port,
                            const std::filesystem::path& root, const std::string& runtimePath) {
  NodeInputs in;
  in.nodeName = nodeName;
  in.cpuCores = std::max<long>(1, ::sysconf(_SC_NPROCESSORS_ONLN));
  if (auto meminfo = files::read("/proc/meminfo")) {
    in.memoryKi = parseMemTotalKi(*meminfo);
  }
  struct statvfs fs {};
  if (::statvfs(root.c_str(), &fs) == 0) {
    in.ephemeralStorageKi = static_cast<int64_t>(fs.f_blocks * fs.f_frsize / 1024);
  }
  bool wildcard =
      listenHost.empty() || listenHost == "0.0.0.0" || listenHost == "::" || listenHost == "[::]";
  in.internalIP = wildcard ? firstHostAddress() : listenHost;
  if (in.internalIP.empty()) {
    in.internalIP = "127.0.0.1";
  }
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) == 0) {
    in.hostname = host;
    std::transform(in.hostname.begin(), in.hostname.end(), in.hostname.begin(), ::tolower);
  }
  if (auto osRelease = files::read("/etc/os-release")) {
    in.osImage = parseOsImage(*osRelease);
  }
  utsname uts{};
  if (::uname(&uts) == 0) {
    in.kernelVersion = uts.release;
    in.architecture = goArch(uts.machine);
  }
  in.machineID = readTrimmed("/etc/machine-id");
  in.systemUUID = readTrimmed("/sys/class/dmi/id/product_uuid");
  std::transform(in.systemUUID.begin(), in.systemUUID.end(), in.systemUUID.begin(), ::tolower);
  in.bootID = readTrimmed("/proc/sys/kernel/random/boot_id");
  std::string runtimeName = std::filesystem::path(runtimePath).filename().string();
  process::Options options;
  options.timeout = std::chrono::seconds(5);
  auto version = process::run({runtimePath, "--version"}, options);
  in.containerRuntimeVersion =
      parseRuntimeVersion(runtimeName, version && version->succeeded() ? version->out : "");
  in.kubeletPort = port;
  return in;
}

NodeRegistration::NodeRegistration(client::ApiClient& client, NodeInputs inputs,
                                   NodeRegistrationOptions options, const Clock& clock)
    : client_(client), inputs_(std::move(inputs)), options_(options), clock_(clock) {}

NodeRegistration::~NodeRegistration() {
  stop();
}

void NodeRegistration::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) {
    return;
  }
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void NodeRegistration::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

Status NodeRegistration::registerNode() {
  if (options_.images) {
    inputs_.images = options_.images();
  }
  auto created =
      client_.create(client::Resource::nodes(), buildNode(inputs_, rfc3339(clock_.now())));
  if (created) {
    spdlog::info("registered node '{}'", inputs_.nodeName);
    registered_ = true;
    return ok();
  }
  if (created.error().code() != ErrorCode::kAlreadyExists) {
    return fail(
        std::move(created.error()).wrap(fmt::format("register node '{}'", inputs_.nodeName)));
  }
  // Known already (an agent restart): take it over by updating its status.
  BERTH_TRY_STATUS(updateStatus());
  spdlog::info("node '{}' exists; updated its status", inputs_.nodeName);
  registered_ = true;
  return ok();
}

Status NodeRegistration::ensureLabels(const json& node) {
  json wanted = labelsFor(inputs_);
  json missing = json::object();
  const json* labels = nullptr;
  if (node.contains("metadata") && node["metadata"].contains("labels")) {
    labels = &node["metadata"]["labels"];
  }
  for (const auto& [k, v] : wanted.items()) {
    if (!labels || !labels->is_object() || !labels->contains(k) || (*labels)[k] != v) {
      missing[k] = v;
    }
  }
  json patch = json::object();
  if (!missing.empty()) {
    patch["metadata"]["labels"] = missing;
  }
  json wantedTaints = specFor(inputs_).value("taints", json::array());
  json taints = node.value("spec", json::object()).value("taints", json::array());
  bool addTaints = false;
  for (const auto& taint : wantedTaints) {
    bool found = false;
    for (const auto& t : taints) {
      found =
          found || (t.value("key", "") == taint["key"] && t.value("value", "") == taint["value"] &&
                    t.value("effect", "") == taint["effect"]);
    }
    if (!found) {
      taints.push_back(taint);
      addTaints = true;
    }
  }
  if (addTaints) {
    patch["spec"]["taints"] = taints;  // a merge patch replaces the list: the others are kept
  }
  if (patch.empty()) {
    return ok();
  }
  BERTH_TRY_STATUS(
      client_.patch(client::Resource::nodes(), inputs_.nodeName, client::PatchType::kMerge, patch));
  return ok();
}

Status NodeRegistration::updateStatus() {
  Status last = ok();
  for (int attempt = 0; attempt < std::max(1, options_.updateRetries); ++attempt) {
    auto node = client_.get(client::Resource::nodes(), inputs_.nodeName);
    if (!node) {
      if (node.error().code() == ErrorCode::kNotFound) {
        registered_ = false;
      }
      return fail(std::move(node.error()).wrap(fmt::format("get node '{}'", inputs_.nodeName)));
    }
    if (auto s = ensureLabels(*node); !s) {
      spdlog::warn("node '{}': labels: {}", inputs_.nodeName, s.error().message());
    }
    json previous = node->contains("status") ? (*node)["status"] : json(nullptr);
    if (options_.images && attempt == 0) {
      inputs_.images = options_.images();
    }
    json built = buildNode(inputs_, rfc3339(clock_.now()), previous);
    json status = previous.is_object() ? previous : json::object();
    for (const auto& [k, v] : built["status"].items()) {
      status[k] = v;  // ours replace, others (images, volumes) stay
    }
    (*node)["status"] = std::move(status);
    auto updated = client_.update(client::Resource::nodes(), *node, "status");
    if (updated) {
      return ok();
    }
    if (updated.error().code() == ErrorCode::kNotFound) {
      registered_ = false;
    }
    if (updated.error().code() != ErrorCode::kConflict) {
      return fail(std::move(updated.error())
                      .wrap(fmt::format("update status of node '{}'", inputs_.nodeName)));
    }
    last = fail(std::move(updated.error()));
  }
  return last;
}

void NodeRegistration::run() {
  std::chrono::milliseconds retry{500};
  while (true) {
    Status s = registered_ ? updateStatus() : registerNode();
    std::chrono::milliseconds wait = options_.statusPeriod;
    if (!s) {
      spdlog::warn("{}", s.error().message());
      // Not registered yet (or gone): try again soon, backing off up to the status period.
      if (!registered_) {
        wait = std::min(retry, options_.statusPeriod);
        retry = std::min(retry * 2, options_.statusPeriod);
      }
    } else {
      retry = std::chrono::milliseconds(500);
    }
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, wait, [this] { return stopping_; })) {
      return;
    }
  }
}

}  // namespace berth::agent
