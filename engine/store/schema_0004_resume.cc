// The SQL of schema/0004_resume.sql, compiled into the binary. The two must
// stay byte-for-byte equal (checked by tests/unit/store/migrations_test.cc).
namespace mlflowctl::store::schema {

extern const char k0004Resume[];
const char k0004Resume[] = R"sql(
-- 0004_resume: what resuming and redriving executions need.
--
-- history_events.frame: the frame (top level '', Parallel branch or Map
-- iteration) that emitted the event, so a resumed execution replays each
-- frame's events in order. Internal; not part of the API shapes.
--
-- executions.redrive_count / redrive_ms: RedriveExecution's count and the
-- date of the last redrive.
--
-- executions.owner_pid: the process that runs a RUNNING execution (NULL once
-- it ends). Another process resumes it only once that process is gone, so
-- two processes on one store never run one execution (one machine: the pid
-- is checked with kill(pid, 0)).

ALTER TABLE history_events ADD COLUMN frame TEXT NOT NULL DEFAULT '';
ALTER TABLE executions ADD COLUMN redrive_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN redrive_ms INTEGER;
ALTER TABLE executions ADD COLUMN owner_pid INTEGER;
)sql";

}  // namespace mlflowctl::store::schema
