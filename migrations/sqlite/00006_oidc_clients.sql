-- The OpenID code flow: what a client registers for it, the authorization
-- codes it exchanges, and the consents users give third-party clients.
-- Lists are JSON arrays of strings, as in 00001. A client's secret is kept
-- as its SHA-256 only. The default client stays public and first-party,
-- with no redirect URIs. goose records the version, so the ADD COLUMNs
-- (which SQLite cannot guard with IF NOT EXISTS) run once per database.
--
-- An authorization code is kept as its SHA-256 (code_hash). used_at is set
-- by the one exchange that wins; session_id is the session it produced,
-- and reused_at the first replay, so that a replay revokes that session
-- whichever of the two writes comes first. sso_session_id and session_id
-- name sessions without a foreign key: a code outlives neither its
-- lifetime nor the prune, and must not stop a session from being pruned.

-- +goose Up
ALTER TABLE clients ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '[]';
ALTER TABLE clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]';
ALTER TABLE clients ADD COLUMN client_type TEXT NOT NULL DEFAULT 'public';
ALTER TABLE clients ADD COLUMN first_party INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN grant_types TEXT NOT NULL
    DEFAULT '["authorization_code","refresh_token"]';
ALTER TABLE clients ADD COLUMN scopes TEXT NOT NULL
    DEFAULT '["openid","profile","email","offline_access"]';
ALTER TABLE clients ADD COLUMN logout_ends_sessions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN secret_hash BLOB NULL;
ALTER TABLE clients ADD COLUMN secret_created_at TEXT NULL;
UPDATE clients SET first_party = 1 WHERE client_id = 'default';

CREATE TABLE IF NOT EXISTS authorization_codes (
    code_hash             BLOB PRIMARY KEY,
    client_id             TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    user_id               TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri          TEXT NOT NULL,
    code_challenge        TEXT NOT NULL DEFAULT '',
    code_challenge_method TEXT NOT NULL DEFAULT '',
    nonce                 TEXT NOT NULL DEFAULT '',
    scope                 TEXT NOT NULL DEFAULT '[]',
    auth_time             TEXT NOT NULL,
    sso_session_id        TEXT NULL,
    amr                   TEXT NOT NULL DEFAULT '[]',
    created_at            TEXT NOT NULL,
    expires_at            TEXT NOT NULL,
    used_at               TEXT NULL,
    session_id            TEXT NULL,
    reused_at             TEXT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS authorization_codes_expires_at_idx ON authorization_codes (expires_at);
CREATE INDEX IF NOT EXISTS authorization_codes_client_id_idx ON authorization_codes (client_id);
CREATE INDEX IF NOT EXISTS authorization_codes_user_id_idx ON authorization_codes (user_id);

CREATE TABLE IF NOT EXISTS consents (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    scopes     TEXT NOT NULL DEFAULT '[]',
    granted_at TEXT NOT NULL,
    PRIMARY KEY (user_id, client_id)
) STRICT;
CREATE INDEX IF NOT EXISTS consents_client_id_idx ON consents (client_id);

-- +goose Down
DROP TABLE IF EXISTS consents;
DROP TABLE IF EXISTS authorization_codes;
ALTER TABLE clients DROP COLUMN secret_created_at;
ALTER TABLE clients DROP COLUMN secret_hash;
ALTER TABLE clients DROP COLUMN logout_ends_sessions;
ALTER TABLE clients DROP COLUMN scopes;
ALTER TABLE clients DROP COLUMN grant_types;
ALTER TABLE clients DROP COLUMN first_party;
ALTER TABLE clients DROP COLUMN client_type;
ALTER TABLE clients DROP COLUMN post_logout_redirect_uris;
ALTER TABLE clients DROP COLUMN redirect_uris;
