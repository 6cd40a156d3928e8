-- A session keeps what the refresh statement needs to know of its client:
-- the client's idle lifetime (0: the server's default) and whether it is
-- confidential. Refresh then reads no other table than users. The store
-- copies both when it creates a session and keeps them in step when a
-- client changes, so a new idle lifetime still applies to existing sessions
-- from their next refresh.

-- +goose Up
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS client_idle_ttl_seconds integer NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS client_confidential boolean NOT NULL DEFAULT false;
UPDATE sessions s SET client_idle_ttl_seconds = c.idle_ttl_seconds, client_confidential = (c.client_type = 'confidential')
  FROM clients c
  WHERE c.client_id = s.client_id AND s.revoked_at IS NULL
    AND (c.idle_ttl_seconds <> 0 OR c.client_type = 'confidential');

-- +goose Down
ALTER TABLE sessions DROP COLUMN IF EXISTS client_confidential;
ALTER TABLE sessions DROP COLUMN IF EXISTS client_idle_ttl_seconds;
