-- Hosts run sandboxes. used_* are the control plane's reservations (placement adds, release subtracts);
-- the host agent's heartbeat keeps last_heartbeat_at fresh and reports how many VMs it runs.
-- +up
CREATE TABLE hosts (
  id text PRIMARY KEY,
  address text NOT NULL,
  state text NOT NULL DEFAULT 'healthy' CHECK (state IN ('healthy', 'unhealthy', 'draining')),
  vcpus integer NOT NULL CHECK (vcpus > 0),
  mem_mib integer NOT NULL CHECK (mem_mib > 0),
  disk_mib integer NOT NULL CHECK (disk_mib >= 0),
  used_vcpus integer NOT NULL DEFAULT 0 CHECK (used_vcpus >= 0),
  used_mem_mib integer NOT NULL DEFAULT 0 CHECK (used_mem_mib >= 0),
  used_disk_mib integer NOT NULL DEFAULT 0 CHECK (used_disk_mib >= 0),
  sandboxes integer NOT NULL DEFAULT 0 CHECK (sandboxes >= 0),
  accelerator text,
  labels jsonb NOT NULL DEFAULT '{}',
  last_heartbeat_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hosts_state_heartbeat_idx ON hosts (state, last_heartbeat_at);

-- +down
DROP TABLE hosts;
