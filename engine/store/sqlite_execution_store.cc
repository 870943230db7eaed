#include "engine/store/sqlite_execution_store.h"

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <limits>
#include <optional>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "engine/base/json_util.h"
#include "engine/base/json_writer.h"
#include "engine/base/status_macros.h"
#include "engine/history/execution_page_token.h"
#include "engine/history/store_checks.h"
#include "engine/store/fresh_database.h"
#include "engine/store/migrations.h"

namespace mlflowctl::store {
namespace {

using history::ExecutionFilter;
using history::ExecutionPage;
using history::ExecutionRecord;
using history::HistoryEvent;
using history::HistoryQuery;
using history::StateMachineRecord;

constexpr char kExecutionColumns[] =
    "arn, name, state_machine_arn, state_machine_name, state_machine_version, "
    "status, input, output, error, cause, start_ms, stop_ms, redrive_count, "
    "redrive_ms";

StatusOr<ExecutionRecord> ReadExecution(const SqliteStatement& stmt) {
  ExecutionRecord record;
  record.arn = stmt.ColumnText(0);
  record.name = stmt.ColumnText(1);
  record.state_machine_arn = stmt.ColumnText(2);
  record.state_machine_name = stmt.ColumnText(3);
  record.state_machine_version = stmt.ColumnInt64(4);
  std::string status = stmt.ColumnText(5);
  std::optional<history::ExecutionStatus> parsed =
      history::ParseExecutionStatus(status);
  if (!parsed.has_value()) {
    return DataLossError(fmt::format("execution '{}' has unknown status '{}'",
                                     record.arn, status));
  }
  record.status = *parsed;
  record.input = stmt.ColumnText(6);
  record.output = stmt.ColumnOptionalText(7);
  record.error = stmt.ColumnOptionalText(8);
  record.cause = stmt.ColumnOptionalText(9);
  record.start_ms = stmt.ColumnInt64(10);
  record.stop_ms = stmt.ColumnOptionalInt64(11);
  record.redrive_count = stmt.ColumnInt64(12);
  record.redrive_ms = stmt.ColumnOptionalInt64(13);
  return record;
}

// History rows written by one INSERT when AppendEvents has that many.
constexpr std::size_t kRowsPerInsert = 32;

// INSERT of `rows` history rows: ?1 is the execution ARN, then six
// parameters per row (id, previous id, timestamp, type, details, frame).
const std::string& InsertEventsSql(std::size_t rows) {
  static const std::string one = [] {
    return std::string(
        "INSERT INTO history_events (execution_arn, id, previous_event_id, "
        "timestamp_ms, type, details, frame) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  }();
  static const std::string group = [] {
    std::string sql =
        "INSERT INTO history_events (execution_arn, id, previous_event_id, "
        "timestamp_ms, type, details, frame) VALUES ";
    for (std::size_t r = 0; r < kRowsPerInsert; ++r) {
      const std::size_t p = 2 + r * 6;
      sql += fmt::format("{}(?1, ?{}, ?{}, ?{}, ?{}, ?{}, ?{})", r == 0 ? "" : ", ", p,
                         p + 1, p + 2, p + 3, p + 4, p + 5);
    }
    return sql;
  }();
  return rows == 1 ? one : group;
}

// True when process `pid` exists (one machine: kill(pid, 0); EPERM means
// it exists but belongs to someone else).
bool ProcessAlive(int64_t pid) {
  if (pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) == 0) return true;
  return errno == EPERM;
}

// Sets the connection's pragmas and brings the schema up to date.
Status Configure(SqliteDb& db, const SqliteStoreOptions& options) {
  if (options.read_only) {
    // Reads the header, so a file that is not a database fails here.
    MLF_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
    return CheckSchemaIsCurrent(db);
  }
  if (db.IsReadOnly()) {
    return FailedPreconditionError(fmt::format(
        "database '{}' is write-protected; make it writable or open it "
        "read-only",
        db.path()));
  }
  // The first statement to read the file: garbage fails here with
  // SQLITE_NOTADB (kDataLoss).
  MLF_ASSIGN_OR_RETURN(std::string mode, db.QueryText("PRAGMA journal_mode = WAL"));
  if (mode != "wal" && mode != "memory") {
    return FailedPreconditionError(fmt::format(
        "database '{}' cannot use WAL mode (journal_mode is '{}')", db.path(),
        mode));
  }
  MLF_RETURN_IF_ERROR(db.Exec(
      options.synchronous == SqliteStoreOptions::Synchronous::kFull
          ? "PRAGMA synchronous = FULL"
          : "PRAGMA synchronous = NORMAL"));
  MLF_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
  // The last connection to close leaves the WAL for the next one instead of
  // checkpointing it into the database file (two fdatasyncs per process).
  // Commits are as durable either way (synchronous=NORMAL: in the WAL, which
  // SQLite checkpoints once it passes 1000 pages).
  if (int rc = sqlite3_db_config(db.handle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
      rc != SQLITE_OK) {
    return SqliteStatus(rc, db.handle(), "keep the WAL on close");
  }
  return ApplyMigrations(db);
}

}  // namespace

StatusOr<std::unique_ptr<SqliteExecutionStore>> SqliteExecutionStore::Open(
    const std::string& path) {
  return Open(path, SqliteStoreOptions());
}

StatusOr<std::unique_ptr<SqliteExecutionStore>> SqliteExecutionStore::Open(
    const std::string& path, const SqliteStoreOptions& options) {
  if (path.empty()) return InvalidArgumentError("database path is empty");
  if (options.read_only) {
    std::error_code ec;
    if (path != ":memory:" && !std::filesystem::exists(path, ec)) {
      return NotFoundError(fmt::format("database '{}' does not exist", path));
    }
  }
  if (!options.read_only) {
    // A new file is built whole and moved into place; on failure the
    // ordinary open below creates it, or reports why it cannot.
    (void)CreateFreshDatabase(path);
  }
  SqliteOpenOptions open_options;
  open_options.read_only = options.read_only;
  open_options.create_parent_directories = !options.read_only;
  open_options.busy_timeout_ms = options.busy_timeout_ms;
  MLF_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db,
                       SqliteDb::Open(path, open_options));
  MLF_RETURN_IF_ERROR(Configure(*db, options));
  return std::unique_ptr<SqliteExecutionStore>(
      new SqliteExecutionStore(std::move(db), options));
}

SqliteExecutionStore::SqliteExecutionStore(std::unique_ptr<SqliteDb> db,
                                           const SqliteStoreOptions& options)
    : db_(std::move(db)), options_(options) {}

SqliteExecutionStore::~SqliteExecutionStore() {
  std::lock_guard<std::mutex> lock(mu_);
  (void)CommitLocked();
}

bool SqliteExecutionStore::WalIsEmptyLocked() const {
  std::error_code ec;
  const std::string wal = db_->path() + "-wal";
  if (!std::filesystem::exists(wal, ec)) return !ec;
  return std::filesystem::file_size(wal, ec) == 0 && !ec;
}

Status SqliteExecutionStore::BeginLocked() {
  // The first commit into a WAL file that holds nothing yet (a new store)
  // skips the sync of the WAL header and of its directory: with no frames
  // before it there is nothing for an unsynced header to be mixed up with,
  // and the first checkpoint (under synchronous=NORMAL again) syncs the WAL
  // and its directory before any page reaches the database file. So a power
  // failure can only lose these commits, as it may lose any commit under
  // NORMAL, and a process crash loses nothing. No checkpoint may run
  // unsynced: wal_autocheckpoint is 0 until the transaction ends. The
  // safety level cannot change inside a transaction, hence before BEGIN; the
  // WAL is checked again once the write lock is held.
  bool unsynced = !first_commit_done_ && db_->path() != ":memory:" &&
                  options_.synchronous == SqliteStoreOptions::Synchronous::kNormal &&
                  WalIsEmptyLocked() &&
                  db_->Exec("PRAGMA synchronous = OFF; PRAGMA wal_autocheckpoint = 0").ok();
  unsynced_commit_ = unsynced_commit_ || unsynced;
  // IMMEDIATE takes the write lock now, so waiting for another process
  // goes through the busy timeout instead of failing at the first write.
  Status begun = db_->Exec("BEGIN IMMEDIATE");
  if (begun.ok() && unsynced && !WalIsEmptyLocked()) {
    // Another process wrote first: begin again with the usual syncs.
    (void)db_->Exec("ROLLBACK");
    MLF_RETURN_IF_ERROR(RestoreSyncLocked());
    begun = db_->Exec("BEGIN IMMEDIATE");
  }
  if (!begun.ok()) (void)RestoreSyncLocked();
  return begun;
}

Status SqliteExecutionStore::RestoreSyncLocked() {
  if (!unsynced_commit_ || db_->InTransaction()) return Status::Ok();
  Status restored = db_->Exec("PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 1000");
  if (restored.ok()) unsynced_commit_ = false;
  return restored;
}

Status SqliteExecutionStore::BeginWriteLocked() {
  if (!db_->InTransaction()) {
    pending_writes_ = 0;
    MLF_RETURN_IF_ERROR(BeginLocked());
  }
  Status status = db_->Exec("SAVEPOINT store_call");
  if (!status.ok() && db_->InTransaction() && pending_writes_ == 0) {
    (void)db_->Exec("ROLLBACK");
  }
  (void)RestoreSyncLocked();  // when the transaction ended here
  return status;
}

Status SqliteExecutionStore::EndWriteLocked(Status result, int64_t writes) {
  if (result.ok()) {
    result = db_->Exec("RELEASE store_call");
    if (result.ok()) {
      pending_writes_ += writes;
      return Status::Ok();
    }
  }
  if (!db_->InTransaction()) {
    // Some errors (SQLITE_FULL, SQLITE_IOERR, ...) roll back the whole
    // transaction, taking the buffered writes with it.
    int64_t lost = pending_writes_;
    pending_writes_ = 0;
    (void)RestoreSyncLocked();
    if (lost == 0) return result;
    return result.WithContext(fmt::format(
        "{} buffered writes since the last commit were rolled back", lost));
  }
  (void)db_->Exec("ROLLBACK TO store_call");
  (void)db_->Exec("RELEASE store_call");
  if (pending_writes_ == 0) {
    // Nothing else is buffered: end the transaction and free the lock.
    (void)db_->Exec("ROLLBACK");
    (void)RestoreSyncLocked();
  }
  return result;
}

Status SqliteExecutionStore::CommitLocked() {
  if (!db_->InTransaction()) {
    pending_writes_ = 0;
    return Status::Ok();
  }
  Status status = db_->Exec("COMMIT");
  if (!status.ok() && db_->InTransaction()) {
    // DESIGN error model: a failed commit rolls back; the runtime resumes
    // from the last committed event.
    (void)db_->Exec("ROLLBACK");
  }
  pending_writes_ = 0;
  if (status.ok()) first_commit_done_ = true;
  Status restored = RestoreSyncLocked();
  return status.ok() ? restored : status;
}

Status SqliteExecutionStore::CommitIfFullLocked() {
  if (pending_writes_ > options_.max_pending_events) return CommitLocked();
  return Status::Ok();
}

Status SqliteExecutionStore::Sync() {
  std::lock_guard<std::mutex> lock(mu_);
  return CommitLocked();
}

int64_t SqliteExecutionStore::PendingWrites() {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_writes_;
}

StatusOr<bool> SqliteExecutionStore::ExecutionExistsLocked(
    const std::string& arn) {
  MLF_ASSIGN_OR_RETURN(SqliteStatement * stmt,
                       db_->Cached("SELECT 1 FROM executions WHERE arn = ?1"));
  ScopedReset reset(stmt);
  MLF_RETURN_IF_ERROR(stmt->BindText(1, arn));
  return stmt->Step();
}

// ---- Executions.

Status SqliteExecutionStore::CreateExecution(const ExecutionRecord& record) {
  MLF_RETURN_IF_ERROR(history::CheckExecutionRecord(record));
  std::lock_guard<std::mutex> lock(mu_);
  MLF_RETURN_IF_ERROR(BeginWriteLocked());
  Status result = [&]() -> Status {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db_->Cached(fmt::format("INSERT INTO executions ({}, owner_pid) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                                "?10, ?11, ?12, ?13, ?14, ?15)",
                                kExecutionColumns)));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, record.arn));
    MLF_RETURN_IF_ERROR(stmt->BindText(2, record.name));
    MLF_RETURN_IF_ERROR(stmt->BindText(3, record.state_machine_arn));
    MLF_RETURN_IF_ERROR(stmt->BindText(4, record.state_machine_name));
    MLF_RETURN_IF_ERROR(stmt->BindInt64(5, record.state_machine_version));
    MLF_RETURN_IF_ERROR(
        stmt->BindText(6, history::ExecutionStatusName(record.status)));
    MLF_RETURN_IF_ERROR(stmt->BindText(7, record.input));
    MLF_RETURN_IF_ERROR(stmt->BindOptionalText(8, record.output));
    MLF_RETURN_IF_ERROR(stmt->BindOptionalText(9, record.error));
    MLF_RETURN_IF_ERROR(stmt->BindOptionalText(10, record.cause));
    MLF_RETURN_IF_ERROR(stmt->BindInt64(11, record.start_ms));
    MLF_RETURN_IF_ERROR(stmt->BindOptionalInt64(12, record.stop_ms));
    MLF_RETURN_IF_ERROR(stmt->BindInt64(13, record.redrive_count));
    MLF_RETURN_IF_ERROR(stmt->BindOptionalInt64(14, record.redrive_ms));
    // The creating process runs a RUNNING execution (ClaimExecution).
    std::optional<int64_t> owner;
    if (record.status == history::ExecutionStatus::kRunning) owner = ::getpid();
    MLF_RETURN_IF_ERROR(stmt->BindOptionalInt64(15, owner));
    Status inserted = stmt->Run();
    if (inserted.code() == StatusCode::kAlreadyExists) {
      return AlreadyExistsError(
          fmt::format("execution '{}' already exists", record.arn));
    }
    return inserted;
  }();
  MLF_RETURN_IF_ERROR(EndWriteLocked(result, 1));
  // Durable on return (ExecutionStore contract), with everything before it.
  return CommitLocked();
}

Status SqliteExecutionStore::UpdateExecution(const ExecutionRecord& record) {
  std::lock_guard<std::mutex> lock(mu_);
  MLF_RETURN_IF_ERROR(BeginWriteLocked());
  Status result = [&]() -> Status {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db_->Cached("UPDATE executions SET status = ?2, output = ?3, error = "
                    "?4, cause = ?5, stop_ms = ?6, redrive_count = ?7, "
                    "redrive_ms = ?8, owner_pid = CASE WHEN ?2 = 'RUNNING' "
                    "THEN owner_pid END WHERE arn = ?1"));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, record.arn));
    MLF_RETURN_IF_ERROR(
        stmt->BindText(2, history::ExecutionStatusName(record.status)));
    MLF_RETURN_IF_ERROR(stmt->BindOptionalText(3, record.output));
    MLF_RETURN_IF_ERROR(stmt->BindOptionalText(4, record.error));
    MLF_RETURN_IF_ERROR(stmt->BindOptionalText(5, record.cause));
    MLF_RETURN_IF_ERROR(stmt->BindOptionalInt64(6, record.stop_ms));
    MLF_RETURN_IF_ERROR(stmt->BindInt64(7, record.redrive_count));
    MLF_RETURN_IF_ERROR(stmt->BindOptionalInt64(8, record.redrive_ms));
    MLF_RETURN_IF_ERROR(stmt->Run());
    if (db_->Changes() == 0) return history::ExecutionNotFound(record.arn);
    return Status::Ok();
  }();
  MLF_RETURN_IF_ERROR(EndWriteLocked(result, 1));
  return CommitIfFullLocked();
}

StatusOr<ExecutionRecord> SqliteExecutionStore::ClaimExecution(
    const std::string& arn, bool redrive, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  MLF_RETURN_IF_ERROR(BeginWriteLocked());
  // In the write transaction: no other process can claim in between.
  StatusOr<ExecutionRecord> claimed = [&]() -> StatusOr<ExecutionRecord> {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * get,
        db_->Cached(fmt::format("SELECT {}, owner_pid FROM executions WHERE "
                                "arn = ?1",
                                kExecutionColumns)));
    ExecutionRecord record;
    std::optional<int64_t> owner;
    {
      ScopedReset reset(get);
      MLF_RETURN_IF_ERROR(get->BindText(1, arn));
      MLF_ASSIGN_OR_RETURN(bool found, get->Step());
      if (!found) return history::ExecutionNotFound(arn);
      MLF_ASSIGN_OR_RETURN(record, ReadExecution(*get));
      owner = get->ColumnOptionalInt64(14);
    }
    MLF_RETURN_IF_ERROR(history::CheckClaimable(record, redrive));
    const int64_t self = ::getpid();
    if (!redrive && owner.has_value() && *owner != self && ProcessAlive(*owner)) {
      return FailedPreconditionError(fmt::format(
          "execution '{}' is running in process {}; it resumes here only once "
          "that process has ended",
          arn, *owner));
    }
    if (redrive) history::ApplyRedrive(record, now_ms);
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * set,
        db_->Cached("UPDATE executions SET status = ?2, output = ?3, error = "
                    "?4, cause = ?5, stop_ms = ?6, redrive_count = ?7, "
                    "redrive_ms = ?8, owner_pid = ?9 WHERE arn = ?1"));
    ScopedReset reset(set);
    MLF_RETURN_IF_ERROR(set->BindText(1, arn));
    MLF_RETURN_IF_ERROR(
        set->BindText(2, history::ExecutionStatusName(record.status)));
    MLF_RETURN_IF_ERROR(set->BindOptionalText(3, record.output));
    MLF_RETURN_IF_ERROR(set->BindOptionalText(4, record.error));
    MLF_RETURN_IF_ERROR(set->BindOptionalText(5, record.cause));
    MLF_RETURN_IF_ERROR(set->BindOptionalInt64(6, record.stop_ms));
    MLF_RETURN_IF_ERROR(set->BindInt64(7, record.redrive_count));
    MLF_RETURN_IF_ERROR(set->BindOptionalInt64(8, record.redrive_ms));
    MLF_RETURN_IF_ERROR(set->BindInt64(9, self));
    MLF_RETURN_IF_ERROR(set->Run());
    return record;
  }();
  MLF_RETURN_IF_ERROR(EndWriteLocked(claimed.status(), 1));
  MLF_RETURN_IF_ERROR(CommitLocked());
  return claimed;
}

StatusOr<std::optional<int64_t>> SqliteExecutionStore::ExecutionOwner(
    const std::string& arn) {
  std::lock_guard<std::mutex> lock(mu_);
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db_->Cached("SELECT owner_pid FROM executions WHERE arn = ?1"));
  ScopedReset reset(stmt);
  MLF_RETURN_IF_ERROR(stmt->BindText(1, arn));
  MLF_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found) return history::ExecutionNotFound(arn);
  std::optional<int64_t> owner = stmt->ColumnOptionalInt64(0);
  if (owner.has_value() && !ProcessAlive(*owner)) owner.reset();
  return owner;
}

StatusOr<ExecutionRecord> SqliteExecutionStore::GetExecution(
    const std::string& arn) {
  std::lock_guard<std::mutex> lock(mu_);
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db_->Cached(fmt::format("SELECT {} FROM executions WHERE arn = ?1",
                              kExecutionColumns)));
  ScopedReset reset(stmt);
  MLF_RETURN_IF_ERROR(stmt->BindText(1, arn));
  MLF_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found) return history::ExecutionNotFound(arn);
  return ReadExecution(*stmt);
}

StatusOr<ExecutionRecord> SqliteExecutionStore::FindExecutionByName(
    const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db_->Cached(fmt::format("SELECT {} FROM executions WHERE name = ?1 "
                              "ORDER BY start_ms DESC, arn DESC LIMIT 1",
                              kExecutionColumns)));
  ScopedReset reset(stmt);
  MLF_RETURN_IF_ERROR(stmt->BindText(1, name));
  MLF_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found) return NotFoundError(fmt::format("no execution named '{}'", name));
  return ReadExecution(*stmt);
}

StatusOr<ExecutionPage> SqliteExecutionStore::ListExecutions(
    const ExecutionFilter& filter) {
  std::optional<history::ExecutionPageKey> after;
  if (filter.page_token.has_value()) {
    MLF_ASSIGN_OR_RETURN(after,
                         history::DecodeExecutionPageToken(*filter.page_token));
  }
  const int limit = history::EffectiveListLimit(filter);
  // Keyset paging on (start_ms, arn), the order of every executions index.
  std::string sql = fmt::format("SELECT {} FROM executions WHERE 1",
                                kExecutionColumns);
  if (filter.status.has_value()) sql += " AND status = ?1";
  if (filter.state_machine_arn.has_value()) sql += " AND state_machine_arn = ?2";
  if (after.has_value()) sql += " AND (start_ms, arn) < (?3, ?4)";
  sql += " ORDER BY start_ms DESC, arn DESC LIMIT ?5";

  std::lock_guard<std::mutex> lock(mu_);
  MLF_ASSIGN_OR_RETURN(SqliteStatement * stmt, db_->Cached(sql));
  ScopedReset reset(stmt);
  if (filter.status.has_value()) {
    MLF_RETURN_IF_ERROR(
        stmt->BindText(1, history::ExecutionStatusName(*filter.status)));
  }
  if (filter.state_machine_arn.has_value()) {
    MLF_RETURN_IF_ERROR(stmt->BindText(2, *filter.state_machine_arn));
  }
  if (after.has_value()) {
    MLF_RETURN_IF_ERROR(stmt->BindInt64(3, after->start_ms));
    MLF_RETURN_IF_ERROR(stmt->BindText(4, after->arn));
  }
  // One more than a page tells whether there is a next page.
  MLF_RETURN_IF_ERROR(stmt->BindInt64(5, int64_t{limit} + 1));
  ExecutionPage page;
  while (true) {
    MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    if (page.executions.size() == static_cast<std::size_t>(limit)) {
      const ExecutionRecord& last = page.executions.back();
      page.next_token =
          history::EncodeExecutionPageToken(last.start_ms, last.arn);
      break;
    }
    MLF_ASSIGN_OR_RETURN(ExecutionRecord record, ReadExecution(*stmt));
    page.executions.push_back(std::move(record));
  }
  return page;
}

// ---- History.

Status SqliteExecutionStore::AppendEvents(
    const std::string& execution_arn, const std::vector<HistoryEvent>& events) {
  std::lock_guard<std::mutex> lock(mu_);
  MLF_RETURN_IF_ERROR(BeginWriteLocked());
  Status result = AppendEventsLocked(execution_arn, events);
  MLF_RETURN_IF_ERROR(
      EndWriteLocked(result, static_cast<int64_t>(events.size())));
  return CommitIfFullLocked();
}

Status SqliteExecutionStore::AppendEventsLocked(
    const std::string& execution_arn, const std::vector<HistoryEvent>& events) {
  int64_t last_id = 0;
  {
    // The clustered key makes max(id) one seek to the end of the range.
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db_->Cached("SELECT (SELECT 1 FROM executions WHERE arn = ?1), "
                    "(SELECT max(id) FROM history_events WHERE "
                    "execution_arn = ?1)"));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, execution_arn));
    MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row || stmt->ColumnIsNull(0)) {
      return history::ExecutionNotFound(execution_arn);
    }
    last_id = stmt->ColumnOptionalInt64(1).value_or(0);
  }
  MLF_RETURN_IF_ERROR(
      history::CheckAppendedEvents(execution_arn, last_id, events));
  // Every event's details are serialised into one buffer first, so the rows
  // can be bound without copies (the buffer, `events` and `execution_arn`
  // outlive each statement's run).
  std::string details;
  std::vector<std::pair<std::size_t, std::size_t>> spans;  // offset, size
  spans.reserve(events.size());
  for (const HistoryEvent& event : events) {
    const std::size_t start = details.size();
    if (!event.details.is_null()) AppendJson(event.details, details);
    spans.emplace_back(start, details.size() - start);
  }
  // Binds events[k] as the row whose parameters start at `first` (the
  // execution ARN is ?1, shared by every row).
  auto bind_row = [&](SqliteStatement* stmt, int first, std::size_t k) -> Status {
    const HistoryEvent& event = events[k];
    MLF_RETURN_IF_ERROR(stmt->BindInt64(first, event.id));
    MLF_RETURN_IF_ERROR(stmt->BindInt64(first + 1, event.previous_event_id));
    MLF_RETURN_IF_ERROR(stmt->BindInt64(first + 2, event.timestamp_ms));
    MLF_RETURN_IF_ERROR(stmt->BindTextView(first + 3, event.type));
    if (event.details.is_null()) {
      MLF_RETURN_IF_ERROR(stmt->BindNull(first + 4));
    } else {
      MLF_RETURN_IF_ERROR(stmt->BindTextView(
          first + 4, std::string_view(details).substr(spans[k].first, spans[k].second)));
    }
    return stmt->BindTextView(first + 5, event.frame);
  };
  // Full groups of kRowsPerInsert rows go in one statement each: SQLite's
  // cost per statement (step, halt, reset) is then paid once per group.
  std::size_t i = 0;
  if (events.size() >= kRowsPerInsert) {
    MLF_ASSIGN_OR_RETURN(SqliteStatement * batch, db_->Cached(InsertEventsSql(kRowsPerInsert)));
    for (; i + kRowsPerInsert <= events.size(); i += kRowsPerInsert) {
      ScopedReset reset(batch);
      MLF_RETURN_IF_ERROR(batch->BindTextView(1, execution_arn));
      for (std::size_t r = 0; r < kRowsPerInsert; ++r) {
        MLF_RETURN_IF_ERROR(bind_row(batch, 2 + static_cast<int>(r) * 6, i + r));
      }
      MLF_RETURN_IF_ERROR(batch->Run());
    }
  }
  if (i == events.size()) return Status::Ok();
  MLF_ASSIGN_OR_RETURN(SqliteStatement * insert, db_->Cached(InsertEventsSql(1)));
  for (; i < events.size(); ++i) {
    ScopedReset reset(insert);
    MLF_RETURN_IF_ERROR(insert->BindTextView(1, execution_arn));
    MLF_RETURN_IF_ERROR(bind_row(insert, 2, i));
    MLF_RETURN_IF_ERROR(insert->Run());
  }
  return Status::Ok();
}

Status SqliteExecutionStore::ScanHistory(
    const std::string& execution_arn, const HistoryQuery& query,
    const std::function<Status(const StoredHistoryEvent&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  MLF_ASSIGN_OR_RETURN(bool exists, ExecutionExistsLocked(execution_arn));
  if (!exists) return history::ExecutionNotFound(execution_arn);
  MLF_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db_->Cached(query.reverse
                      ? "SELECT id, previous_event_id, timestamp_ms, type, "
                        "details, frame FROM history_events WHERE "
                        "execution_arn = ?1 AND id < ?2 ORDER BY id DESC "
                        "LIMIT ?3"
                      : "SELECT id, previous_event_id, timestamp_ms, type, "
                        "details, frame FROM history_events WHERE "
                        "execution_arn = ?1 AND id > ?2 ORDER BY id LIMIT ?3"));
  ScopedReset reset(stmt);
  int64_t bound = query.after_id;
  if (query.reverse && query.after_id <= 0) {
    bound = std::numeric_limits<int64_t>::max();
  }
  MLF_RETURN_IF_ERROR(stmt->BindText(1, execution_arn));
  MLF_RETURN_IF_ERROR(stmt->BindInt64(2, bound));
  MLF_RETURN_IF_ERROR(stmt->BindInt64(3, query.limit > 0 ? query.limit : -1));
  StoredHistoryEvent event;
  while (true) {
    MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    event.id = stmt->ColumnInt64(0);
    event.previous_event_id = stmt->ColumnInt64(1);
    event.timestamp_ms = stmt->ColumnInt64(2);
    event.type = stmt->ColumnView(3);
    event.details.reset();
    if (!stmt->ColumnIsNull(4)) event.details = stmt->ColumnView(4);
    event.frame = stmt->ColumnView(5);
    MLF_RETURN_IF_ERROR(fn(event));
  }
  return Status::Ok();
}

StatusOr<std::vector<HistoryEvent>> SqliteExecutionStore::GetHistory(
    const std::string& execution_arn, const HistoryQuery& query) {
  std::vector<HistoryEvent> out;
  MLF_RETURN_IF_ERROR(ScanHistory(
      execution_arn, query, [&](const StoredHistoryEvent& stored) -> Status {
        HistoryEvent event;
        event.id = stored.id;
        event.previous_event_id = stored.previous_event_id;
        event.timestamp_ms = stored.timestamp_ms;
        event.type = std::string(stored.type);
        event.frame = std::string(stored.frame);
        if (stored.details.has_value()) {
          StatusOr<Json> details = ParseJson(*stored.details);
          if (!details.ok()) {
            return DataLossError(fmt::format(
                "execution '{}': event {} has unreadable details: {}",
                execution_arn, event.id, details.status().message()));
          }
          event.details = std::move(details).value();
        }
        out.push_back(std::move(event));
        return Status::Ok();
      }));
  return out;
}

}  // namespace mlflowctl::store
