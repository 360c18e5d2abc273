#pragma once

// How `berth container` prints ARM objects: -o json (default: the body as the API returns it,
// pretty-printed), yaml, table or tsv (container_table.h).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/error.h"

namespace berth::cli {

// kInvalidArgument unless `output` is json, yaml, table or tsv.
Status checkOutputFormat(const std::string& output);

// One group (show, create, delete) or a list of groups (list; json prints an array).
std::string formatGroup(const nlohmann::json& group, const std::string& output);
std::string formatGroups(const std::vector<nlohmann::json>& groups, const std::string& output);
// The meteredUsage answer.
std::string formatUsage(const nlohmann::json& usage, const std::string& output);

}  // namespace berth::cli
