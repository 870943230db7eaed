// The SQL of schema/0005_triggers.sql, compiled into the binary. The two must
// stay byte-for-byte equal (checked by tests/unit/store/migrations_test.cc).
namespace mlflowctl::store::schema {

extern const char k0005Triggers[];
const char k0005Triggers[] = R"sql(
-- 0005_triggers: schedule, watch and execution-event triggers and their
-- firings. Times are epoch milliseconds. spec holds the kind's members as
-- JSON (triggers::TriggerSpecJson); input is JSON text or NULL.
--
-- A firing is claimed before its execution starts: UNIQUE (trigger_id,
-- firing_key) is what keeps one slot or file from firing twice, across a
-- restart and across processes. execution_arn and error are filled in once
-- the start returned.

CREATE TABLE triggers (
  id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  machine TEXT NOT NULL,
  spec TEXT NOT NULL,
  input TEXT,
  enabled INTEGER NOT NULL,
  created_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE trigger_firings (
  id INTEGER PRIMARY KEY,
  trigger_id TEXT NOT NULL,
  firing_key TEXT NOT NULL,
  slot_ms INTEGER,
  fired_ms INTEGER NOT NULL,
  execution_arn TEXT,
  error TEXT,
  UNIQUE (trigger_id, firing_key)
);
CREATE INDEX trigger_firings_by_slot ON trigger_firings (trigger_id, slot_ms);
)sql";

}  // namespace mlflowctl::store::schema
