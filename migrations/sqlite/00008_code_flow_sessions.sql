-- A session created by the OpenID code flow remembers the scopes granted
-- (scope, a JSON array, so a refreshed access token keeps its scope claim)
-- and the browser sign-in it was born from (sso_session_id), so that
-- RP-initiated logout can end every session of that sign-in. goose records
-- the version, so the ADD COLUMNs run once per database.

-- +goose Up
ALTER TABLE sessions ADD COLUMN scope TEXT NOT NULL DEFAULT '[]';
ALTER TABLE sessions ADD COLUMN sso_session_id TEXT NULL;
CREATE INDEX IF NOT EXISTS sessions_sso_session_id_idx ON sessions (sso_session_id);

-- +goose Down
DROP INDEX IF EXISTS sessions_sso_session_id_idx;
ALTER TABLE sessions DROP COLUMN sso_session_id;
ALTER TABLE sessions DROP COLUMN scope;
