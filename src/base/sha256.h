#pragma once

// Incremental SHA-256 (OpenSSL EVP) for content digests ("sha256:<64 hex>").

#include <memory>
#include <string>
#include <string_view>

namespace berth {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view data);
  void update(const void* data, size_t size);
  // Lowercase hex of the digest. The hasher must not be used afterwards.
  std::string hexDigest();

  // "sha256:" + hex of `data`.
  static std::string digestOf(std::string_view data);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth
