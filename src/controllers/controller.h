#pragma once

// A controller: reacts to changes of the objects it watches (through the shared informers)
// and drives the cluster towards the desired state with API writes. Each one keeps a
// client::WorkQueue of object keys ("namespace/name"), so a key is reconciled by one worker at
// a time and bursts of events coalesce.
//
// Lifecycle, driven by the ControllerManager:
//   1. construction: the controller registers its informer handlers on the factory;
//   2. the factory starts and syncs;
//   3. start(): the controller starts its workers (and enqueues every cached object once);
//   4. stop(): workers end, no API call is made afterwards.

#include <string>

namespace berth::controllers {

class Controller {
 public:
  virtual ~Controller() = default;
  // "replicaset", "deployment", "garbagecollector", "horizontalpodautoscaling", ...
  virtual std::string name() const = 0;
  virtual void start() = 0;
  virtual void stop() = 0;
};

}  // namespace berth::controllers
