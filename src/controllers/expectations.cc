#include "controllers/expectations.h"

namespace berth::controllers {

bool Expectations::satisfied(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = records_.find(key);
  if (it == records_.end()) {
    return true;  // never expected anything (or a new controller): sync
  }
  const Record& r = it->second;
  if (r.adds <= 0 && r.deletions.empty()) {
    return true;
  }
  // An event may have been lost: do not wait forever.
  return clock_.monotonic() - r.at > timeout_;
}

void Expectations::expectCreations(const std::string& key, int adds) {
  std::lock_guard lock(mu_);
  Record& r = records_[key];
  r.adds = adds;
  r.deletions.clear();
  r.at = clock_.monotonic();
}

void Expectations::expectDeletions(const std::string& key,
                                   const std::vector<std::string>& podKeys) {
  std::lock_guard lock(mu_);
  Record& r = records_[key];
  r.adds = 0;
  r.deletions = std::set<std::string>(podKeys.begin(), podKeys.end());
  r.at = clock_.monotonic();
}

void Expectations::creationObserved(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = records_.find(key);
  if (it != records_.end() && it->second.adds > 0) {
    --it->second.adds;
  }
}

void Expectations::deletionObserved(const std::string& key, const std::string& podKey) {
  std::lock_guard lock(mu_);
  auto it = records_.find(key);
  if (it != records_.end()) {
    it->second.deletions.erase(podKey);
  }
}

void Expectations::remove(const std::string& key) {
  std::lock_guard lock(mu_);
  records_.erase(key);
}

int Expectations::pendingCreations(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = records_.find(key);
  return it == records_.end() ? 0 : it->second.adds;
}

int Expectations::pendingDeletions(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = records_.find(key);
  return it == records_.end() ? 0 : static_cast<int>(it->second.deletions.size());
}

}  // namespace berth::controllers
