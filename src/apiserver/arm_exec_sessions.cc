#include "apiserver/arm_exec_sessions.h"

#include "base/random.h"

namespace berth::apiserver {

bool ArmExecClaim::accepts(std::string_view given) const {
  // No early exit on the first difference: the time taken says nothing about the password.
  unsigned char diff = given.size() == password.size() ? 0 : 1;
  for (size_t i = 0; i < password.size(); ++i) {
    char g = i < given.size() ? given[i] : '\0';
    diff |= static_cast<unsigned char>(g ^ password[i]);
  }
  return diff == 0;
}

ArmExecSessions::ArmExecSessions(const Clock& clock, std::chrono::seconds ttl)
    : clock_(clock), ttl_(ttl) {}

ArmExecCredentials ArmExecSessions::create(ArmExecTarget target) {
  ArmExecCredentials credentials{randomHex(16), randomHex(16)};
  Clock::MonoTime now = clock_.monotonic();
  std::lock_guard lock(mu_);
  forgetExpired(now);
  sessions_[credentials.id] =
      Entry{ArmExecClaim{std::move(target), credentials.password}, now + ttl_};
  return credentials;
}

std::optional<ArmExecClaim> ArmExecSessions::claim(const std::string& id) {
  Clock::MonoTime now = clock_.monotonic();
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    return std::nullopt;
  }
  Entry entry = std::move(it->second);
  sessions_.erase(it);
  if (now >= entry.expires) {
    return std::nullopt;
  }
  return std::move(entry.claim);
}

size_t ArmExecSessions::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void ArmExecSessions::forgetExpired(Clock::MonoTime now) {
  std::erase_if(sessions_, [now](const auto& kv) { return now >= kv.second.expires; });
}

}  // namespace berth::apiserver
