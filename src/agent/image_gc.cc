#include "agent/image_gc.h"

#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

namespace berth::agent {

ImageGc::ImageGc(ImageGcOptions options, image::ImageStore& images, std::filesystem::path disk,
                 InUse inUse)
    : options_(options), images_(images), disk_(std::move(disk)), inUse_(std::move(inUse)) {}

ImageGc::~ImageGc() {
  stop();
}

void ImageGc::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, options_.period, [this] { return stopping_; })) {
      lock.unlock();
      collect();
      lock.lock();
    }
  });
}

void ImageGc::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

std::vector<std::string> ImageGc::collect() {
  bool full = options_.highThresholdPercent <= 0;
  struct statvfs vfs {};
  if (!full && ::statvfs(disk_.c_str(), &vfs) == 0 && vfs.f_blocks > 0) {
    double used = 100.0 * static_cast<double>(vfs.f_blocks - vfs.f_bavail) /
                  static_cast<double>(vfs.f_blocks);
    full = used >= options_.highThresholdPercent;
  }
  auto removed = images_.prune(inUse_(), full);
  if (!removed) {
    spdlog::warn("image garbage collection: {}", removed.error().message());
    return {};
  }
  for (const auto& id : *removed) {
    spdlog::info("image garbage collection removed '{}'", id);
  }
  return *removed;
}

}  // namespace berth::agent
