#include "scheduler/node_info.h"

#include <algorithm>

namespace berth::scheduler {

const std::string& NodeInfo::name() const {
  static const std::string kEmpty;
  return node_ ? node_->name : kEmpty;
}

const Resources& NodeInfo::allocatable() const {
  static const Resources kNone;
  return node_ ? node_->allocatable : kNone;
}

void NodeInfo::addPod(PodInfoPtr pod) {
  requested_.add(pod->requests);
  nonZeroRequested_.milliCpu += pod->nonZeroRequests.milliCpu;
  nonZeroRequested_.memory += pod->nonZeroRequests.memory;
  pods_.push_back(std::move(pod));
}

bool NodeInfo::removePod(const std::string& key) {
  auto it = std::ranges::find_if(pods_, [&](const PodInfoPtr& p) { return p->key == key; });
  if (it == pods_.end()) {
    return false;
  }
  requested_.subtract((*it)->requests);
  nonZeroRequested_.milliCpu -= (*it)->nonZeroRequests.milliCpu;
  nonZeroRequested_.memory -= (*it)->nonZeroRequests.memory;
  pods_.erase(it);
  return true;
}

bool NodeInfo::hasPod(const std::string& key) const {
  return std::ranges::any_of(pods_, [&](const PodInfoPtr& p) { return p->key == key; });
}

}  // namespace berth::scheduler
