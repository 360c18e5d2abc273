#include "agent/image/image_store_impl.h"

#include <algorithm>

#include "agent/image/layer_unpack.h"
#include "agent/image/store_lock.h"
#include "base/files.h"

namespace berth::image {

namespace fs = std::filesystem;

ImageStorePtr makeImageStore(const fs::path& root, RegistryOptions options, Clock& clock) {
  return std::make_unique<ImageStoreImpl>(root, std::move(options), clock);
}

ImageStoreImpl::ImageStoreImpl(fs::path root, RegistryOptions options, Clock& clock)
    : root_(std::move(root)),
      options_(std::move(options)),
      clock_(clock),
      blobs_(root_ / "blobs" / "sha256") {}

PullStats ImageStoreImpl::stats() const {
  return PullStats{counters_.registryRequests.load(), counters_.blobsFetched.load(),
                   counters_.layersUnpacked.load()};
}

Result<ImageStoreImpl::Match> ImageStoreImpl::find(const std::vector<StoredImage>& records,
                                                   const std::string& refOrId) const {
  if (auto ref = Reference::parse(refOrId)) {
    std::string name = ref->str();
    for (const auto& r : records) {
      if (std::find(r.image.names.begin(), r.image.names.end(), name) != r.image.names.end()) {
        return Match{r, name};
      }
    }
    if (!ref->digest.empty()) {
      for (const auto& r : records) {
        if (r.image.manifestDigest == ref->digest) {
          return Match{r, ""};
        }
      }
    }
  }
  std::string hex = refOrId.starts_with("sha256:") ? refOrId.substr(7) : refOrId;
  bool isHex = !hex.empty() && hex.size() <= 64 &&
               hex.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (isHex) {
    const StoredImage* found = nullptr;
    for (const auto& r : records) {
      if (digestHex(r.image.id).starts_with(hex)) {
        if (found != nullptr) {
          return fail(ErrorCode::kInvalidArgument, "image id prefix '{}' is ambiguous", refOrId);
        }
        found = &r;
      }
    }
    if (found != nullptr) {
      return Match{*found, ""};
    }
  }
  return fail(ErrorCode::kNotFound, "image '{}' not found", refOrId);
}

Result<Image> ImageStoreImpl::get(const std::string& refOrId) {
  BERTH_ASSIGN_OR_RETURN(auto records, loadRecords(imagesDir()));
  BERTH_ASSIGN_OR_RETURN(Match m, find(records, refOrId));
  return m.record.image;
}

Result<std::vector<Image>> ImageStoreImpl::list() {
  BERTH_ASSIGN_OR_RETURN(auto records, loadRecords(imagesDir()));
  std::vector<Image> out;
  for (auto& r : records) {
    out.push_back(std::move(r.image));
  }
  std::sort(out.begin(), out.end(), [](const Image& a, const Image& b) {
    if (a.names.empty() != b.names.empty()) {
      return b.names.empty();
    }
    return a.names.empty() ? a.id < b.id : a.names.front() < b.names.front();
  });
  return out;
}

Status ImageStoreImpl::remove(const std::string& refOrId) {
  BERTH_ASSIGN_OR_RETURN(StoreLock lock, StoreLock::acquire(recordsLock(), true));
  BERTH_ASSIGN_OR_RETURN(auto records, loadRecords(imagesDir()));
  BERTH_ASSIGN_OR_RETURN(Match m, find(records, refOrId));
  auto& names = m.record.image.names;
  if (!m.name.empty()) {
    names.erase(std::remove(names.begin(), names.end(), m.name), names.end());
  }
  if (m.name.empty() || names.empty()) {
    return removeRecord(imagesDir(), m.record.image.id);
  }
  return writeRecord(imagesDir(), m.record);
}

Result<Image> ImageStoreImpl::commitRecord(StoredImage record, const std::string& name) {
  BERTH_ASSIGN_OR_RETURN(StoreLock lock, StoreLock::acquire(recordsLock(), true));
  BERTH_ASSIGN_OR_RETURN(auto records, loadRecords(imagesDir()));
  std::vector<std::string> names;
  for (auto& r : records) {
    auto& n = r.image.names;
    if (r.image.id == record.image.id) {
      names = n;
      record.image.created = r.image.created.empty() ? record.image.created : r.image.created;
      continue;
    }
    // A name points at one image: a tag that moved leaves the old image unnamed (prunable).
    if (!name.empty() && std::find(n.begin(), n.end(), name) != n.end()) {
      n.erase(std::remove(n.begin(), n.end(), name), n.end());
      BERTH_TRY_STATUS(writeRecord(imagesDir(), r));
    }
  }
  if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
    names.push_back(name);
  }
  record.image.names = std::move(names);
  BERTH_TRY_STATUS(writeRecord(imagesDir(), record));
  return record.image;
}

Result<Image> ImageStoreImpl::completeImage(const Manifest& manifest,
                                            const std::string& manifestDigest,
                                            const ParsedConfig& config, const std::string& name,
                                            const BlobFetcher& fetch) {
  if (config.diffIds.size() != manifest.layers.size()) {
    return fail(ErrorCode::kInvalidArgument, "image config lists {} layers but the manifest {}",
                config.diffIds.size(), manifest.layers.size());
  }
  StoredImage record;
  Image& image = record.image;
  for (size_t i = 0; i < manifest.layers.size(); i++) {
    const Descriptor& layer = manifest.layers[i];
    if (!blobs_.has(layer.digest)) {
      if (!fetch) {
        return fail(ErrorCode::kDataLoss, "layer blob '{}' is missing", layer.digest);
      }
      BERTH_ASSIGN_OR_RETURN(fs::path tmp, blobs_.tempPath());
      BERTH_TRY_STATUS(fetch(layer, tmp));
      BERTH_TRY_STATUS(blobs_.commit(tmp, layer.digest));
    }
    auto unpacked = unpackLayerOnce(blobs_.path(layer.digest), layersDir(), digestHex(layer.digest),
                                    config.diffIds[i]);
    if (!unpacked) {
      return fail(std::move(unpacked.error()).wrap(fmt::format("layer '{}'", layer.digest)));
    }
    if (*unpacked) {
      counters_.layersUnpacked++;
    }
    std::error_code ec;
    image.size += layer.size >= 0
                      ? layer.size
                      : static_cast<int64_t>(fs::file_size(blobs_.path(layer.digest), ec));
    image.layerDigests.push_back(layer.digest);
  }
  image.id = manifest.config.digest;
  image.manifestDigest = manifestDigest;
  image.config = config.config;
  image.created = rfc3339(clock_.now());
  record.diffIds = config.diffIds;
  return commitRecord(std::move(record), name);
}

Result<Image> ImageStoreImpl::ensure(const std::string& ref, PullPolicy policy,
                                     const std::optional<Credentials>& credentials) {
  BERTH_ASSIGN_OR_RETURN(Reference r, Reference::parse(ref));
  if (policy != PullPolicy::kAlways) {
    BERTH_ASSIGN_OR_RETURN(auto records, loadRecords(imagesDir()));
    auto m = find(records, r.str());
    if (m && (!m->name.empty() || !r.digest.empty()) &&
        (complete(m->record.image) || policy == PullPolicy::kNever)) {
      return m->record.image;
    }
    if (policy == PullPolicy::kNever) {
      return fail(ErrorCode::kNotFound, "image '{}' is not present with pull policy of Never", ref);
    }
  }
  auto image = pullShared(r, credentials);
  if (!image) {
    return fail(std::move(image.error()).wrap(fmt::format("pull '{}'", ref)));
  }
  return image;
}

bool ImageStoreImpl::complete(const Image& image) const {
  for (const auto& d : image.layerDigests) {
    if (!blobs_.has(d) && !files::exists(layersDir() / std::string(digestHex(d)))) {
      return false;
    }
  }
  return true;
}

Result<Image> ImageStoreImpl::pullShared(const Reference& ref,
                                         const std::optional<Credentials>& credentials) {
  std::string key = ref.str();
  std::shared_ptr<InFlight> flight;
  {
    std::unique_lock lock(mu_);
    auto it = inFlight_.find(key);
    if (it != inFlight_.end()) {
      flight = it->second;
      done_.wait(lock, [&] { return flight->done; });
      return *flight->result;
    }
    flight = std::make_shared<InFlight>();
    inFlight_[key] = flight;
  }
  Result<Image> result = pull(ref, credentials);
  {
    std::lock_guard lock(mu_);
    flight->result = result;
    flight->done = true;
    inFlight_.erase(key);
  }
  done_.notify_all();
  return result;
}

Result<std::vector<fs::path>> ImageStoreImpl::layerDirs(const Image& image) {
  std::vector<fs::path> out;
  std::optional<StoredImage> record;
  for (auto it = image.layerDigests.rbegin(); it != image.layerDigests.rend(); ++it) {
    fs::path dir = layersDir() / std::string(digestHex(*it));
    if (!files::exists(dir)) {
      // Unpacked layers can be deleted by hand to reclaim space; the blob brings them back.
      BERTH_ASSIGN_OR_RETURN(StoreLock gc, StoreLock::acquire(gcLock(), false));
      if (!blobs_.has(*it)) {
        return fail(ErrorCode::kNotFound, "layer '{}' of image '{}' is missing; pull it again", *it,
                    image.id);
      }
      if (!record) {
        auto text = files::read(recordPath(imagesDir(), image.id));
        auto decoded = text ? decodeRecord(*text) : Result<StoredImage>(fail(text.error()));
        record = decoded ? *decoded : StoredImage{};
      }
      size_t index = static_cast<size_t>(image.layerDigests.rend() - it - 1);
      std::string diffId = index < record->diffIds.size() ? record->diffIds[index] : "";
      BERTH_TRY_STATUS(unpackLayerOnce(blobs_.path(*it), layersDir(), digestHex(*it), diffId));
    }
    out.push_back(std::move(dir));
  }
  return out;
}

}  // namespace berth::image
