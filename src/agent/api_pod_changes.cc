#include "agent/api_pod_changes.h"

#include "api/pod_codec.h"
#include "api/validation.h"
#include "base/json_pointer.h"
#include "client/informer.h"

namespace berth::agent {

std::optional<DesiredPod> desiredPod(const nlohmann::json& object,
                                     const std::function<bool(const std::string&)>& known) {
  DesiredPod d;
  auto pod = api::decodePod(object);
  if (pod) {
    d.pod = std::move(*pod);
    api::setPodDefaults(d.pod);
  } else {
    // Shown with what is wrong; its deletion still works.
    d.pod.metadata.name = stringAtPointer(object, "/metadata/name");
    d.pod.metadata.namespace_ = stringAtPointer(object, "/metadata/namespace");
    d.pod.metadata.uid = stringAtPointer(object, "/metadata/uid");
    if (auto ts = stringAtPointer(object, "/metadata/deletionTimestamp"); !ts.empty()) {
      d.pod.metadata.deletionTimestamp = ts;
      d.pod.metadata.deletionGracePeriodSeconds = 0;
    }
    d.invalidMessage = pod.error().message();
  }
  if (d.pod.metadata.uid.empty()) {
    return std::nullopt;
  }
  std::string phase = stringAtPointer(object, "/status/phase");
  if ((phase == "Succeeded" || phase == "Failed") && !known(d.pod.metadata.uid)) {
    return std::nullopt;  // finished before this agent knew it: never run again
  }
  d.pod.status = {};  // the loop computes its own
  return d;
}

std::vector<DesiredPod> desiredPods(const std::vector<nlohmann::json>& objects,
                                    const std::set<std::string>& known) {
  std::vector<DesiredPod> out;
  auto isKnown = [&known](const std::string& uid) { return known.contains(uid); };
  for (const auto& object : objects) {
    if (auto d = desiredPod(object, isKnown)) {
      out.push_back(std::move(*d));
    }
  }
  return out;
}

void ApiPodChanges::note(const std::string& key, std::optional<nlohmann::json> object) {
  std::lock_guard lock(mu_);
  pending_[key] = std::move(object);
}

void ApiPodChanges::reset() {
  std::lock_guard lock(mu_);
  pending_.clear();
  uidByKey_.clear();
  handedOverAll_ = false;
}

ApiPodChanges::HandOver ApiPodChanges::take(const ListAll& listAll, const Known& known) {
  std::map<std::string, std::optional<nlohmann::json>> changes;
  {
    std::lock_guard lock(mu_);
    changes.swap(pending_);
  }
  HandOver out;
  if (!handedOverAll_) {
    out.complete = true;
    uidByKey_.clear();
    for (const auto& object : listAll()) {
      if (auto d = desiredPod(object, known)) {
        uidByKey_[client::Informer::keyOf(object)] = d->pod.metadata.uid;
        out.pods.push_back(std::move(*d));
      }
    }
    handedOverAll_ = true;
    return out;
  }
  for (auto& [key, object] : changes) {
    std::optional<DesiredPod> d;
    if (object) {
      d = desiredPod(*object, known);
    }
    auto it = uidByKey_.find(key);
    if (it != uidByKey_.end() && (!d || d->pod.metadata.uid != it->second)) {
      out.removed.push_back(it->second);  // deleted, or the name now belongs to another pod
      uidByKey_.erase(it);
    }
    if (d) {
      uidByKey_[key] = d->pod.metadata.uid;
      out.pods.push_back(std::move(*d));
    }
  }
  return out;
}

}  // namespace berth::agent
