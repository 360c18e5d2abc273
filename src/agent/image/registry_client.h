#pragma once

// A client of one registry speaking the OCI distribution API (GET manifests and blobs), with
// anonymous, basic and bearer-token auth. Not thread-safe: one client per pull; it reuses one
// connection for all its requests and caches the token it obtained.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "agent/image/http_client.h"
#include "agent/image/image_store.h"
#include "agent/image/manifest.h"
#include "base/error.h"

namespace berth::image {

// Counts of what pulls did, for tests and metrics; shared by every client of a store.
struct PullCounters {
  std::atomic<uint64_t> registryRequests{0};
  std::atomic<uint64_t> blobsFetched{0};
  std::atomic<uint64_t> layersUnpacked{0};
};

struct ManifestResponse {
  std::string body;
  std::string contentType;
  std::string digestHeader;  // Docker-Content-Digest, may be empty
};

class RegistryClient {
 public:
  struct Options {
    std::string registry;   // "host:port" as in a reference; "docker.io" means Docker Hub
    bool insecure = false;  // plain HTTP (falling back to HTTPS without verification)
    std::string caFile;
    std::optional<Credentials> credentials;
    PullCounters* counters = nullptr;  // may be null
  };

  explicit RegistryClient(Options options);

  // GETs the manifest `reference` (a tag or a digest) of `repository`, accepting OCI and Docker
  // manifests and indexes. Errors: kNotFound (404), kUnauthenticated (401 after auth),
  // kPermissionDenied (403), kUnavailable (transport, 5xx). The body is NOT verified here.
  Result<ManifestResponse> getManifest(const std::string& repository, const std::string& reference);

  // Streams blob `blob` of `repository` into `path` (created or truncated), checking its size
  // and sha256 as it arrives. kDataLoss on a mismatch; `path` is removed on any failure.
  Status fetchBlob(const std::string& repository, const Descriptor& blob,
                   const std::filesystem::path& path);

 private:
  Result<HttpResponse> request(const std::string& repository, const std::string& path,
                               HttpRequest request);
  Status authenticate(const std::string& repository, const HttpResponse& unauthorized);
  std::string baseUrl() const;

  Options options_;
  HttpClient http_;
  bool httpsFallback_ = false;  // an insecure registry turned out to speak HTTPS
  std::string authorization_;   // "Bearer …" or "Basic …" once a challenge was answered
};

// Turns a registry's error answer into an Error: "404 MANIFEST_UNKNOWN: manifest unknown".
Error registryError(const HttpResponse& response);

}  // namespace berth::image
