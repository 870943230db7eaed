// SqliteExecutionStore: the ExecutionStore on one SQLite file in WAL mode.
// AppendEvents/UpdateExecution go into an open transaction committed by
// Sync(), past max_pending_events, or on destruction (group commit); other
// writes commit at once. Reads share the connection, so they see pending
// writes. Thread-safe (one mutex around the connection); several processes
// may share a file, a writer waiting up to busy_timeout_ms for the lock.
#ifndef MLFLOWCTL_STORE_SQLITE_EXECUTION_STORE_H_
#define MLFLOWCTL_STORE_SQLITE_EXECUTION_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/status_or.h"
#include "engine/history/execution_store.h"
#include "engine/store/sqlite_db.h"

namespace mlflowctl::store {

struct SqliteStoreOptions {
  // PRAGMA synchronous. With kNormal (the default) a commit survives a
  // process crash but the last commits may be lost on power failure; kFull
  // fsyncs the WAL on every commit and survives both.
  enum class Synchronous { kNormal, kFull };
  Synchronous synchronous = Synchronous::kNormal;
  // Open an existing database for reading only; writes fail with
  // kFailedPrecondition.
  bool read_only = false;
  // Buffered writes (events and execution updates) that trigger a commit
  // without waiting for Sync().
  int max_pending_events = 4096;
  // How long to wait for another process's write lock.
  int busy_timeout_ms = 5000;
};

// One history event as stored, for readers that copy its details text
// instead of parsing it (`executions history --json`). The views point into
// SQLite's current row: valid only during the ScanHistory callback.
struct StoredHistoryEvent {
  int64_t id = 0;
  int64_t previous_event_id = 0;
  int64_t timestamp_ms = 0;
  std::string_view type;
  std::string_view frame;
  // The details' JSON text as AppendEvents wrote it (DumpJson: compact,
  // object keys sorted); nullopt when the event has none.
  std::optional<std::string_view> details;
};

class SqliteExecutionStore : public history::ExecutionStore {
 public:
  // Opens or creates the database at `path`, creating its parent
  // directories, and migrates it to the newest schema. ":memory:" opens a
  // private in-memory database. Errors:
  //   kInvalidArgument    `path` is empty;
  //   kFailedPrecondition a parent directory cannot be created, `path` is a
  //                       directory, the file is write-protected (and
  //                       read_only is not set), or its schema is newer than
  //                       this program's;
  //   kNotFound           read_only is set and the file does not exist;
  //   kDataLoss           the file is not a database or is corrupt;
  //   kUnavailable        another process holds the lock past the timeout,
  //                       or I/O failed.
  static StatusOr<std::unique_ptr<SqliteExecutionStore>> Open(
      const std::string& path);
  static StatusOr<std::unique_ptr<SqliteExecutionStore>> Open(
      const std::string& path, const SqliteStoreOptions& options);

  SqliteExecutionStore(const SqliteExecutionStore&) = delete;
  SqliteExecutionStore& operator=(const SqliteExecutionStore&) = delete;
  // Commits pending writes; an error here cannot be reported, so callers
  // that care call Sync() first.
  ~SqliteExecutionStore() override;

  // ExecutionStore. Besides the codes the interface documents, any method
  // may return what SqliteStatus maps SQLite's errors to (kUnavailable,
  // kDataLoss, kFailedPrecondition for a read-only store). When a commit
  // fails, every write buffered since the last commit is rolled back and the
  // error is returned by the call that committed.
  StatusOr<history::StateMachineRecord> PutStateMachine(
      const history::StateMachineRecord& record) override;
  StatusOr<history::StateMachineRecord> GetStateMachine(
      const std::string& arn) override;
  StatusOr<std::vector<history::StateMachineRecord>> ListStateMachines()
      override;
  Status DeleteStateMachine(const std::string& arn) override;

  Status CreateExecution(const history::ExecutionRecord& record) override;
  Status UpdateExecution(const history::ExecutionRecord& record) override;
  // The owner is the process id (owner_pid), checked with kill(pid, 0): one
  // machine. A pid reused by an unrelated process after a crash looks alive;
  // `executions resume` then refuses until that process ends.
  StatusOr<history::ExecutionRecord> ClaimExecution(const std::string& arn,
                                                    bool redrive,
                                                    int64_t now_ms) override;
  StatusOr<history::ExecutionRecord> GetExecution(
      const std::string& arn) override;
  StatusOr<history::ExecutionRecord> FindExecutionByName(
      const std::string& name) override;
  StatusOr<history::ExecutionPage> ListExecutions(
      const history::ExecutionFilter& filter) override;

  Status AppendEvents(const std::string& execution_arn,
                      const std::vector<history::HistoryEvent>& events) override;
  StatusOr<std::vector<history::HistoryEvent>> GetHistory(
      const std::string& execution_arn,
      const history::HistoryQuery& query) override;

  // Commits the open transaction, if any.
  Status Sync() override;

  // Calls `fn` with each event GetHistory(execution_arn, query) returns, in
  // the same order, without parsing their details. kNotFound if there is no
  // such execution; stops at the first non-OK status `fn` returns and
  // returns it. `fn` runs under the store's mutex: it must not call the
  // store.
  Status ScanHistory(const std::string& execution_arn,
                     const history::HistoryQuery& query,
                     const std::function<Status(const StoredHistoryEvent&)>& fn);

  // The state machine as it was at `version` (1 = as created); kNotFound if
  // the machine or that version does not exist.
  StatusOr<history::StateMachineRecord> GetStateMachineVersion(
      const std::string& arn, int64_t version) override;

  // The live process that owns a RUNNING execution; nullopt when none (or
  // its owner has ended). kNotFound if there is no such execution.
  StatusOr<std::optional<int64_t>> ExecutionOwner(const std::string& arn);

  // Buffered writes not yet committed.
  int64_t PendingWrites();

  // Sharing the connection with the other record stores on this file
  // (SqliteModelRegistry, SqliteParameterStore, SqliteNotificationLog): a
  // process keeps one connection, because group commit holds the write lock
  // between syncs and a second connection would wait for it.
  //
  // Runs `fn` under the store's mutex in a savepoint of the open
  // transaction, then commits everything buffered (pending execution writes
  // included), so fn's writes are durable on return. If fn fails, its
  // writes are rolled back and its Status is returned; a failed commit
  // returns the commit's error (see SqliteStatus).
  Status WriteShared(const std::function<Status(SqliteDb&)>& fn);
  // Runs `fn` under the store's mutex; `fn` only reads. Reads see pending
  // writes.
  Status ReadShared(const std::function<Status(SqliteDb&)>& fn);

 private:
  SqliteExecutionStore(std::unique_ptr<SqliteDb> db,
                       const SqliteStoreOptions& options);

  // All *Locked methods require mu_.
  // Opens a transaction unless one is open; then a savepoint, so a failed
  // call undoes only its own writes.
  Status BeginWriteLocked();
  // Ends the call's savepoint: on success releases it and counts `writes`
  // as pending; on failure rolls it back and returns `result`.
  Status EndWriteLocked(Status result, int64_t writes);
  Status CommitLocked();
  // BEGIN IMMEDIATE (see the .cc for the first commit of a new WAL).
  Status BeginLocked();
  // Back to the configured syncs once that transaction has ended.
  Status RestoreSyncLocked();
  bool WalIsEmptyLocked() const;
  Status CommitIfFullLocked();

  StatusOr<bool> ExecutionExistsLocked(const std::string& arn);
  StatusOr<history::StateMachineRecord> PutStateMachineLocked(
      const history::StateMachineRecord& record);
  Status AppendEventsLocked(const std::string& execution_arn,
                            const std::vector<history::HistoryEvent>& events);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;
  const SqliteStoreOptions options_;
  int64_t pending_writes_ = 0;
  // BeginLocked(): the first commit into a new, empty WAL skips the syncs
  // of its header; unsynced_commit_ while that transaction is open.
  bool first_commit_done_ = false;
  bool unsynced_commit_ = false;
};

}  // namespace mlflowctl::store

#endif  // MLFLOWCTL_STORE_SQLITE_EXECUTION_STORE_H_
