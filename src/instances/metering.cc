#include "instances/metering.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <tuple>

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

// `n` decimal digits at `pos`.
std::optional<int> digits(std::string_view s, size_t& pos, size_t n) {
  if (pos + n > s.size()) {
    return std::nullopt;
  }
  int value = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  pos += n;
  return value;
}

bool expect(std::string_view s, size_t& pos, std::string_view oneOf) {
  if (pos < s.size() && oneOf.find(s[pos]) != std::string_view::npos) {
    ++pos;
    return true;
  }
  return false;
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
  size_t pos = 0;
  auto year = digits(s, pos, 4);
  if (!year || !expect(s, pos, "-")) {
    return std::nullopt;
  }
  auto month = digits(s, pos, 2);
  if (!month || !expect(s, pos, "-")) {
    return std::nullopt;
  }
  auto day = digits(s, pos, 2);
  if (!day || !expect(s, pos, "Tt")) {
    return std::nullopt;
  }
  auto hour = digits(s, pos, 2);
  if (!hour || !expect(s, pos, ":")) {
    return std::nullopt;
  }
  auto minute = digits(s, pos, 2);
  if (!minute || !expect(s, pos, ":")) {
    return std::nullopt;
  }
  auto second = digits(s, pos, 2);
  if (!second || *month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 ||
      *second > 60) {
    return std::nullopt;
  }
  Millis ms = 0;
  if (expect(s, pos, ".")) {
    size_t start = pos;
    Millis scale = 100;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) {
      return std::nullopt;
    }
  }
  Millis offset = 0;
  if (!expect(s, pos, "Zz")) {
    if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) {
      return std::nullopt;
    }
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    auto oh = digits(s, pos, 2);
    if (!oh || !expect(s, pos, ":")) {
      return std::nullopt;
    }
    auto om = digits(s, pos, 2);
    if (!om || *oh > 23 || *om > 59) {
      return std::nullopt;
    }
    offset = sign * (*oh * 3600 + *om * 60) * Millis{1000};
  }
  if (pos != s.size()) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  return static_cast<Millis>(timegm(&tm)) * 1000 + ms - offset;
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
