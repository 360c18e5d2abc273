#include "store/storage_url.h"

#include "store/sqlite_storage.h"

namespace berth::store {

Result<StoragePtr> openStorage(std::string_view url) {
  constexpr std::string_view kSqlite = "sqlite://";
  constexpr std::string_view kEtcd = "etcd://";
  if (url.starts_with(kSqlite)) {
    std::string_view path = url.substr(kSqlite.size());
    if (path.empty()) {
      return fail(ErrorCode::kInvalidArgument, "datastore '{}' names no file (sqlite://PATH)", url);
    }
    return openSqliteStorage(std::filesystem::path(path));
  }
  if (url.starts_with(kEtcd)) {
    return fail(ErrorCode::kInvalidArgument,
                "datastore '{}': the etcd datastore is not available in this build yet", url);
  }
  return fail(ErrorCode::kInvalidArgument,
              "datastore '{}' is not supported: use sqlite://PATH or etcd://HOST:PORT[,...]", url);
}

}  // namespace berth::store
