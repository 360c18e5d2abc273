#include "client/informer.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "client/transport.h"

namespace berth::client {

namespace {

using internal::stringAt;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kInitialBackoff{200};
constexpr std::chrono::milliseconds kMaxBackoff{5000};
constexpr int64_t kPageSize = 500;

std::string resourceVersionOf(const json& object) {
  return object.is_object() ? stringAt(object.value("metadata", json::object()), "resourceVersion")
                            : "";
}

// Like client-go: watches last 5-10 minutes so that load spreads and dead peers are noticed.
int64_t watchTimeoutSeconds() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_int_distribution<int64_t>(300, 600)(rng);
}

}  // namespace

struct Informer::Impl {
  ApiClient& client;
  Resource resource;
  ListOptions options;
  std::vector<InformerHandler> handlers;

  mutable std::mutex mu;  // guards everything below
  mutable std::condition_variable cv;
  std::map<std::string, json> cache;
  bool synced = false;
  bool started = false;
  bool stopping = false;
  // What the current watch handed over: events, then its end.
  std::deque<WatchEvent> events;
  std::optional<Status> watchEnd;
  std::thread thread;
  std::mutex joinMu;                 // two stop() calls must not both join
  std::atomic<bool> cancel = false;  // set with `stopping`: abandons a list in flight

  // Only on the informer thread:
  std::string lastResourceVersion;
  std::chrono::milliseconds backoff = kInitialBackoff;

  Impl(ApiClient& c, Resource r, ListOptions o)
      : client(c), resource(std::move(r)), options(std::move(o)) {}

  void run();
  Status relist();
  // Watches until the stream ends; returns how it ended.
  Status watchOnce(bool& sawEvent);
  void apply(const WatchEvent& event);
  // Sleeps for the back-off (doubling it); false when stopping.
  bool sleepBackoff();
  bool isStopping() {
    std::lock_guard lock(mu);
    return stopping;
  }

  void notifyAdd(const json& object) {
    for (const auto& h : handlers) {
      if (h.onAdd) {
        h.onAdd(object);
      }
    }
  }
  void notifyUpdate(const json& oldObject, const json& newObject) {
    for (const auto& h : handlers) {
      if (h.onUpdate) {
        h.onUpdate(oldObject, newObject);
      }
    }
  }
  void notifyDelete(const json& object) {
    for (const auto& h : handlers) {
      if (h.onDelete) {
        h.onDelete(object);
      }
    }
  }
};

void Informer::Impl::run() {
  bool needList = true;
  while (!isStopping()) {
    if (needList) {
      if (auto listed = relist(); !listed) {
        spdlog::warn("informer '{}': list: {}", resource.path(), listed.error().message());
        if (!sleepBackoff()) {
          return;
        }
        continue;
      }
      needList = false;
      backoff = kInitialBackoff;
    }
    auto started = Clock::now();
    bool sawEvent = false;
    Status end = watchOnce(sawEvent);
    if (isStopping()) {
      return;
    }
    if (sawEvent) {
      backoff = kInitialBackoff;
    }
    if (!end && end.error().code() == ErrorCode::kGone) {
      spdlog::info("informer '{}': resource version '{}' is gone, relisting", resource.path(),
                   lastResourceVersion);
      needList = true;
      continue;
    }
    if (!end) {
      spdlog::warn("informer '{}': watch: {}", resource.path(), end.error().message());
    }
    // A watch that ended normally after a while (timeoutSeconds) is simply renewed; one that
    // failed, or ended at once without news, waits first so a sick server is not hammered.
    if ((!end || (!sawEvent && Clock::now() - started < std::chrono::seconds(1))) &&
        !sleepBackoff()) {
      return;
    }
  }
}

Status Informer::Impl::relist() {
  ListOptions listOptions;
  listOptions.labelSelector = options.labelSelector;
  listOptions.fieldSelector = options.fieldSelector;
  listOptions.limit = kPageSize;
  std::vector<json> items;
  std::string resourceVersion;
  for (;;) {
    // Not client.list(): a list of a big collection must not hold up stop().
    BERTH_ASSIGN_OR_RETURN(
        json page, internal::sendJson(client.config(), "GET",
                                      resource.path() + internal::listQuery(listOptions, false), "",
                                      "application/json", &cancel));
    if (isStopping()) {
      return ok();
    }
    if (auto it = page.find("items"); it != page.end() && it->is_array()) {
      for (auto& item : *it) {
        items.push_back(std::move(item));
      }
    }
    json metadata = page.value("metadata", json::object());
    resourceVersion = stringAt(metadata, "resourceVersion");
    listOptions.continueToken = stringAt(metadata, "continue");
    if (listOptions.continueToken.empty()) {
      break;
    }
  }
  if (isStopping()) {
    return ok();
  }

  // Diff against the cache: what is new was added, what changed was updated, what is gone
  // was deleted while we were not watching.
  std::map<std::string, json> fresh;
  for (auto& item : items) {
    std::string key = keyOf(item);
    fresh[key] = std::move(item);
  }
  std::map<std::string, json> old;
  {
    std::lock_guard lock(mu);
    old.swap(cache);
    cache = fresh;
  }
  lastResourceVersion = resourceVersion;
  for (const auto& [key, object] : fresh) {
    auto it = old.find(key);
    if (it == old.end()) {
      notifyAdd(object);
    } else if (it->second != object) {
      notifyUpdate(it->second, object);
    }
  }
  for (const auto& [key, object] : old) {
    if (!fresh.contains(key)) {
      notifyDelete(object);
    }
  }
  {
    std::lock_guard lock(mu);
    synced = true;
  }
  cv.notify_all();
  return ok();
}

Status Informer::Impl::watchOnce(bool& sawEvent) {
  ListOptions watchOptions;
  watchOptions.labelSelector = options.labelSelector;
  watchOptions.fieldSelector = options.fieldSelector;
  watchOptions.resourceVersion = lastResourceVersion;
  watchOptions.allowWatchBookmarks = true;
  watchOptions.timeoutSeconds = watchTimeoutSeconds();
  {
    std::lock_guard lock(mu);
    events.clear();
    watchEnd.reset();
  }
  auto stream = client.watch(
      resource, watchOptions,
      [this](const WatchEvent& event) {
        std::lock_guard lock(mu);
        events.push_back(event);
        cv.notify_all();
      },
      [this](const Status& end) {
        std::lock_guard lock(mu);
        watchEnd = end;
        cv.notify_all();
      });
  if (!stream) {
    return fail(stream.error());
  }
  for (;;) {
    std::deque<WatchEvent> batch;
    std::optional<Status> end;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [this] { return stopping || !events.empty() || watchEnd.has_value(); });
      if (stopping) {
        break;
      }
      batch.swap(events);
      end = watchEnd;  // the end comes after every event: take it once the batch is done
    }
    for (const auto& event : batch) {
      if (isStopping()) {
        break;
      }
      if (event.type != "BOOKMARK" && event.type != "ERROR") {
        sawEvent = true;
      }
      apply(event);
    }
    if (end) {
      (*stream)->stop();
      return *end;
    }
  }
  (*stream)->stop();  // joins the stream's thread: no callback runs after this
  return ok();
}

void Informer::Impl::apply(const WatchEvent& event) {
  if (event.type == "ERROR") {
    return;  // the stream ends with it; run() decides
  }
  if (std::string rv = resourceVersionOf(event.object); !rv.empty()) {
    lastResourceVersion = rv;
  }
  if (event.type == "BOOKMARK") {
    return;
  }
  std::string key = keyOf(event.object);
  std::optional<json> old;
  {
    std::lock_guard lock(mu);
    auto it = cache.find(key);
    if (it != cache.end()) {
      old = std::move(it->second);
    }
    if (event.type == "DELETED") {
      if (it != cache.end()) {
        cache.erase(it);
      }
    } else {
      cache[key] = event.object;
    }
  }
  if (event.type == "DELETED") {
    if (old) {
      notifyDelete(event.object);
    }
  } else if (old) {
    notifyUpdate(*old, event.object);
  } else {
    notifyAdd(event.object);
  }
}

bool Informer::Impl::sleepBackoff() {
  std::unique_lock lock(mu);
  bool stop = cv.wait_for(lock, backoff, [this] { return stopping; });
  backoff = std::min(backoff * 2, kMaxBackoff);
  return !stop;
}

Informer::Informer(ApiClient& client, Resource resource, ListOptions options)
    : impl_(std::make_unique<Impl>(client, std::move(resource), std::move(options))) {}

Informer::~Informer() {
  stop();
}

void Informer::addHandler(InformerHandler handler) {
  impl_->handlers.push_back(std::move(handler));
}

void Informer::start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->started || impl_->stopping) {
    return;
  }
  impl_->started = true;
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

void Informer::stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
    impl_->cancel = true;
  }
  impl_->cv.notify_all();
  std::lock_guard lock(impl_->joinMu);
  if (impl_->thread.joinable() && impl_->thread.get_id() != std::this_thread::get_id()) {
    impl_->thread.join();
  }
}

bool Informer::hasSynced() const {
  std::lock_guard lock(impl_->mu);
  return impl_->synced;
}

bool Informer::waitForSync(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [this] { return impl_->synced; });
}

std::vector<json> Informer::list() const {
  std::lock_guard lock(impl_->mu);
  std::vector<json> out;
  out.reserve(impl_->cache.size());
  for (const auto& [key, object] : impl_->cache) {
    out.push_back(object);
  }
  return out;
}

std::optional<json> Informer::get(const std::string& key) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->cache.find(key);
  if (it == impl_->cache.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::string Informer::keyOf(const json& object) {
  json metadata = object.is_object() ? object.value("metadata", json::object()) : json::object();
  std::string ns = stringAt(metadata, "namespace");
  std::string name = stringAt(metadata, "name");
  return ns.empty() ? name : ns + "/" + name;
}

}  // namespace berth::client
