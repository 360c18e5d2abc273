#pragma once

// The pending exec sessions of the ARM API: `POST .../containers/{c}/exec` creates one (a random
// id for the WebSocket URI and a random password), and the WebSocket at /instances/exec/{id}
// claims it. A session is single-use: claim() removes it, whether or not the password the client
// then sends is right. A session nobody claimed within the time to live (60 s) is gone.
//
//   ArmExecSessions sessions(clock);
//   auto [id, password] = sessions.create(target);
//   ...
//   auto claimed = sessions.claim(id);           // nullopt: unknown, expired or used
//   if (claimed && claimed->accepts(sent)) { run claimed->target }
//
// Thread safety: all members may be called concurrently.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "apiserver/pod_subresources.h"
#include "base/clock.h"

namespace berth::apiserver {

// What an exec session runs: the agent's exec endpoint of the group's pod.
struct ArmExecTarget {
  NodeEndpoint agent;
  std::string path;  // /exec/NS/POD/CONTAINER?command=...&stdin=true&stdout=true...
};

// The id and password handed to the client (both 32 random hex digits).
struct ArmExecCredentials {
  std::string id;
  std::string password;
};

// A claimed session: its target and the password it must be opened with.
struct ArmExecClaim {
  ArmExecTarget target;
  std::string password;

  // Whether `given` is the password (compared in constant time).
  bool accepts(std::string_view given) const;
};

class ArmExecSessions {
 public:
  static constexpr std::chrono::seconds kTimeToLive{60};

  // `clock` must outlive the store.
  explicit ArmExecSessions(const Clock& clock, std::chrono::seconds ttl = kTimeToLive);

  // Stores a new session for `target` (and forgets the expired ones).
  ArmExecCredentials create(ArmExecTarget target);
  // Removes the session `id` and returns it; nullopt when there is none or it expired.
  std::optional<ArmExecClaim> claim(const std::string& id);
  // The sessions stored (expired ones not yet forgotten included).
  size_t size() const;

 private:
  struct Entry {
    ArmExecClaim claim;
    Clock::MonoTime expires;
  };
  void forgetExpired(Clock::MonoTime now);  // REQUIRES: mu_ held

  const Clock& clock_;
  std::chrono::seconds ttl_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> sessions_;
};

}  // namespace berth::apiserver
