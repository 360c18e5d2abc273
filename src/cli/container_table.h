#pragma once

// `-o table` and `-o tsv` for `berth container`, laid out like `az container list -o table`.
// Pure functions over the ARM JSON the API returns.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace berth::cli {

// One row of a container group: Name, ResourceGroup (from the id), Status (the instance
// view's state, else the provisioning state), Image (the containers' images, ","-joined),
// IP:ports ("10.0.0.5:80,443", empty without an IP address), Network (ipAddress.type),
// CPU/Memory ("1.0 core/1.5 gb", summed over the containers' requests), OsType, Location.
std::vector<std::string> groupRow(const nlohmann::json& group);
std::vector<std::string> groupHeader();

// Usage (the meteredUsage answer): Name, ResourceGroup, vCPU-seconds, GB-seconds,
// Cost (with the currency), Running; then a "total" row.
std::vector<std::string> usageHeader();
std::vector<std::vector<std::string>> usageRows(const nlohmann::json& usage);

// Columns padded to their widest cell, a "---" rule under the header, two spaces apart.
std::string renderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);
// Tab-separated rows without a header (like az -o tsv).
std::string renderTsv(const std::vector<std::vector<std::string>>& rows);

}  // namespace berth::cli
