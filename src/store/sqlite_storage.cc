#include "store/sqlite_storage.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

#include "base/files.h"
#include "store/key_range.h"
#include "store/sqlite_db.h"
#include "store/watch_hub.h"

namespace berth::store {
namespace {

using sqlite::Db;
using sqlite::Statement;
using sqlite::Transaction;

constexpr int kSchemaVersion = 1;
// How long a statement waits for another process's lock before failing with kUnavailable.
constexpr int kBusyTimeoutMs = 5000;

constexpr std::string_view kSchema = R"sql(
CREATE TABLE kv (
  key BLOB PRIMARY KEY NOT NULL,
  value BLOB NOT NULL,
  create_rev INTEGER NOT NULL,
  mod_rev INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE log (
  rev INTEGER PRIMARY KEY,
  key BLOB NOT NULL,
  value BLOB NOT NULL,
  create_rev INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  prev_value BLOB,
  prev_mod_rev INTEGER
);
CREATE TABLE meta (
  name TEXT PRIMARY KEY NOT NULL,
  value INTEGER NOT NULL
);
INSERT INTO meta(name, value) VALUES ('revision', 0), ('compacted', 0);
PRAGMA user_version = 1;
)sql";

// The log columns every history query selects, in this order (see eventFromLog()).
#define BERTH_LOG_COLUMNS "rev, key, value, create_rev, deleted, prev_value, prev_mod_rev"

struct Statements {
  Statement begin;
  Statement beginImmediate;
  Statement commit;
  Statement rollback;
  Statement savepoint;
  Statement releaseSavepoint;
  Statement rollbackToSavepoint;
  Statement getMeta;
  Statement setMeta;
  Statement getKey;
  Statement putKey;
  Statement deleteKey;
  Statement appendLog;
  Statement listFrom;   // keys >= ?1, no upper bound
  Statement listRange;  // keys in [?1, ?2)
  Statement historyFrom;
  Statement historyRange;
  Statement compactLog;
};

struct StatementSpec {
  Statement Statements::*member;
  const char* what;
  const char* sql;
};

constexpr StatementSpec kStatements[] = {
    {&Statements::begin, "begin", "BEGIN"},
    {&Statements::beginImmediate, "begin immediate", "BEGIN IMMEDIATE"},
    {&Statements::commit, "commit", "COMMIT"},
    {&Statements::rollback, "rollback", "ROLLBACK"},
    {&Statements::savepoint, "savepoint", "SAVEPOINT w"},
    {&Statements::releaseSavepoint, "release savepoint", "RELEASE w"},
    {&Statements::rollbackToSavepoint, "rollback to savepoint", "ROLLBACK TO w"},
    {&Statements::getMeta, "read meta", "SELECT value FROM meta WHERE name = ?1"},
    {&Statements::setMeta, "write meta", "UPDATE meta SET value = ?2 WHERE name = ?1"},
    {&Statements::getKey, "read key", "SELECT value, create_rev, mod_rev FROM kv WHERE key = ?1"},
    {&Statements::putKey, "write key",
     "INSERT OR REPLACE INTO kv(key, value, create_rev, mod_rev) VALUES (?1, ?2, ?3, ?4)"},
    {&Statements::deleteKey, "delete key", "DELETE FROM kv WHERE key = ?1"},
    {&Statements::appendLog, "append log",
     "INSERT INTO log(" BERTH_LOG_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
    {&Statements::listFrom, "list keys",
     "SELECT key, value, create_rev, mod_rev FROM kv WHERE key >= ?1 ORDER BY key LIMIT ?2"},
    {&Statements::listRange, "list keys",
     "SELECT key, value, create_rev, mod_rev FROM kv WHERE key >= ?1 AND key < ?2 "
     "ORDER BY key LIMIT ?3"},
    {&Statements::historyFrom, "read log",
     "SELECT " BERTH_LOG_COLUMNS " FROM log WHERE rev >= ?1 AND key >= ?2 ORDER BY rev"},
    {&Statements::historyRange, "read log",
     "SELECT " BERTH_LOG_COLUMNS
     " FROM log WHERE rev >= ?1 AND key >= ?2 AND key < ?3 ORDER BY rev"},
    {&Statements::compactLog, "compact log", "DELETE FROM log WHERE rev < ?1"},
};

constexpr const char* kRevision = "revision";
constexpr const char* kCompacted = "compacted";

// The most writes one group commit takes; the rest wait for the next one.
constexpr size_t kMaxBatch = 1024;

// Rebuilds the Event of a log row selected with BERTH_LOG_COLUMNS.
Event eventFromLog(const sqlite::Query& row) {
  Event event;
  event.kv.key = row.blobAt(1);
  event.kv.value = row.blobAt(2);
  event.kv.createRevision = row.int64At(3);
  event.kv.modRevision = row.int64At(0);
  bool deleted = row.int64At(4) != 0;
  event.type = deleted ? EventType::kDelete : EventType::kPut;
  if (!row.isNull(6)) {
    // A delete records the value it removed as its value; an update records the old value.
    event.prev = KeyValue{event.kv.key, deleted ? event.kv.value : row.blobAt(5),
                          event.kv.createRevision, row.int64At(6)};
  }
  return event;
}

// Makes the creation of `file` (and of its WAL) durable: fsync of the directory holding it.
Status syncParentDir(const std::filesystem::path& file) {
  auto dir = file.parent_path();
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return fail(errnoError(errno, fmt::format("open '{}'", dir.string())));
  }
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) {
    return fail(errnoError(err, fmt::format("fsync '{}'", dir.string())));
  }
  return ok();
}

class SqliteStorage final : public Storage {
 public:
  SqliteStorage(Db db, Statements statements)
      : db_(std::move(db)), st_(std::move(statements)), hub_(WatchHub::create()) {}

  Result<int64_t> create(std::string_view key, std::string_view value) override {
    BERTH_ASSIGN_OR_RETURN(auto event, write(Op::kCreate, key, value, 0));
    return event.kv.modRevision;
  }

  Result<int64_t> update(std::string_view key, std::string_view value,
                         int64_t expectedModRevision) override {
    BERTH_ASSIGN_OR_RETURN(auto event, write(Op::kUpdate, key, value, expectedModRevision));
    return event.kv.modRevision;
  }

  Result<KeyValue> remove(std::string_view key, int64_t expectedModRevision) override {
    BERTH_ASSIGN_OR_RETURN(auto event, write(Op::kRemove, key, "", expectedModRevision));
    return std::move(event.kv);
  }

  Result<KeyValue> get(std::string_view key) override {
    std::lock_guard lock(mu_);
    BERTH_ASSIGN_OR_RETURN(auto kv, readKey(key));
    if (!kv) {
      return fail(ErrorCode::kNotFound, "key '{}' not found", key);
    }
    return std::move(*kv);
  }

  Result<ListResult> list(std::string_view prefix, std::string_view startKey,
                          int64_t limit) override {
    if (limit < 0) {
      return fail(ErrorCode::kInvalidArgument, "list limit {} is negative", limit);
    }
    std::string_view from = std::max(prefix, startKey);
    auto end = prefixEnd(prefix);
    // One more than asked tells whether the limit cut the list short; -1 is SQLite's "no limit".
    int64_t sqlLimit = limit == 0 ? -1 : limit + 1;

    std::lock_guard lock(mu_);
    BERTH_ASSIGN_OR_RETURN(auto txn, Transaction::begin(db_, st_.begin, st_.commit, st_.rollback));
    ListResult result;
    BERTH_ASSIGN_OR_RETURN(result.revision, readMeta(kRevision));
    auto query = end ? st_.listRange.query() : st_.listFrom.query();
    query.bindBlob(1, from);
    if (end) {
      query.bindBlob(2, *end).bind(3, sqlLimit);
    } else {
      query.bind(2, sqlLimit);
    }
    for (;;) {
      BERTH_ASSIGN_OR_RETURN(bool row, query.step());
      if (!row) {
        break;
      }
      if (limit != 0 && static_cast<int64_t>(result.items.size()) == limit) {
        result.more = true;
        break;
      }
      result.items.push_back(
          KeyValue{query.blobAt(0), query.blobAt(1), query.int64At(2), query.int64At(3)});
    }
    BERTH_TRY_STATUS(txn.commit());
    return result;
  }

  Result<WatchPtr> watch(std::string_view prefix, int64_t fromRevision,
                         WatchCallback callback) override {
    if (fromRevision < 0) {
      return fail(ErrorCode::kInvalidArgument, "watch revision {} is negative", fromRevision);
    }
    std::unique_lock lock(mu_);
    std::vector<Event> history;
    int64_t minRevision = fromRevision;
    {
      BERTH_ASSIGN_OR_RETURN(auto txn,
                             Transaction::begin(db_, st_.begin, st_.commit, st_.rollback));
      BERTH_ASSIGN_OR_RETURN(int64_t compacted, readMeta(kCompacted));
      if (fromRevision != 0 && fromRevision <= compacted) {
        return fail(ErrorCode::kGone, "revision {} is compacted (compacted revision {})",
                    fromRevision, compacted);
      }
      if (fromRevision == 0) {
        BERTH_ASSIGN_OR_RETURN(int64_t current, readMeta(kRevision));
        minRevision = current + 1;
      } else {
        BERTH_ASSIGN_OR_RETURN(history, readHistory(prefix, fromRevision));
      }
      BERTH_TRY_STATUS(txn.commit());
    }
    // Taken before the write lock is released: no commit can slip between the history read
    // above and the registration (see watch_hub.h).
    auto delivery = hub_->lockDelivery();
    lock.unlock();
    return hub_->add(delivery, std::string(prefix), minRevision, std::move(history),
                     std::move(callback));
  }

  Status compact(int64_t revision) override {
    std::lock_guard lock(mu_);
    BERTH_ASSIGN_OR_RETURN(auto txn,
                           Transaction::begin(db_, st_.beginImmediate, st_.commit, st_.rollback));
    BERTH_ASSIGN_OR_RETURN(int64_t current, readMeta(kRevision));
    if (revision < 0 || revision > current) {
      return fail(ErrorCode::kInvalidArgument,
                  "compact revision {} is outside [0, {}] (the current revision)", revision,
                  current);
    }
    BERTH_ASSIGN_OR_RETURN(int64_t compacted, readMeta(kCompacted));
    if (revision <= compacted) {
      return ok();
    }
    BERTH_TRY_STATUS(st_.compactLog.query().bind(1, revision).run());
    BERTH_TRY_STATUS(writeMeta(kCompacted, revision));
    return txn.commit();
  }

  int64_t revision() override {
    std::lock_guard lock(mu_);
    return readMetaOr(kRevision);
  }

  int64_t compactedRevision() override {
    std::lock_guard lock(mu_);
    return readMetaOr(kCompacted);
  }

 private:
  enum class Op { kCreate, kUpdate, kRemove };

  // A write waiting in queue_ for a group commit. Lives on the writer's stack; the committer
  // fills `result` and sets `done` under queueMu_, after which it never touches it again.
  struct PendingWrite {
    Op op;
    std::string_view key;
    std::string_view value;
    int64_t expected;
    std::optional<Result<Event>> result;
    bool done = false;
    std::condition_variable cv;
  };

  // Commits one write and publishes its event to the watchers before returning it.
  //
  // Group commit (the writer queue of LevelDB's DBImpl::Write): writers queue up; the writer at
  // the head of the queue becomes the committer, takes every queued write (up to kMaxBatch),
  // applies them in one transaction with one fsync, publishes their events and wakes their
  // writers. Writers that arrived meanwhile form the next group. A lone writer commits at once,
  // so there is no added latency; under load, one fsync serves many writes.
  Result<Event> write(Op op, std::string_view key, std::string_view value, int64_t expected) {
    if (key.empty()) {
      return fail(ErrorCode::kInvalidArgument, "key is empty");
    }
    if (expected < 0) {
      return fail(ErrorCode::kInvalidArgument, "expected revision {} is negative", expected);
    }
    PendingWrite self{op, key, value, expected};
    std::unique_lock queueLock(queueMu_);
    queue_.push_back(&self);
    self.cv.wait(queueLock, [&] { return self.done || queue_.front() == &self; });
    if (self.done) {
      return std::move(*self.result);
    }
    // This writer heads the queue: it commits for everyone queued so far.
    std::vector<PendingWrite*> batch(queue_.begin(),
                                     queue_.begin() + std::min(queue_.size(), kMaxBatch));
    queueLock.unlock();
    commitBatch(batch);
    queueLock.lock();
    for (PendingWrite* pending : batch) {
      queue_.pop_front();
      pending->done = true;
      if (pending != &self) {
        pending->cv.notify_one();
      }
    }
    if (!queue_.empty()) {
      queue_.front()->cv.notify_one();  // the head of the next group
    }
    return std::move(*self.result);
  }

  // Applies `batch` in one transaction, publishes the events of the writes that succeeded (in
  // revision order) and sets every write's result. Each write is checked on its own: one whose
  // precondition fails (or whose statements fail) is rolled back to its savepoint and gets its
  // error; the others proceed. When the transaction itself fails (begin, commit), every write
  // that had succeeded gets that error and nothing is published.
  void commitBatch(const std::vector<PendingWrite*>& batch) {
    std::unique_lock lock(mu_);
    std::vector<Event> events;
    events.reserve(batch.size());
    auto committed = [&]() -> Status {
      BERTH_ASSIGN_OR_RETURN(auto txn,
                             Transaction::begin(db_, st_.beginImmediate, st_.commit, st_.rollback));
      BERTH_ASSIGN_OR_RETURN(int64_t revision, readMeta(kRevision));
      for (PendingWrite* pending : batch) {
        BERTH_TRY_STATUS(st_.savepoint.query().run());
        auto event =
            applyLocked(pending->op, pending->key, pending->value, pending->expected, revision + 1);
        if (event) {
          revision = event->kv.modRevision;
          events.push_back(*event);
        } else {
          BERTH_TRY_STATUS(st_.rollbackToSavepoint.query().run());
        }
        BERTH_TRY_STATUS(st_.releaseSavepoint.query().run());
        pending->result = std::move(event);
      }
      if (!events.empty()) {
        BERTH_TRY_STATUS(writeMeta(kRevision, revision));
      }
      return txn.commit();
    }();
    if (!committed) {
      for (PendingWrite* pending : batch) {
        if (!pending->result || pending->result->has_value()) {
          pending->result = std::unexpected(committed.error());
        }
      }
      return;
    }
    // Taken before the write lock is released, so events are published in revision order.
    auto delivery = hub_->lockDelivery();
    lock.unlock();
    hub_->publish(delivery, events);
  }

  // Applies one write as revision `next` (kv and log; the caller writes the revision to meta).
  // A failed precondition changes nothing. REQUIRES: mu_ held, in a write transaction.
  Result<Event> applyLocked(Op op, std::string_view key, std::string_view value, int64_t expected,
                            int64_t next) {
    BERTH_ASSIGN_OR_RETURN(auto current, readKey(key));

    Event event;
    if (op == Op::kCreate) {
      if (current) {
        return fail(ErrorCode::kAlreadyExists, "key '{}' already exists", key);
      }
      event.kv = KeyValue{std::string(key), std::string(value), next, next};
    } else {
      if (!current) {
        return fail(ErrorCode::kNotFound, "key '{}' not found", key);
      }
      if (expected != 0 && current->modRevision != expected) {
        return fail(ErrorCode::kConflict, "key '{}' is at revision {}, not {}", key,
                    current->modRevision, expected);
      }
      event.prev = current;
      event.kv = *current;
      event.kv.modRevision = next;
      if (op == Op::kUpdate) {
        event.kv.value = std::string(value);
      } else {
        event.type = EventType::kDelete;
      }
    }

    if (event.type == EventType::kDelete) {
      BERTH_TRY_STATUS(st_.deleteKey.query().bindBlob(1, key).run());
    } else {
      BERTH_TRY_STATUS(st_.putKey.query()
                           .bindBlob(1, key)
                           .bindBlob(2, event.kv.value)
                           .bind(3, event.kv.createRevision)
                           .bind(4, next)
                           .run());
    }
    auto log = st_.appendLog.query();
    log.bind(1, next)
        .bindBlob(2, key)
        .bindBlob(3, event.kv.value)
        .bind(4, event.kv.createRevision)
        .bind(5, event.type == EventType::kDelete ? 1 : 0);
    // A delete's prev value is its value (see eventFromLog()); a create has no prev.
    if (event.prev && event.type == EventType::kPut) {
      log.bindBlob(6, event.prev->value);
    } else {
      log.bindNull(6);
    }
    if (event.prev) {
      log.bind(7, event.prev->modRevision);
    } else {
      log.bindNull(7);
    }
    BERTH_TRY_STATUS(log.run());
    return event;
  }

  // REQUIRES: mu_ held.
  Result<std::optional<KeyValue>> readKey(std::string_view key) {
    auto query = st_.getKey.query();
    query.bindBlob(1, key);
    BERTH_ASSIGN_OR_RETURN(bool row, query.step());
    if (!row) {
      return std::optional<KeyValue>();
    }
    return KeyValue{std::string(key), query.blobAt(0), query.int64At(1), query.int64At(2)};
  }

  // The changes of keys starting with `prefix` at revisions >= `from`. REQUIRES: mu_ held.
  Result<std::vector<Event>> readHistory(std::string_view prefix, int64_t from) {
    auto end = prefixEnd(prefix);
    auto query = end ? st_.historyRange.query() : st_.historyFrom.query();
    query.bind(1, from).bindBlob(2, prefix);
    if (end) {
      query.bindBlob(3, *end);
    }
    std::vector<Event> events;
    for (;;) {
      BERTH_ASSIGN_OR_RETURN(bool row, query.step());
      if (!row) {
        return events;
      }
      events.push_back(eventFromLog(query));
    }
  }

  // REQUIRES: mu_ held.
  Result<int64_t> readMeta(const char* name) {
    auto query = st_.getMeta.query();
    query.bindText(1, name);
    BERTH_ASSIGN_OR_RETURN(bool row, query.step());
    if (!row) {
      return fail(ErrorCode::kDataLoss, "sqlite meta row '{}' is missing", name);
    }
    return query.int64At(0);
  }

  // For the accessors that cannot report errors: 0 (and a log line) when the read fails.
  int64_t readMetaOr(const char* name) {
    auto value = readMeta(name);
    if (!value) {
      spdlog::error("sqlite storage: read {}: {}", name, value.error().message());
      return 0;
    }
    return *value;
  }

  // REQUIRES: mu_ held, in a write transaction.
  Status writeMeta(const char* name, int64_t value) {
    return st_.setMeta.query().bindText(1, name).bind(2, value).run();
  }

  // Guards queue_: the writes waiting for a group commit, in arrival order; its head commits.
  std::mutex queueMu_;
  std::deque<PendingWrite*> queue_;

  std::mutex mu_;  // serializes all use of the connection (lock order: queueMu_ is never
                   // taken while mu_ is held)
  Db db_;          // declared before st_: statements are finalized first
  Statements st_;
  std::shared_ptr<WatchHub> hub_;
};

// Creates the schema in a fresh database, or checks the version of an existing one.
Status initSchema(Db& db, const std::filesystem::path& file) {
  BERTH_TRY_STATUS(db.exec("BEGIN IMMEDIATE", "begin"));
  auto status = [&]() -> Status {
    BERTH_ASSIGN_OR_RETURN(auto version, db.queryText("PRAGMA user_version", "read version"));
    if (version == "0") {
      BERTH_ASSIGN_OR_RETURN(auto tables,
                             db.queryText("SELECT count(*) FROM sqlite_schema", "read schema"));
      if (tables != "0") {
        return fail(ErrorCode::kInvalidArgument, "'{}' is a SQLite database not made by berth",
                    file.string());
      }
      BERTH_TRY_STATUS(db.exec(kSchema, "create schema"));
    } else if (version != std::to_string(kSchemaVersion)) {
      return fail(ErrorCode::kInvalidArgument,
                  "'{}' has schema version {}; this build knows version {}", file.string(), version,
                  kSchemaVersion);
    }
    return db.exec("COMMIT", "commit");
  }();
  if (!status && db.inTransaction()) {
    (void)db.exec("ROLLBACK", "rollback");
  }
  return status;
}

}  // namespace

Result<StoragePtr> openSqliteStorage(const std::filesystem::path& file) {
  auto context = fmt::format("open datastore '{}'", file.string());
  auto opened = [&]() -> Result<StoragePtr> {
    if (file.has_parent_path()) {
      BERTH_TRY_STATUS(files::makeDirs(file.parent_path()));
    }
    BERTH_ASSIGN_OR_RETURN(auto db, Db::open(file));
    sqlite3_busy_timeout(db.handle(), kBusyTimeoutMs);
    BERTH_ASSIGN_OR_RETURN(auto mode, db.queryText("PRAGMA journal_mode=WAL", "set journal"));
    if (mode != "wal") {
      return fail(ErrorCode::kInternal, "the file system does not support WAL (journal mode {})",
                  mode);
    }
    BERTH_TRY_STATUS(db.exec("PRAGMA synchronous=FULL", "set synchronous"));
    BERTH_TRY_STATUS(initSchema(db, file));
    Statements statements;
    for (const auto& spec : kStatements) {
      BERTH_ASSIGN_OR_RETURN(statements.*spec.member,
                             Statement::prepare(db.handle(), spec.sql, spec.what));
    }
    BERTH_TRY_STATUS(syncParentDir(file));
    return std::make_shared<SqliteStorage>(std::move(db), std::move(statements));
  }();
  if (!opened) {
    return fail(std::move(opened.error()).wrap(context));
  }
  return opened;
}

}  // namespace berth::store
