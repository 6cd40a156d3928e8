-- Indexes for the admin listings: users newest first, a client's sessions
-- (removed with the client), audit events by kind.

-- +goose Up
CREATE INDEX IF NOT EXISTS users_created_at_idx ON users (created_at, id);
CREATE INDEX IF NOT EXISTS sessions_client_id_idx ON sessions (client_id);
CREATE INDEX IF NOT EXISTS audit_events_event_idx ON audit_events (event, id);

-- +goose Down
DROP INDEX IF EXISTS audit_events_event_idx;
DROP INDEX IF EXISTS sessions_client_id_idx;
DROP INDEX IF EXISTS users_created_at_idx;
