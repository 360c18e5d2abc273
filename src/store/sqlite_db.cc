#include "store/sqlite_db.h"

#include <utility>

namespace berth::store::sqlite {

Error sqliteError(sqlite3* db, int rc, std::string_view what) {
  ErrorCode code = ErrorCode::kInternal;
  switch (rc & 0xff) {  // the primary code of an extended one
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = ErrorCode::kUnavailable;
      break;
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      code = ErrorCode::kResourceExhausted;
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = ErrorCode::kDataLoss;
      break;
    default:
      break;
  }
  // The connection's message is only about `rc` if it was the last call on it.
  const char* message =
      db != nullptr && sqlite3_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Error(code, fmt::format("sqlite {}: {}", what, message));
}

Query::Query(Statement& statement) : statement_(statement) {}

Query::~Query() {
  sqlite3_reset(statement_.stmt_);
  sqlite3_clear_bindings(statement_.stmt_);
}

Query& Query::bind(int index, int64_t value) {
  sqlite3_bind_int64(statement_.stmt_, index, value);
  return *this;
}

Query& Query::bindBlob(int index, std::string_view value) {
  // A zero-length blob is bound as an empty blob, not NULL (the pointer may be null for "").
  static const char kEmpty = 0;
  sqlite3_bind_blob64(statement_.stmt_, index, value.empty() ? &kEmpty : value.data(), value.size(),
                      SQLITE_TRANSIENT);
  return *this;
}

Query& Query::bindText(int index, std::string_view value) {
  sqlite3_bind_text64(statement_.stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                      SQLITE_UTF8);
  return *this;
}

Query& Query::bindNull(int index) {
  sqlite3_bind_null(statement_.stmt_, index);
  return *this;
}

Result<bool> Query::step() {
  int rc = sqlite3_step(statement_.stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return fail(sqliteError(statement_.db_, rc, statement_.what_));
}

Status Query::run() {
  for (;;) {
    BERTH_ASSIGN_OR_RETURN(bool row, step());
    if (!row) {
      return ok();
    }
  }
}

bool Query::isNull(int column) const {
  return sqlite3_column_type(statement_.stmt_, column) == SQLITE_NULL;
}

int64_t Query::int64At(int column) const {
  return sqlite3_column_int64(statement_.stmt_, column);
}

std::string Query::blobAt(int column) const {
  const void* data = sqlite3_column_blob(statement_.stmt_, column);
  int size = sqlite3_column_bytes(statement_.stmt_, column);
  if (data == nullptr || size <= 0) {
    return {};
  }
  return std::string(static_cast<const char*>(data), static_cast<size_t>(size));
}

std::string_view Query::textAt(int column) const {
  const unsigned char* text = sqlite3_column_text(statement_.stmt_, column);
  int size = sqlite3_column_bytes(statement_.stmt_, column);
  if (text == nullptr) {
    return {};
  }
  return std::string_view(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      what_(std::move(other.what_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
    what_ = std::move(other.what_);
  }
  return *this;
}

Result<Statement> Statement::prepare(sqlite3* db, std::string_view sql, std::string what) {
  Statement statement;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &statement.stmt_, nullptr);
  if (rc != SQLITE_OK) {
    return fail(sqliteError(db, rc, fmt::format("prepare {}", what)));
  }
  statement.db_ = db;
  statement.what_ = std::move(what);
  return statement;
}

Db::~Db() {
  // close_v2: if a statement is still unfinalized, the close completes when it is finalized.
  sqlite3_close_v2(db_);
}

Db::Db(Db&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Result<Db> Db::open(const std::filesystem::path& path) {
  Db db;
  // NOMUTEX: the owner serializes use of the connection itself.
  int rc =
      sqlite3_open_v2(path.c_str(), &db.db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    return fail(sqliteError(db.db_, rc, fmt::format("open '{}'", path.string())));
  }
  return db;
}

Status Db::exec(std::string_view sql, std::string_view what) {
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return fail(sqliteError(db_, rc, what));
  }
  return ok();
}

Result<std::string> Db::queryText(std::string_view sql, std::string_view what) {
  BERTH_ASSIGN_OR_RETURN(auto statement, Statement::prepare(db_, sql, std::string(what)));
  auto query = statement.query();
  BERTH_ASSIGN_OR_RETURN(bool row, query.step());
  return row ? std::string(query.textAt(0)) : std::string();
}

bool Db::inTransaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

Result<Transaction> Transaction::begin(Db& db, Statement& begin, Statement& commit,
                                       Statement& rollback) {
  BERTH_TRY_STATUS(begin.query().run());
  return Transaction(db, commit, rollback);
}

Transaction::~Transaction() {
  // A failed statement may already have rolled the transaction back (SQLITE_FULL, SQLITE_IOERR).
  if (open_ && db_ != nullptr && db_->inTransaction()) {
    (void)rollback_->query().run();
  }
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      commit_(other.commit_),
      rollback_(other.rollback_),
      open_(std::exchange(other.open_, false)) {}

Status Transaction::commit() {
  BERTH_TRY_STATUS(commit_->query().run());
  open_ = false;
  return ok();
}

}  // namespace berth::store::sqlite
