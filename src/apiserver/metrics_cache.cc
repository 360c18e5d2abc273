// MetricsCache: CPU rates from cumulative counters, and the metrics.k8s.io object shapes.

#include "apiserver/metrics_cache.h"

#include <fmt/format.h>

#include "api/quantity.h"
#include "apiserver/human_duration.h"

namespace berth::apiserver {

using nlohmann::json;

namespace {

constexpr const char* kApiVersion = "metrics.k8s.io/v1beta1";

uint64_t unsignedAt(const json& object, const char* section, const char* key) {
  if (!object.is_object() || !object.contains(section) || !object[section].is_object()) {
    return 0;
  }
  const json& s = object[section];
  auto it = s.find(key);
  if (it == s.end() || !it->is_number()) {
    return 0;
  }
  return it->is_number_unsigned() ? it->get<uint64_t>()
                                  : static_cast<uint64_t>(std::max<int64_t>(0, it->get<int64_t>()));
}

bool hasNumber(const json& object, const char* section, const char* key) {
  return object.is_object() && object.contains(section) && object[section].is_object() &&
         object[section].contains(key) && object[section][key].is_number();
}

std::string stringAt(const json& object, const char* key) {
  if (!object.is_object()) {
    return "";
  }
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::optional<Clock::WallTime> sampleTime(const json& item) {
  if (!item.is_object() || !item.contains("cpu") || !item["cpu"].is_object()) {
    return std::nullopt;
  }
  return parseRfc3339(stringAt(item["cpu"], "time"));
}

}  // namespace

std::string formatNanoCores(uint64_t nanocores) {
  std::string raw = fmt::format("{}n", nanocores);
  auto canonical = api::canonicalQuantity(raw);
  return canonical ? *canonical : raw;
}

std::string formatBytes(uint64_t bytes) {
  // Quantity.String() of a BinarySI quantity: the largest power of 1024 that divides it.
  if (bytes == 0 || bytes % 1024 != 0) {
    return std::to_string(bytes);
  }
  auto canonical = api::canonicalQuantity(fmt::format("{}Ki", bytes / 1024));
  return canonical ? *canonical : std::to_string(bytes);
}

std::string formatWindow(std::chrono::milliseconds window) {
  int64_t ms = window.count();
  int64_t minutes = ms / 60000;
  int64_t rest = ms % 60000;
  std::string seconds = fmt::format("{}", rest / 1000);
  if (rest % 1000 != 0) {
    std::string fraction = fmt::format("{:03}", rest % 1000);
    while (!fraction.empty() && fraction.back() == '0') {
      fraction.pop_back();
    }
    seconds += "." + fraction;
  }
  if (minutes == 0) {
    return seconds + "s";
  }
  int64_t hours = minutes / 60;
  if (hours == 0) {
    return fmt::format("{}m{}s", minutes, seconds);
  }
  return fmt::format("{}h{}m{}s", hours, minutes % 60, seconds);
}

void MetricsCache::advance(Series& series, const json& item, const std::string& startTime,
                           Clock::WallTime scraped, bool fresh) const {
  Clock::WallTime time = sampleTime(item).value_or(scraped);
  series.memory = unsignedAt(item, "memory", "workingSetBytes");
  if (!hasNumber(item, "cpu", "usageCoreNanoSeconds")) {
    series.nanocores.reset();
    series.time = time;
    series.startTime = startTime;
    return;
  }
  uint64_t usage = unsignedAt(item, "cpu", "usageCoreNanoSeconds");
  if (!fresh && time == series.time && usage == series.usage && startTime == series.startTime) {
    return;  // the same sample again
  }
  const bool restarted =
      fresh || startTime != series.startTime || usage < series.usage || time <= series.time;
  if (restarted) {
    series.nanocores.reset();
    series.window = std::chrono::milliseconds(0);
  } else {
    auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(time - series.time);
    long double rate = static_cast<long double>(usage - series.usage) * 1e9L /
                       static_cast<long double>(elapsed.count());
    series.nanocores = static_cast<uint64_t>(rate);
    series.window = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed);
  }
  series.usage = usage;
  series.time = time;
  series.startTime = startTime;
}

void MetricsCache::update(const std::string& nodeName, const json& summary) {
  const Clock::WallTime scraped = clock_.now();
  std::lock_guard lock(mu_);
  const json node = summary.value("node", json::object());
  auto found = nodes_.find(nodeName);
  const bool freshNode = found == nodes_.end();
  Series& nodeSeries = nodes_[nodeName];
  advance(nodeSeries, node, stringAt(node, "startTime"), scraped, freshNode);

  std::map<std::pair<std::string, std::string>, PodEntry> seen;
  for (const auto& pod : summary.value("pods", json::array())) {
    const json ref = pod.value("podRef", json::object());
    auto key = std::make_pair(stringAt(ref, "namespace"), stringAt(ref, "name"));
    if (key.first.empty() || key.second.empty()) {
      continue;
    }
    const PodEntry* before = nullptr;
    if (auto it = pods_.find(key); it != pods_.end() && it->second.node == nodeName) {
      before = &it->second;
    }
    PodEntry entry;
    entry.node = nodeName;
    for (const auto& container : pod.value("containers", json::array())) {
      ContainerEntry c;
      c.name = stringAt(container, "name");
      bool fresh = true;
      if (before) {
        for (const auto& old : before->containers) {
          if (old.name == c.name) {
            c.series = old.series;
            fresh = false;
          }
        }
      }
      advance(c.series, container, stringAt(container, "startTime"), scraped, fresh);
      entry.containers.push_back(std::move(c));
    }
    seen[key] = std::move(entry);
  }
  std::erase_if(pods_, [&](const auto& item) { return item.second.node == nodeName; });
  for (auto& [key, entry] : seen) {
    pods_.insert_or_assign(key, std::move(entry));
  }
}

void MetricsCache::retain(const std::set<std::string>& nodes) {
  std::lock_guard lock(mu_);
  std::erase_if(nodes_, [&](const auto& item) { return !nodes.contains(item.first); });
  std::erase_if(pods_, [&](const auto& item) { return !nodes.contains(item.second.node); });
}

json MetricsCache::podObject(const std::string& namespace_, const std::string& name,
                             const PodEntry& pod) const {
  json containers = json::array();
  Clock::WallTime newest{};
  std::chrono::milliseconds window{0};
  for (const auto& c : pod.containers) {
    containers.push_back({{"name", c.name},
                          {"usage",
                           {{"cpu", formatNanoCores(*c.series.nanocores)},
                            {"memory", formatBytes(c.series.memory)}}}});
    if (c.series.time > newest) {
      newest = c.series.time;
      window = c.series.window;
    }
  }
  return {
      {"kind", "PodMetrics"},
      {"apiVersion", kApiVersion},
      {"metadata",
       {{"name", name}, {"namespace", namespace_}, {"creationTimestamp", rfc3339(clock_.now())}}},
      {"timestamp", rfc3339(newest)},
      {"window", formatWindow(window)},
      {"containers", std::move(containers)}};
}

json MetricsCache::nodeObject(const std::string& name, const Series& node) const {
  return {
      {"kind", "NodeMetrics"},
      {"apiVersion", kApiVersion},
      {"metadata", {{"name", name}, {"creationTimestamp", rfc3339(clock_.now())}}},
      {"timestamp", rfc3339(node.time)},
      {"window", formatWindow(node.window)},
      {"usage", {{"cpu", formatNanoCores(*node.nanocores)}, {"memory", formatBytes(node.memory)}}}};
}

namespace {

template <typename Entry>
bool complete(const Entry& pod) {
  if (pod.containers.empty()) {
    return false;
  }
  for (const auto& c : pod.containers) {
    if (!c.series.nanocores) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<json> MetricsCache::podMetrics(const std::string& namespace_) const {
  std::lock_guard lock(mu_);
  std::vector<json> out;
  for (const auto& [key, pod] : pods_) {
    if ((namespace_.empty() || key.first == namespace_) && complete(pod)) {
      out.push_back(podObject(key.first, key.second, pod));
    }
  }
  return out;
}

std::optional<json> MetricsCache::podMetrics(const std::string& namespace_,
                                             const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = pods_.find({namespace_, name});
  if (it == pods_.end() || !complete(it->second)) {
    return std::nullopt;
  }
  return podObject(namespace_, name, it->second);
}

std::vector<json> MetricsCache::nodeMetrics() const {
  std::lock_guard lock(mu_);
  std::vector<json> out;
  for (const auto& [name, node] : nodes_) {
    if (node.nanocores) {
      out.push_back(nodeObject(name, node));
    }
  }
  return out;
}

std::optional<json> MetricsCache::nodeMetrics(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(name);
  if (it == nodes_.end() || !it->second.nanocores) {
    return std::nullopt;
  }
  return nodeObject(name, it->second);
}

}  // namespace berth::apiserver
