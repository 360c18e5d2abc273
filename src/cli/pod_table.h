#pragma once

// kubectl-style presentation of pods: the STATUS column and the table.

#include <string>
#include <vector>

#include "api/pod.h"

namespace berth::cli {

// What kubectl prints in STATUS: Init:1/2, CrashLoopBackOff, ErrImagePull, Completed, Running…
std::string podDisplayStatus(const api::Pod& pod);

// NAMESPACE NAME READY STATUS RESTARTS AGE IP, one line per pod.
std::string podTable(const std::vector<api::Pod>& pods, const std::string& now);

}  // namespace berth::cli
