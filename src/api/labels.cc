#include "api/labels.h"

namespace berth::api {

std::string formatLabels(const Labels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) {
      out += ',';
    }
    out += k + "=" + v;
  }
  return out;
}

bool labelsMatch(const Labels& selector, const Labels& labels) {
  for (const auto& [k, v] : selector) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) {
      return false;
    }
  }
  return true;
}

}  // namespace berth::api
