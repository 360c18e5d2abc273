// ImageStoreImpl::prune: garbage collection of images, blobs and unpacked layers.

#include <set>

#include "agent/image/image_store_impl.h"
#include "agent/image/store_lock.h"
#include "base/files.h"

namespace berth::image {

namespace fs = std::filesystem;

Result<std::vector<std::string>> ImageStoreImpl::prune(const std::set<std::string>& inUse,
                                                       bool all) {
  // Exclusive: no pull or import is between storing a blob and recording its image.
  BERTH_ASSIGN_OR_RETURN(StoreLock gc, StoreLock::acquire(gcLock(), true));
  BERTH_ASSIGN_OR_RETURN(StoreLock records, StoreLock::acquire(recordsLock(), true));
  BERTH_ASSIGN_OR_RETURN(auto images, loadRecords(imagesDir()));

  std::vector<std::string> removed;
  std::set<std::string> keepBlobs;
  for (const auto& r : images) {
    const Image& i = r.image;
    if (inUse.count(i.id) == 0 && (i.names.empty() || all)) {
      BERTH_TRY_STATUS(removeRecord(imagesDir(), i.id));
      removed.push_back(i.id);
      continue;
    }
    keepBlobs.insert(i.id);
    keepBlobs.insert(i.manifestDigest);
    keepBlobs.insert(i.layerDigests.begin(), i.layerDigests.end());
  }

  // Blobs: everything unreferenced, and temporaries of crashed pulls (none is running now).
  BERTH_ASSIGN_OR_RETURN(auto blobNames, files::listDir(blobs_.dir()));
  for (const auto& n : blobNames) {
    if (n.starts_with(".tmp-") || keepBlobs.count("sha256:" + n) == 0) {
      BERTH_TRY_STATUS(files::removeAll(blobs_.dir() / n));
    }
  }
  BERTH_ASSIGN_OR_RETURN(auto layerNames, files::listDir(layersDir()));
  for (const auto& n : layerNames) {
    if (n.starts_with(".tmp-") || keepBlobs.count("sha256:" + n) == 0) {
      BERTH_TRY_STATUS(files::removeAll(layersDir() / n));
    }
  }
  return removed;
}

}  // namespace berth::image
