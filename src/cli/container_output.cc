#include "cli/container_output.h"

#include "cli/aci_yaml.h"
#include "cli/container_table.h"

namespace berth::cli {

using nlohmann::json;

Status checkOutputFormat(const std::string& output) {
  if (output != "json" && output != "yaml" && output != "table" && output != "tsv") {
    return fail(ErrorCode::kInvalidArgument, "--output: '{}' is not json, yaml, table or tsv",
                output);
  }
  return ok();
}

std::string formatGroups(const std::vector<json>& groups, const std::string& output) {
  if (output == "table" || output == "tsv") {
    std::vector<std::vector<std::string>> rows;
    for (const auto& g : groups) {
      rows.push_back(groupRow(g));
    }
    return output == "table" ? renderTable(groupHeader(), rows) : renderTsv(rows);
  }
  json array = json::array();
  for (const auto& g : groups) {
    array.push_back(g);
  }
  return output == "yaml" ? renderYaml(array) : array.dump(2) + "\n";
}

std::string formatGroup(const json& group, const std::string& output) {
  if (output == "table" || output == "tsv") {
    return formatGroups({group}, output);
  }
  return output == "yaml" ? renderYaml(group) : group.dump(2) + "\n";
}

std::string formatUsage(const json& usage, const std::string& output) {
  if (output == "table") {
    return renderTable(usageHeader(), usageRows(usage));
  }
  if (output == "tsv") {
    return renderTsv(usageRows(usage));
  }
  return output == "yaml" ? renderYaml(usage) : usage.dump(2) + "\n";
}

}  // namespace berth::cli
