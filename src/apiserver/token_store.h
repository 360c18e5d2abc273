#pragma once

// Bearer tokens of the API server, kept in a JSON file under the data dir
// ([{"token":..., "user":..., "groups":[...]}], mode 0600) so that `berth token` can add node
// tokens while the server runs: the file is re-read when it changes (checked at most once a
// second). Tokens are secrets: never logged.

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "base/error.h"
#include "http/auth.h"

namespace berth::apiserver {

class TokenStore final : public http::Authenticator {
 public:
  explicit TokenStore(std::filesystem::path file) : file_(std::move(file)) {}

  // The token of `user`, creating one (with `groups`) when the file has none, and setting its
  // groups to `groups` when they differ. Durable.
  Result<std::string> ensureToken(const std::string& user, const std::vector<std::string>& groups);

  std::optional<http::Identity> authenticate(std::string_view token) const override;

 private:
  struct Entry {
    std::string token;
    http::Identity identity;
  };
  Result<std::vector<Entry>> load() const;
  void reloadIfChanged() const;

  std::filesystem::path file_;
  mutable std::mutex mu_;
  mutable std::vector<Entry> entries_;
  mutable std::filesystem::file_time_type loadedMtime_{};
  mutable std::chrono::steady_clock::time_point checked_{};
};

// The node token's user name: "system:node:<node>".
std::string nodeUser(const std::string& node);

}  // namespace berth::apiserver
