#include "scheduler/fit_error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <vector>

namespace berth::scheduler {

std::string FitError::message() const {
  std::string msg = fmt::format("0/{} nodes are available:", numAllNodes);
  if (!diagnosis.preFilterMessage.empty()) {
    msg += fmt::format(" {}.", diagnosis.preFilterMessage);
  } else {
    std::map<std::string, size_t> counts;
    for (const auto& [node, status] : diagnosis.nodeToStatus) {
      for (const auto& reason : status.reasons()) {
        ++counts[reason];
      }
    }
    if (diagnosis.nodeToStatus.size() < numAllNodes) {
      for (const auto& reason : diagnosis.absentNodesReasons) {
        counts[reason] += numAllNodes - diagnosis.nodeToStatus.size();
      }
    }
    std::vector<std::string> histogram;
    for (const auto& [reason, count] : counts) {
      histogram.push_back(fmt::format("{} {}", count, reason));
    }
    std::ranges::sort(histogram);
    if (!histogram.empty()) {
      msg += fmt::format(" {}.", fmt::join(histogram, ", "));
    }
  }
  if (!diagnosis.postFilterMessage.empty()) {
    msg += " " + diagnosis.postFilterMessage;  // no period: it ends with one
  }
  return msg;
}

}  // namespace berth::scheduler
