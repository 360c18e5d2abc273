#pragma once

// A thin RAII layer over the SQLite C API for the sqlite Storage backend: a connection, prepared
// statements and transactions, with SQLite result codes turned into Errors. Not thread-safe:
// the owner serializes all use of one Db (and its statements) with a mutex of its own.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::store::sqlite {

// An Error for SQLite result code `rc` while doing `what`, with the connection's message:
// "sqlite insert log: database or disk is full". The code follows `rc`: busy/locked ->
// kUnavailable, full -> kResourceExhausted, corrupt/not a database -> kDataLoss, else kInternal.
Error sqliteError(sqlite3* db, int rc, std::string_view what);

class Statement;

// One prepared statement in use: bind parameters (1-based), step through rows, read columns
// (0-based). Resets the statement and clears its bindings when destroyed, so a statement never
// keeps a read snapshot open between uses.
class Query {
 public:
  explicit Query(Statement& statement);
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& bind(int index, int64_t value);
  // Binds `value` as a BLOB (byte-exact: keys and values may hold any bytes, NULs included).
  Query& bindBlob(int index, std::string_view value);
  Query& bindText(int index, std::string_view value);
  Query& bindNull(int index);

  // Advances to the next row: true when there is one, false when the statement is done.
  Result<bool> step();
  // Steps to completion, for statements that return no rows.
  Status run();

  bool isNull(int column) const;
  int64_t int64At(int column) const;
  std::string blobAt(int column) const;
  std::string_view textAt(int column) const;

 private:
  Statement& statement_;
};

// A prepared statement, finalized when destroyed. `what` names it in error messages.
class Statement {
 public:
  Statement() = default;
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;

  static Result<Statement> prepare(sqlite3* db, std::string_view sql, std::string what);

  // Starts a use of the statement; at most one Query per Statement at a time.
  Query query() { return Query(*this); }

 private:
  friend class Query;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::string what_;
};

// A connection, closed when destroyed.
class Db {
 public:
  Db() = default;
  ~Db();
  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;

  // Opens (creating it if missing) the database file `path`.
  static Result<Db> open(const std::filesystem::path& path);

  // Runs `sql` (one or more statements, no parameters, rows ignored).
  Status exec(std::string_view sql, std::string_view what);
  // Runs `sql` and returns the first column of its first row as text ("" when no row).
  Result<std::string> queryText(std::string_view sql, std::string_view what);

  // Whether a transaction is open (SQLite is not in autocommit mode).
  bool inTransaction() const;

  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// A transaction on a Db, rolled back when destroyed without commit(). The BEGIN/COMMIT/ROLLBACK
// statements are prepared once by the owner and passed in.
class Transaction {
 public:
  // Runs `begin` (BEGIN IMMEDIATE for writes: takes the write lock up front, so the
  // transaction cannot fail later with a lock upgrade conflict; BEGIN for a read snapshot).
  static Result<Transaction> begin(Db& db, Statement& begin, Statement& commit,
                                   Statement& rollback);
  ~Transaction();
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;

  // Commits; on failure the transaction is rolled back by the destructor.
  Status commit();

 private:
  Transaction(Db& db, Statement& commit, Statement& rollback)
      : db_(&db), commit_(&commit), rollback_(&rollback) {}

  Db* db_ = nullptr;
  Statement* commit_ = nullptr;
  Statement* rollback_ = nullptr;
  bool open_ = true;
};

}  // namespace berth::store::sqlite
