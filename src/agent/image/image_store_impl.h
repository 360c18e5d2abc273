#pragma once

// The ImageStore implementation (see image_store.h for the on-disk layout and contracts).
// Split by role: image_store_impl.cc (lookup, records, ensure), image_pull.cc (registry pulls),
// image_import.cc (OCI archives), image_prune.cc (garbage collection).

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "agent/image/blob_store.h"
#include "agent/image/image_record.h"
#include "agent/image/image_store.h"
#include "agent/image/manifest.h"
#include "agent/image/registry_client.h"

namespace berth::image {

class ImageStoreImpl final : public ImageStore {
 public:
  ImageStoreImpl(std::filesystem::path root, RegistryOptions options, Clock& clock);

  Result<Image> ensure(const std::string& ref, PullPolicy policy,
                       const std::optional<Credentials>& credentials) override;
  Result<Image> get(const std::string& refOrId) override;
  Result<std::vector<Image>> list() override;
  Status remove(const std::string& refOrId) override;
  Result<std::vector<Image>> importArchive(const std::filesystem::path& archive) override;
  Result<std::vector<std::string>> prune(const std::set<std::string>& inUse, bool all) override;
  Result<std::vector<std::filesystem::path>> layerDirs(const Image& image) override;
  PullStats stats() const override;

 private:
  // Downloads a blob to a temporary path (null when every blob must already be present).
  using BlobFetcher = std::function<Status(const Descriptor&, const std::filesystem::path&)>;

  struct InFlight {
    bool done = false;
    std::optional<Result<Image>> result;
  };

  // One pull per reference at a time: later callers wait for the running one's result.
  Result<Image> pullShared(const Reference& ref, const std::optional<Credentials>& credentials);
  Result<Image> pull(const Reference& ref, const std::optional<Credentials>& credentials);
  // Fetches missing layer blobs, unpacks layers, and records the image under `name`.
  Result<Image> completeImage(const Manifest& manifest, const std::string& manifestDigest,
                              const ParsedConfig& config, const std::string& name,
                              const BlobFetcher& fetch);
  // Writes the record of `record.image` with `name` added, taking `name` from any other image.
  Result<Image> commitRecord(StoredImage record, const std::string& name);

  // True if every layer of `image` is unpacked or can be (its blob is stored): a record whose
  // content was deleted by hand is pulled again rather than handed out.
  bool complete(const Image& image) const;

  // How `refOrId` matched: by a name (then `name` is set) or by id.
  struct Match {
    StoredImage record;
    std::string name;
  };
  Result<Match> find(const std::vector<StoredImage>& records, const std::string& refOrId) const;

  std::filesystem::path imagesDir() const { return root_ / "images"; }
  std::filesystem::path layersDir() const { return root_ / "layers"; }
  std::filesystem::path gcLock() const { return root_ / "gc.lock"; }
  std::filesystem::path recordsLock() const { return root_ / "records.lock"; }

  std::filesystem::path root_;
  RegistryOptions options_;
  Clock& clock_;
  BlobStore blobs_;
  PullCounters counters_;

  std::mutex mu_;
  std::condition_variable done_;
  std::map<std::string, std::shared_ptr<InFlight>> inFlight_;  // by canonical reference
};

}  // namespace berth::image
