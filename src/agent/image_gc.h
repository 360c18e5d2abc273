#pragma once

// Image garbage collection, as the kubelet does it: images no pod uses are removed when the
// disk holding the image store is fuller than a high threshold; dangling content (images with
// no name, layers no image references) goes at every pass.

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "agent/image/image_store.h"

namespace berth::agent {

struct ImageGcOptions {
  std::chrono::milliseconds period{5 * 60 * 1000};
  int highThresholdPercent = 85;  // 0: remove every unused image at each pass
};

class ImageGc {
 public:
  using InUse = std::function<std::set<std::string>()>;

  ImageGc(ImageGcOptions options, image::ImageStore& images, std::filesystem::path disk,
          InUse inUse);
  ~ImageGc();

  void start();
  void stop();

  // One pass; returns the ids removed.
  std::vector<std::string> collect();

 private:
  ImageGcOptions options_;
  image::ImageStore& images_;
  std::filesystem::path disk_;
  InUse inUse_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

}  // namespace berth::agent
