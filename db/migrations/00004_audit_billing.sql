-- audit_events keeps who did what (no FK: the trail must outlive a deleted team);
-- billing_outbox holds usage events until the billing sender delivers them (transactional outbox).
-- +up
CREATE TABLE audit_events (
  id bigserial PRIMARY KEY,
  team_id text,
  actor text NOT NULL,
  action text NOT NULL,
  target text,
  data jsonb NOT NULL DEFAULT '{}',
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_team_at_idx ON audit_events (team_id, at, id);

CREATE TABLE billing_outbox (
  id bigserial PRIMARY KEY,
  team_id text NOT NULL,
  event text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX billing_outbox_unsent_idx ON billing_outbox (id) WHERE sent_at IS NULL;

-- +down
DROP TABLE billing_outbox;
DROP TABLE audit_events;
