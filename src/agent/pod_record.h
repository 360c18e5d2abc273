#pragma once

// What the agent remembers about each pod it runs, persisted as ROOT/pods/<uid>/record.json so
// that a restarted agent adopts its pods instead of starting them again. A record is written
// BEFORE each step that creates something (a container attempt, a sandbox), so whatever exists
// on disk is always named by a record.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "api/pod.h"
#include "base/error.h"

namespace berth::agent {

struct ContainerRecord {
  std::string name;
  bool init = false;
  int attempt = 0;                // instance number of the current/last instance; 0: none yet
  std::string runtimeId;          // of the current instance
  std::filesystem::path dir;      // of the current instance (runtime::ContainerSpec::dir)
  std::filesystem::path logPath;  // of the current instance
  std::filesystem::path previousLogPath;  // of the instance before, empty if none
  int restartCount = 0;
  std::string image;     // as the spec names it
  std::string imageId;   // config digest of what runs
  bool started = false;  // the current instance's process was started
  // How the instance before the current one ended (ContainerStatus.lastState).
  std::optional<api::ContainerStateTerminated> lastTerminated;
  // Why the container is not running when it should be (ErrImagePull, CreateContainerError).
  std::string waitingReason;
  std::string waitingMessage;
  // Restart back-off: no new instance before backoffUntilMs (wall clock, ms since epoch).
  int64_t backoffUntilMs = 0;
  int64_t backoffDelayMs = 0;
  int backoffForAttempt = 0;  // the instance whose end armed the back-off
  int64_t startedAtMs = 0;    // wall clock, when the current instance started
};

struct PodRecord {
  api::Pod pod;        // the desired pod as last seen (spec and metadata)
  std::string source;  // where it came from: a manifest path, or "api"
  bool sandboxCreated = false;
  std::string podIP;
  std::string startTime;                    // RFC 3339, when the agent first acted on the pod
  std::vector<ContainerRecord> containers;  // init containers first, in spec order
  // A manifest that failed validation: the pod cannot run and its status says why.
  std::string invalidReason;
  std::string invalidMessage;

  const std::string& uid() const { return pod.metadata.uid; }
  ContainerRecord* find(const std::string& name, bool init);
};

Result<PodRecord> loadRecord(const std::filesystem::path& file);
Status saveRecord(const std::filesystem::path& file, const PodRecord& record);

}  // namespace berth::agent
