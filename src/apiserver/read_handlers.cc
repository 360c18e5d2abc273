// get, list and watch.

#include <fmt/format.h>

#include <boost/asio/post.hpp>
#include <charconv>

#include "api/selector.h"
#include "apiserver/instance_pool_view.h"
#include "apiserver/resource_handlers.h"
#include "apiserver/table.h"
#include "http/event.h"

namespace berth::apiserver {

using nlohmann::json;
namespace asio = boost::asio;

namespace {

constexpr auto kBookmarkInterval = std::chrono::seconds(60);
constexpr int64_t kDefaultWatchTimeoutSeconds = 1800;

ApiResult<int64_t> parseRevision(const std::optional<std::string>& value) {
  if (!value || value->empty()) {
    return 0;
  }
  int64_t rv = 0;
  auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), rv);
  if (ec != std::errc() || ptr != value->data() + value->size() || rv < 0) {
    return std::unexpected(badRequest(fmt::format("invalid resource version \"{}\"", *value)));
  }
  return rv;
}

std::string toHex(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    out += fmt::format("{:02x}", c);
  }
  return out;
}

std::optional<std::string> fromHex(std::string_view s) {
  if (s.size() % 2 != 0) {
    return std::nullopt;
  }
  std::string out;
  for (size_t i = 0; i < s.size(); i += 2) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(s.data() + i, s.data() + i + 2, value, 16);
    if (ec != std::errc() || ptr != s.data() + i + 2) {
      return std::nullopt;
    }
    out += static_cast<char>(value);
  }
  return out;
}

const char* eventTypeName(CacheEvent::Type type) {
  switch (type) {
    case CacheEvent::Type::kAdded:
      return "ADDED";
    case CacheEvent::Type::kModified:
      return "MODIFIED";
    case CacheEvent::Type::kDeleted:
      return "DELETED";
  }
  return "MODIFIED";
}

}  // namespace

asio::awaitable<void> ResourceHandlers::get(http::Context& ctx, const RequestInfo& info,
                                            const ResourceType& type) {
  auto found = objects_.get(type, info.namespace_, info.name);
  if (!found) {
    co_await respondFailure(ctx, notFound(type, info.name));
    co_return;
  }
  co_await respondObject(ctx, type, 200, *found->object);
}

asio::awaitable<void> ResourceHandlers::list(http::Context& ctx, const RequestInfo& info,
                                             const ResourceType& type) {
  const auto& request = ctx.request();
  auto filter = listFilter(request, type);
  if (!filter) {
    co_await respondFailure(ctx, filter.error());
    co_return;
  }
  auto limit = request.query.integer("limit");
  if (!limit) {
    co_await respondFailure(ctx, badRequest(limit.error().message()));
    co_return;
  }
  std::string startAfter;
  if (auto token = request.query.get("continue"); token && !token->empty()) {
    auto key = fromHex(*token);
    if (!key) {
      co_await respondFailure(ctx, badRequest("continue key is not valid"));
      co_return;
    }
    startAfter = *key;
  }
  auto snapshot = objects_.list(type, info.namespace_);
  // People's views (Table) leave the container-instance nodes and pods out.
  const bool table = wantsTable(request);
  const InstancePoolView view(type, info.namespace_, filter->labels);
  std::vector<json> items;
  std::string continueKey;
  int64_t remaining = 0;
  std::string lastKey;
  for (const auto& item : snapshot.items) {
    const json& object = *item.object;
    std::string key = ObjectStore::key(type, object["metadata"].value("namespace", ""),
                                       object["metadata"].value("name", ""));
    if (!startAfter.empty() && key <= startAfter) {
      continue;
    }
    if (!filter->matches(type, object) || (table && view.hides(object))) {
      continue;
    }
    if (limit->has_value() && **limit > 0 && static_cast<int64_t>(items.size()) >= **limit) {
      continueKey = lastKey;
      ++remaining;
      continue;
    }
    items.push_back(object);
    lastKey = key;
  }
  std::string rv = std::to_string(snapshot.revision);
  if (table) {
    bool full = request.query.get("includeObject").value_or("") == "Object";
    json table = toTable(type, items, rv, full);
    if (!continueKey.empty()) {
      table["metadata"]["continue"] = toHex(continueKey);
      table["metadata"]["remainingItemCount"] = remaining;
    }
    co_await ctx.respond(200, "application/json", table.dump());
    co_return;
  }
  json result = {{"kind", type.kind + "List"},
                 {"apiVersion", type.apiVersion()},
                 {"metadata", {{"resourceVersion", rv}}},
                 {"items", std::move(items)}};
  if (!continueKey.empty()) {
    result["metadata"]["continue"] = toHex(continueKey);
    result["metadata"]["remainingItemCount"] = remaining;
  }
  co_await ctx.respond(200, "application/json", result.dump());
}

asio::awaitable<void> ResourceHandlers::watch(http::Context& ctx, const RequestInfo& info,
                                              const ResourceType& type) {
  const auto& request = ctx.request();
  auto filter = listFilter(request, type);
  if (!filter) {
    co_await respondFailure(ctx, filter.error());
    co_return;
  }
  auto fromRevision = parseRevision(request.query.get("resourceVersion"));
  if (!fromRevision) {
    co_await respondFailure(ctx, fromRevision.error());
    co_return;
  }
  auto bookmarks = request.query.flag("allowWatchBookmarks");
  auto timeout = request.query.integer("timeoutSeconds");
  if (!bookmarks || !timeout) {
    auto& error = !bookmarks ? bookmarks.error() : timeout.error();
    co_await respondFailure(ctx, badRequest(error.message()));
    co_return;
  }
  const bool table = wantsTable(request);
  const InstancePoolView view(type, info.namespace_, filter->labels);
  auto wake = std::make_shared<http::Event>(ctx.executor());
  auto executor = ctx.executor();
  auto watcher =
      objects_.cache().watch(ObjectStore::collectionPrefix(type, info.namespace_), *fromRevision,
                             [wake, executor] { asio::post(executor, [wake] { wake->set(); }); });
  if (!(co_await ctx.beginStream(200, "application/json"))) {
    if (watcher) {
      objects_.cache().unwatch(*watcher);
    }
    co_return;
  }
  if (!watcher) {
    auto failure = statusFailure(410, "Expired", watcher.error().message());
    json event = {{"type", "ERROR"}, {"object", failure.status}};
    (void)co_await ctx.write(event.dump() + "\n");
    co_await ctx.end();
    co_return;
  }
  ctx.onDisconnect([wake] { wake->set(); });
  // However the loop ends (a hook may throw), the cache stops queueing for this watch.
  struct Unwatch {
    WatchCache& cache;
    CacheWatcherPtr watcher;
    ~Unwatch() { cache.unwatch(watcher); }
  } unwatch{objects_.cache(), *watcher};

  auto encode = [&](const char* eventType, const json& object) {
    json event = {{"type", eventType}};
    if (table) {
      event["object"] =
          toTable(type, {object}, object["metadata"].value("resourceVersion", ""), false);
    } else {
      event["object"] = object;
    }
    return event.dump() + "\n";
  };

  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::seconds(timeout->value_or(kDefaultWatchTimeoutSeconds));
  auto nextBookmark = std::chrono::steady_clock::now() + kBookmarkInterval;
  bool open = true;
  while (open && !ctx.disconnected()) {
    std::string out;
    // Reset before take(), never after: the watcher notifies only when it pushes onto an empty
    // queue, so a reset after take() could swallow the wake-up of an event pushed meanwhile
    // and leave it queued until the next bookmark or the deadline.
    wake->reset();
    for (auto& change : (*watcher)->take()) {
      // The cache holds the storage version; the watch speaks the requested one.
      change.object = ObjectStore::present(type, change.object);
      change.prev = ObjectStore::present(type, change.prev);
      bool now = filter->matches(type, *change.object);
      bool before = change.prev && filter->matches(type, *change.prev);
      const char* kind = nullptr;
      if (change.type == CacheEvent::Type::kDeleted) {
        kind = before ? "DELETED" : nullptr;
      } else if (now && before) {
        kind = "MODIFIED";
      } else if (now) {
        kind = "ADDED";
      } else if (before) {
        kind = "DELETED";
      }
      if (change.type == CacheEvent::Type::kAdded && now) {
        kind = eventTypeName(change.type);
      }
      if (kind != nullptr && !(table && view.hides(*change.object))) {
        out += encode(kind, *change.object);
      }
    }
    if ((*watcher)->overflowed()) {
      open = false;
    }
    auto clock = std::chrono::steady_clock::now();
    const bool bookmarkDue = clock >= nextBookmark;
    if (bookmarkDue) {
      nextBookmark = clock + kBookmarkInterval;
    }
    if (out.empty() && *bookmarks && bookmarkDue) {
      if (auto rv = objects_.cache().bookmarkRevision(*watcher)) {
        json bookmark = {{"type", "BOOKMARK"},
                         {"object",
                          {{"kind", type.kind},
                           {"apiVersion", type.apiVersion()},
                           {"metadata", {{"resourceVersion", std::to_string(*rv)}}}}}};
        out = bookmark.dump() + "\n";
      }
    }
    if (!out.empty() && !(co_await ctx.write(std::move(out)))) {
      break;
    }
    if (clock >= deadline) {
      break;
    }
    auto wait = (*bookmarks ? std::min(deadline, nextBookmark) : deadline) - clock;
    if ((*watcher)->overflowed()) {
      break;
    }
    co_await wake->waitFor(std::chrono::duration_cast<std::chrono::milliseconds>(wait) +
                           std::chrono::milliseconds(1));
  }
  if (!ctx.disconnected()) {
    co_await ctx.end();
  }
}

}  // namespace berth::apiserver
