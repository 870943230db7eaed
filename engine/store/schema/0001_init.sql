-- 0001_init: state machines (with their versions), executions and history.
-- Times are epoch milliseconds; payloads and event details are JSON text.

CREATE TABLE state_machines (
  arn TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  definition TEXT NOT NULL,
  type TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);

-- One row per version of a machine's definition (1 = as created).
CREATE TABLE state_machine_versions (
  state_machine_arn TEXT NOT NULL
    REFERENCES state_machines (arn) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  definition TEXT NOT NULL,
  type TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (state_machine_arn, version)
);

-- Executions outlive their state machine (DeleteStateMachine keeps them),
-- so state_machine_arn is not a foreign key.
CREATE TABLE executions (
  arn TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  state_machine_arn TEXT NOT NULL,
  state_machine_name TEXT NOT NULL,
  state_machine_version INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED',
                                         'TIMED_OUT', 'ABORTED',
                                         'PENDING_REDRIVE')),
  input TEXT NOT NULL,
  output TEXT,
  error TEXT,
  cause TEXT,
  start_ms INTEGER NOT NULL,
  stop_ms INTEGER
);

-- ListExecutions is newest first by (start_ms, arn), optionally filtered by
-- machine or status; FindExecutionByName wants the newest of a name.
CREATE INDEX executions_by_start ON executions (start_ms, arn);
CREATE INDEX executions_by_machine
  ON executions (state_machine_arn, start_ms, arn);
CREATE INDEX executions_by_status ON executions (status, start_ms, arn);
CREATE INDEX executions_by_name ON executions (name, start_ms, arn);

-- Clustered by (execution, id): one execution's history is one range scan
-- (bench/README.md §3: about 6x faster than a rowid table with an index).
CREATE TABLE history_events (
  execution_arn TEXT NOT NULL REFERENCES executions (arn) ON DELETE CASCADE,
  id INTEGER NOT NULL,
  previous_event_id INTEGER NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  type TEXT NOT NULL,
  details TEXT,
  PRIMARY KEY (execution_arn, id)
) WITHOUT ROWID;
