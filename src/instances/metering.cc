#include "instances/metering.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <map>
#include <tuple>

#include "base/clock.h"
#include "base/files.h"
#include "instances/container_group.h"

namespace berth::instances {

using nlohmann::json;

namespace {

std::string lower(std::string s) {
  std::ranges::transform(s, s.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Result<double> price(const json& value, const std::string& field) {
  if (!value.is_number() || value.get<double>() < 0) {
    return fail(ErrorCode::kInvalidArgument, "price table: field '{}' must be a number >= 0",
                field);
  }
  return value.get<double>();
}

}  // namespace

Result<PriceTable> parsePriceTable(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) {
    return fail(ErrorCode::kInvalidArgument, "price table: not valid JSON");
  }
  if (!doc.is_object()) {
    return fail(ErrorCode::kInvalidArgument, "price table: must be a JSON object");
  }
  PriceTable table;
  for (const auto& [key, value] : doc.items()) {
    if (key == "currency") {
      if (!value.is_string() || value.get<std::string>().empty()) {
        return fail(ErrorCode::kInvalidArgument,
                    "price table: field 'currency' must be a non-empty string");
      }
      table.currency = value.get<std::string>();
    } else if (key == "vcpuSecond") {
      BERTH_ASSIGN_OR_RETURN(table.vcpuSecond, price(value, key));
    } else if (key == "gbSecond") {
      BERTH_ASSIGN_OR_RETURN(table.gbSecond, price(value, key));
    } else {
      return fail(ErrorCode::kInvalidArgument, "price table: unknown field '{}'", key);
    }
  }
  return table;
}

Result<PriceTable> loadPriceTable(const std::filesystem::path& file) {
  auto text = files::read(file);
  if (!text) {
    return fail(std::move(text.error()).wrap("price table '" + file.string() + "'"));
  }
  auto table = parsePriceTable(*text);
  if (!table) {
    return fail(std::move(table.error()).wrap("'" + file.string() + "'"));
  }
  return table;
}

std::string rfc3339Millis(Millis t) {
  Millis ms = ((t % 1000) + 1000) % 1000;
  std::time_t seconds = static_cast<std::time_t>((t - ms) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

std::optional<Millis> parseRfc3339Millis(std::string_view s) {
  auto t = parseRfc3339(s);
  if (!t) {
    return std::nullopt;
  }
  return std::chrono::floor<std::chrono::milliseconds>(t->time_since_epoch()).count();
}

UsageReport computeUsage(const std::vector<MeterInterval>& intervals, Millis from, Millis to,
                         Millis now, const PriceTable& prices) {
  UsageReport report;
  report.from = from;
  report.to = to;
  std::map<std::tuple<std::string, std::string, std::string>, GroupUsage> byGroup;
  for (const MeterInterval& interval : intervals) {
    Millis end = interval.end.value_or(std::max(now, interval.start));
    Millis clippedStart = std::max(interval.start, from);
    Millis clippedEnd = std::min(end, to);
    bool overlaps = clippedStart < clippedEnd;
    if (!overlaps && interval.end) {
      continue;
    }
    auto key = std::make_tuple(lower(interval.subscriptionId), lower(interval.resourceGroup),
                               lower(interval.containerGroup));
    auto [it, added] = byGroup.try_emplace(key);
    GroupUsage& usage = it->second;
    if (added) {
      usage.subscriptionId = interval.subscriptionId;
      usage.resourceGroup = interval.resourceGroup;
      usage.name = interval.containerGroup;
    }
    usage.running = usage.running || !interval.end;
    if (!overlaps) {
      continue;
    }
    double seconds = static_cast<double>(clippedEnd - clippedStart) / 1000.0;
    usage.seconds += seconds;
    usage.vcpuSeconds += interval.vcpu * seconds;
    usage.gbSeconds += interval.memoryInGB * seconds;
  }
  for (auto& [key, usage] : byGroup) {
    usage.cost = usage.vcpuSeconds * prices.vcpuSecond + usage.gbSeconds * prices.gbSecond;
    report.total.seconds += usage.seconds;
    report.total.vcpuSeconds += usage.vcpuSeconds;
    report.total.gbSeconds += usage.gbSeconds;
    report.total.cost += usage.cost;
    report.total.running = report.total.running || usage.running;
    report.groups.push_back(usage);  // map order: by (subscription, resource group, name)
  }
  return report;
}

json usageJson(const UsageReport& report, const PriceTable& prices) {
  json value = json::array();
  for (const GroupUsage& usage : report.groups) {
    value.push_back(
        {{"id", containerGroupId(usage.subscriptionId, usage.resourceGroup, usage.name)},
         {"resourceGroup", usage.resourceGroup},
         {"name", usage.name},
         {"vcpuSeconds", usage.vcpuSeconds},
         {"gbSeconds", usage.gbSeconds},
         {"cost", usage.cost},
         {"running", usage.running}});
  }
  return {{"from", rfc3339Millis(report.from)},
          {"to", rfc3339Millis(report.to)},
          {"currency", prices.currency},
          {"prices", {{"vcpuSecond", prices.vcpuSecond}, {"gbSecond", prices.gbSecond}}},
          {"value", std::move(value)},
          {"total",
           {{"vcpuSeconds", report.total.vcpuSeconds},
            {"gbSeconds", report.total.gbSeconds},
            {"cost", report.total.cost}}}};
}

}  // namespace berth::instances
