-- Sandboxes: one row per microVM. State changes only through guarded UPDATEs (src/shared/models).
-- host_unreachable_at flags sandboxes whose host stopped heartbeating (state is kept: the VM may be fine);
-- lease_owner/lease_until let one lifecycle replica claim an expired sandbox while it acts on it.
-- +up
CREATE TABLE sandboxes (
  id text PRIMARY KEY CHECK (id ~ '^sb-[0-9a-f]{8}$'),
  team_id text NOT NULL REFERENCES teams (id),
  host_id text REFERENCES hosts (id) ON DELETE SET NULL,
  template text NOT NULL,
  state text NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'starting', 'running', 'paused', 'hibernated', 'stopped', 'error')),
  vcpus integer NOT NULL CHECK (vcpus > 0),
  mem_mib integer NOT NULL CHECK (mem_mib > 0),
  disk_mib integer NOT NULL CHECK (disk_mib >= 0),
  metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  env jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(env) = 'object'),
  timeout_s integer NOT NULL CHECK (timeout_s > 0),
  idle_timeout_s integer CHECK (idle_timeout_s > 0),
  on_timeout text NOT NULL DEFAULT 'destroy' CHECK (on_timeout IN ('pause', 'destroy')),
  envd_access_token text,
  snapshot_location text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  paused_at timestamptz,
  stopped_at timestamptz,
  last_activity_at timestamptz NOT NULL DEFAULT now(),
  end_at timestamptz,
  error text,
  host_unreachable_at timestamptz,
  lease_owner text,
  lease_until timestamptz
);
CREATE INDEX sandboxes_team_state_idx ON sandboxes (team_id, state);
CREATE INDEX sandboxes_team_created_idx ON sandboxes (team_id, created_at, id);
CREATE INDEX sandboxes_metadata_idx ON sandboxes USING gin (metadata jsonb_path_ops);
CREATE INDEX sandboxes_host_idx ON sandboxes (host_id) WHERE host_id IS NOT NULL;
CREATE INDEX sandboxes_running_end_idx ON sandboxes (end_at) WHERE state = 'running';

-- +down
DROP TABLE sandboxes;
