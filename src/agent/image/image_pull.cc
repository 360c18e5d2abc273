// ImageStoreImpl::pull: one image from a registry into the store.

#include "agent/image/image_store_impl.h"
#include "agent/image/store_lock.h"
#include "base/files.h"
#include "base/sha256.h"

namespace berth::image {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kOs = "linux";
constexpr std::string_view kArchitecture = "amd64";

// The digest of a manifest body, checked against the digest it was asked for (if any) and the
// digest the registry claims (Docker-Content-Digest).
Result<std::string> verifyManifest(const ManifestResponse& resp, const std::string& expected) {
  std::string got = Sha256::digestOf(resp.body);
  if (!expected.empty() && got != expected) {
    return fail(ErrorCode::kDataLoss, "manifest digest mismatch: got '{}', expected '{}'", got,
                expected);
  }
  if (resp.digestHeader.starts_with("sha256:") && resp.digestHeader != got) {
    return fail(ErrorCode::kDataLoss, "manifest digest mismatch: got '{}', registry says '{}'", got,
                resp.digestHeader);
  }
  return got;
}

}  // namespace

Result<Image> ImageStoreImpl::pull(const Reference& ref,
                                   const std::optional<Credentials>& credentials) {
  // Shared: a prune (exclusive) must not delete blobs this pull stored but not yet recorded.
  BERTH_ASSIGN_OR_RETURN(StoreLock gc, StoreLock::acquire(gcLock(), false));

  RegistryClient::Options copts;
  copts.registry = ref.registry;
  copts.insecure = options_.insecureRegistries.count(ref.registry) != 0;
  copts.caFile = options_.caFile;
  copts.credentials = credentials;
  if (!copts.credentials) {
    if (auto it = options_.credentials.find(ref.registry); it != options_.credentials.end()) {
      copts.credentials = it->second;
    }
  }
  copts.counters = &counters_;
  RegistryClient client(std::move(copts));

  std::string reference = ref.digest.empty() ? ref.tag : ref.digest;
  BERTH_ASSIGN_OR_RETURN(ManifestResponse resp, client.getManifest(ref.repository, reference));
  BERTH_ASSIGN_OR_RETURN(std::string digest, verifyManifest(resp, ref.digest));
  BERTH_ASSIGN_OR_RETURN(std::string type, manifestMediaType(resp.body, resp.contentType));
  if (isIndexType(type)) {
    BERTH_ASSIGN_OR_RETURN(Index index, parseIndex(resp.body));
    BERTH_ASSIGN_OR_RETURN(Descriptor chosen, selectPlatform(index, kOs, kArchitecture));
    BERTH_ASSIGN_OR_RETURN(resp, client.getManifest(ref.repository, chosen.digest));
    BERTH_ASSIGN_OR_RETURN(digest, verifyManifest(resp, chosen.digest));
    BERTH_ASSIGN_OR_RETURN(type, manifestMediaType(resp.body, resp.contentType));
    if (isIndexType(type)) {
      return fail(ErrorCode::kInvalidArgument, "index entry '{}' is an index itself",
                  chosen.digest);
    }
  }
  BERTH_ASSIGN_OR_RETURN(Manifest manifest, parseManifest(resp.body));
  BERTH_TRY_STATUS(blobs_.put(digest, resp.body));

  auto fetch = [&](const Descriptor& d, const fs::path& tmp) {
    return client.fetchBlob(ref.repository, d, tmp);
  };
  if (!blobs_.has(manifest.config.digest)) {
    BERTH_ASSIGN_OR_RETURN(fs::path tmp, blobs_.tempPath());
    BERTH_TRY_STATUS(fetch(manifest.config, tmp));
    BERTH_TRY_STATUS(blobs_.commit(tmp, manifest.config.digest));
  }
  BERTH_ASSIGN_OR_RETURN(std::string configText, blobs_.read(manifest.config.digest));
  BERTH_ASSIGN_OR_RETURN(ParsedConfig config, parseConfig(configText));
  return completeImage(manifest, digest, config, ref.str(), fetch);
}

}  // namespace berth::image
