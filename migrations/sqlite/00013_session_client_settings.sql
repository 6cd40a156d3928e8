-- A session keeps what the refresh statement needs to know of its client:
-- the client's idle lifetime (0: the server's default) and whether it is
-- confidential (0 or 1). Refresh then reads no other table than users. The
-- store copies both when it creates a session and keeps them in step when a
-- client changes, so a new idle lifetime still applies to existing sessions
-- from their next refresh.

-- +goose Up
ALTER TABLE sessions ADD COLUMN client_idle_ttl_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN client_confidential INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET
    client_idle_ttl_seconds = (SELECT c.idle_ttl_seconds FROM clients c WHERE c.client_id = sessions.client_id),
    client_confidential = (SELECT c.client_type = 'confidential' FROM clients c WHERE c.client_id = sessions.client_id)
  WHERE revoked_at IS NULL AND EXISTS (SELECT 1 FROM clients c WHERE c.client_id = sessions.client_id
    AND (c.idle_ttl_seconds <> 0 OR c.client_type = 'confidential'));

-- +goose Down
ALTER TABLE sessions DROP COLUMN client_confidential;
ALTER TABLE sessions DROP COLUMN client_idle_ttl_seconds;
