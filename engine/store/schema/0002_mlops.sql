-- 0002_mlops: the model registry, the parameter store and the notification
-- log. Times are epoch milliseconds; metrics, lineage and attributes are
-- JSON text.

CREATE TABLE model_package_groups (
  name TEXT NOT NULL PRIMARY KEY,
  created_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- Versions are 1, 2, ... per group. client_token makes a retried
-- registration return the package it made the first time.
CREATE TABLE model_packages (
  group_name TEXT NOT NULL
    REFERENCES model_package_groups (name) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  algorithm TEXT NOT NULL,
  artifact_uri TEXT NOT NULL,
  metrics TEXT NOT NULL,
  lineage TEXT NOT NULL,
  client_token TEXT,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (group_name, version)
) WITHOUT ROWID;
CREATE UNIQUE INDEX model_packages_by_token
  ON model_packages (group_name, client_token)
  WHERE client_token IS NOT NULL;

CREATE TABLE model_aliases (
  group_name TEXT NOT NULL,
  alias TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (group_name, alias),
  FOREIGN KEY (group_name, version)
    REFERENCES model_packages (group_name, version) ON DELETE CASCADE
) WITHOUT ROWID;

-- Every move of an alias, in the order made (id).
CREATE TABLE model_alias_moves (
  id INTEGER PRIMARY KEY,
  group_name TEXT NOT NULL
    REFERENCES model_package_groups (name) ON DELETE CASCADE,
  alias TEXT NOT NULL,
  from_version INTEGER,
  to_version INTEGER NOT NULL,
  moved_by TEXT NOT NULL,
  moved_ms INTEGER NOT NULL
);
CREATE INDEX model_alias_moves_by_group ON model_alias_moves (group_name, id);

-- Names are canonical ("/a/b"); version is the current one.
CREATE TABLE parameters (
  name TEXT NOT NULL PRIMARY KEY,
  version INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE parameter_versions (
  name TEXT NOT NULL REFERENCES parameters (name) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('String', 'StringList', 'SecureString')),
  value TEXT NOT NULL,
  description TEXT NOT NULL,
  tier TEXT NOT NULL,
  data_type TEXT NOT NULL,
  modified_ms INTEGER NOT NULL,
  modified_by TEXT NOT NULL,
  PRIMARY KEY (name, version)
) WITHOUT ROWID;

-- Published messages in order (seq); newest first is a reverse scan.
CREATE TABLE notifications (
  seq INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  topic_arn TEXT NOT NULL,
  subject TEXT,
  message TEXT NOT NULL,
  attributes TEXT NOT NULL,
  execution_arn TEXT NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  delivery_status TEXT NOT NULL,
  delivery_detail TEXT NOT NULL
);
