-- 0003_hosting: SageMaker-shaped hosting records: models, endpoint configs,
-- endpoints and the history of each endpoint's config changes. Names compare
-- case-insensitively (SageMaker lower-cases them in ARNs). Times are epoch
-- milliseconds; nested shapes are JSON text.

CREATE TABLE hosting_models (
  name TEXT NOT NULL COLLATE NOCASE PRIMARY KEY,
  primary_container TEXT NOT NULL,
  execution_role_arn TEXT NOT NULL,
  created_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- production_variants is a JSON array; data_capture_config is NULL when
-- capture is not configured.
CREATE TABLE endpoint_configs (
  name TEXT NOT NULL COLLATE NOCASE PRIMARY KEY,
  production_variants TEXT NOT NULL,
  data_capture_config TEXT,
  created_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- config_name serves; pending_config_name is being deployed (Updating).
CREATE TABLE endpoints (
  name TEXT NOT NULL COLLATE NOCASE PRIMARY KEY,
  config_name TEXT NOT NULL REFERENCES endpoint_configs (name),
  pending_config_name TEXT REFERENCES endpoint_configs (name),
  status TEXT NOT NULL,
  failure_reason TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  last_modified_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- Every finished change of an endpoint's config, in order (id). Kept when
-- the endpoint is deleted.
CREATE TABLE endpoint_changes (
  id INTEGER PRIMARY KEY,
  endpoint_name TEXT NOT NULL COLLATE NOCASE,
  from_config TEXT,
  to_config TEXT NOT NULL,
  outcome TEXT NOT NULL,
  failure_reason TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  changed_ms INTEGER NOT NULL
);
CREATE INDEX endpoint_changes_by_endpoint
  ON endpoint_changes (endpoint_name, id);
