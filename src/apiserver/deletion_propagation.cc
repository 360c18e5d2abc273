#include "apiserver/deletion_propagation.h"

#include <algorithm>
#include <set>

namespace berth::apiserver {

std::vector<std::string> finalizersForDeletion(const std::vector<std::string>& current,
                                               const std::string& policy) {
  auto has = [&](const char* f) { return std::ranges::find(current, f) != current.end(); };
  bool orphan = false;
  bool foreground = false;
  if (policy == "Orphan") {
    orphan = true;
  } else if (policy == "Foreground") {
    foreground = true;
  } else if (policy.empty()) {
    // The object's own GC finalizer overrides the default (Background).
    orphan = has(kFinalizerOrphanDependents);
    foreground = !orphan && has(kFinalizerDeleteDependents);
  }
  std::vector<std::string> next;
  for (const auto& f : current) {
    if (f != kFinalizerOrphanDependents && f != kFinalizerDeleteDependents) {
      next.push_back(f);
    }
  }
  if (orphan) {
    next.push_back(kFinalizerOrphanDependents);
  }
  if (foreground) {
    next.push_back(kFinalizerDeleteDependents);
  }
  if (std::set<std::string>(next.begin(), next.end()) ==
      std::set<std::string>(current.begin(), current.end())) {
    return current;
  }
  return next;
}

}  // namespace berth::apiserver
