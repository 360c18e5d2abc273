#pragma once

// The SQLite backend of Storage: one database file, the default state of `berth up` and of a
// single `berth server`.
//
// On disk (schema version 1, kept in PRAGMA user_version):
//   kv   (key BLOB PRIMARY KEY, value BLOB, create_rev, mod_rev)   current values
//   log  (rev INTEGER PRIMARY KEY, key, value, create_rev, deleted, prev_value, prev_mod_rev)
//        one row per write, enough to rebuild its Event; compact() deletes old rows
//   meta (name TEXT PRIMARY KEY, value INTEGER)   'revision' and 'compacted'
// Keys and values are BLOBs, so they may hold any bytes and keys sort bytewise (as
// std::string compares them, and as etcd orders keys).
//
// Durability: WAL journal with synchronous=FULL, so a write returns only after its commit is
// fsync'ed. A failed write leaves the store as it was.
//
// Group commit: concurrent writes are committed together. Writers queue up; the one at the
// head of the queue applies every queued write in one BEGIN IMMEDIATE transaction (one fsync)
// and then acknowledges them all. Each write keeps its own outcome: one whose precondition
// fails (kAlreadyExists, kNotFound, kConflict) is rolled back to its own savepoint and does
// not affect the others in the group. Revisions follow queue order. A lone writer commits at
// once.
//
// Concurrency: one connection guarded by a mutex (reads and writes are serialized). Watch
// callbacks run synchronously on the committing thread after the commit and before any write
// of the group returns, in revision order across concurrent writers (see store/watch_hub.h);
// a watcher gets the events of one group commit in one callback call. Destroying a
// Watch from another thread waits for a running callback to return; a callback may destroy its
// own Watch. Other processes may open the same file (a busy timeout waits for their locks),
// but their writes are not delivered to this process's watches.
//
// Beyond the Storage contract:
// - An empty key is kInvalidArgument (as in etcd).
// - compact() with a revision at or below the compacted one is a no-op: the compacted
//   revision never goes back. A negative revision or fromRevision/limit is kInvalidArgument.

#include <filesystem>

#include "base/error.h"
#include "store/storage.h"

namespace berth::store {

// Opens the database `file`, creating it (and its parent directories) when missing.
// kInvalidArgument when the file has a schema version this build does not know, kDataLoss when
// it is not a SQLite database or is corrupt, kUnavailable when another process holds it locked
// past the busy timeout.
Result<StoragePtr> openSqliteStorage(const std::filesystem::path& file);

}  // namespace berth::store
