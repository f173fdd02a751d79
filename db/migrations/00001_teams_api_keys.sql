-- Teams own everything; API keys authenticate a team. Keys are stored as a SHA-256 hash only.
-- +up
CREATE TABLE teams (
  id text PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  id text PRIMARY KEY,
  team_id text NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  prefix text NOT NULL CHECK (prefix ~ '^[0-9a-f]{8}$'),
  hash text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
  name text NOT NULL,
  scopes text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_prefix_idx ON api_keys (prefix);
CREATE INDEX api_keys_team_idx ON api_keys (team_id, created_at);

-- +down
DROP TABLE api_keys;
DROP TABLE teams;
