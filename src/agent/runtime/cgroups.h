#pragma once

// Cgroup housekeeping on the agent side (the runtime creates and deletes the cgroups).

#include <string>

#include "base/error.h"

namespace berth::runtime {

// Removes the directory `cgroupsPath` (e.g. "/berth/<id>") from every cgroup hierarchy where
// it is left, retrying briefly while it is busy (processes still exiting). Not an error if it
// does not exist. kInternal naming the directory if it stays busy.
Status removeCgroupDirs(const std::string& cgroupsPath);

// True if `cgroupsPath` exists in any cgroup hierarchy.
bool cgroupExists(const std::string& cgroupsPath);

}  // namespace berth::runtime
