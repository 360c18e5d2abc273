#include "cli/container_table.h"

#include <fmt/format.h>

#include <algorithm>

namespace berth::cli {
namespace {

using nlohmann::json;

const json& at(const json& object, std::initializer_list<const char*> path) {
  static const json kNull;
  const json* node = &object;
  for (const char* key : path) {
    if (!node->is_object() || !node->contains(key)) {
      return kNull;
    }
    node = &(*node)[key];
  }
  return *node;
}

std::string text(const json& value) {
  if (value.is_string()) {
    return value.get<std::string>();
  }
  return value.is_null() ? "" : value.dump();
}

// ".../resourceGroups/{rg}/..." -> rg.
std::string resourceGroupOf(const std::string& id) {
  std::string key = "/resourcegroups/";
  std::string lower = id;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  auto pos = lower.find(key);
  if (pos == std::string::npos) {
    return "";
  }
  pos += key.size();
  return id.substr(pos, id.find('/', pos) - pos);
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) {
    out += (out.empty() ? "" : sep) + p;
  }
  return out;
}

}  // namespace

std::vector<std::string> groupHeader() {
  return {"Name",    "ResourceGroup", "Status", "Image",   "IP:ports",
          "Network", "CPU/Memory",    "OsType", "Location"};
}

std::vector<std::string> groupRow(const json& group) {
  const json& props = at(group, {"properties"});
  std::string status = text(at(props, {"instanceView", "state"}));
  if (status.empty()) {
    status = text(at(props, {"provisioningState"}));
  }
  std::vector<std::string> images;
  double cpu = 0;
  double memory = 0;
  const json& containers = at(props, {"containers"});
  if (containers.is_array()) {
    for (const auto& c : containers) {
      images.push_back(text(at(c, {"properties", "image"})));
      const json& requests = at(c, {"properties", "resources", "requests"});
      if (at(requests, {"cpu"}).is_number()) {
        cpu += requests["cpu"].get<double>();
      }
      if (at(requests, {"memoryInGB"}).is_number()) {
        memory += requests["memoryInGB"].get<double>();
      }
    }
  }
  std::string ipPorts;
  std::string ip = text(at(props, {"ipAddress", "ip"}));
  if (!ip.empty()) {
    std::vector<std::string> ports;
    const json& list = at(props, {"ipAddress", "ports"});
    if (list.is_array()) {
      for (const auto& p : list) {
        ports.push_back(text(at(p, {"port"})));
      }
    }
    ipPorts = ip + ":" + join(ports, ",");
  }
  return {text(at(group, {"name"})),
          resourceGroupOf(text(at(group, {"id"}))),
          status,
          join(images, ","),
          ipPorts,
          text(at(props, {"ipAddress", "type"})),
          fmt::format("{:.1f} core/{:.1f} gb", cpu, memory),
          text(at(props, {"osType"})),
          text(at(group, {"location"}))};
}

std::vector<std::string> usageHeader() {
  return {"Name", "ResourceGroup", "vCPU-seconds", "GB-seconds", "Cost", "Running"};
}

std::vector<std::vector<std::string>> usageRows(const json& usage) {
  std::string currency = text(at(usage, {"currency"}));
  auto number = [](const json& v, int digits) {
    return v.is_number() ? fmt::format("{:.{}f}", v.get<double>(), digits) : std::string();
  };
  auto cost = [&](const json& v) {
    std::string n = number(v, 6);
    return n.empty() ? n : n + " " + currency;
  };
  std::vector<std::vector<std::string>> rows;
  const json& value = at(usage, {"value"});
  if (value.is_array()) {
    for (const auto& u : value) {
      const json& running = at(u, {"running"});
      rows.push_back({text(at(u, {"name"})), text(at(u, {"resourceGroup"})),
                      number(at(u, {"vcpuSeconds"}), 3), number(at(u, {"gbSeconds"}), 3),
                      cost(at(u, {"cost"})),
                      running.is_boolean() ? (running.get<bool>() ? "yes" : "no") : ""});
    }
  }
  const json& total = at(usage, {"total"});
  if (total.is_object()) {
    rows.push_back({"total", "", number(at(total, {"vcpuSeconds"}), 3),
                    number(at(total, {"gbSeconds"}), 3), cost(at(total, {"cost"})), ""});
  }
  return rows;
}

std::string renderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size());
  for (size_t i = 0; i < header.size(); ++i) {
    widths[i] = header[i].size();
    for (const auto& row : rows) {
      if (i < row.size()) {
        widths[i] = std::max(widths[i], row[i].size());
      }
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t i = 0; i < widths.size(); ++i) {
      std::string cell = i < cells.size() ? cells[i] : "";
      if (i + 1 == widths.size()) {
        out += cell;
      } else {
        out += cell + std::string(widths[i] - cell.size() + 2, ' ');
      }
    }
    while (!out.empty() && out.back() == ' ') {
      out.pop_back();
    }
    return out + "\n";
  };
  std::vector<std::string> rule;
  for (size_t w : widths) {
    rule.push_back(std::string(w, '-'));
  }
  std::string out = line(header) + line(rule);
  for (const auto& row : rows) {
    out += line(row);
  }
  return out;
}

std::string renderTsv(const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  for (const auto& row : rows) {
    out += join(row, "\t") + "\n";
  }
  return out;
}

}  // namespace berth::cli
