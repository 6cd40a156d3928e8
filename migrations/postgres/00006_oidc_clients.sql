-- The OpenID code flow: what a client registers for it, the authorization
-- codes it exchanges, and the consents users give third-party clients.
-- Lists are JSON arrays of strings, as in 00001. A client's secret is kept
-- as its SHA-256 only. The default client stays public and first-party,
-- with no redirect URIs.
--
-- An authorization code is kept as its SHA-256 (code_hash). used_at is set
-- by the one exchange that wins; session_id is the session it produced,
-- and reused_at the first replay, so that a replay revokes that session
-- whichever of the two writes comes first. sso_session_id and session_id
-- name sessions without a foreign key: a code outlives neither its
-- lifetime nor the prune, and must not stop a session from being pruned.

-- +goose Up
ALTER TABLE clients ADD COLUMN IF NOT EXISTS redirect_uris text NOT NULL DEFAULT '[]';
ALTER TABLE clients ADD COLUMN IF NOT EXISTS post_logout_redirect_uris text NOT NULL DEFAULT '[]';
ALTER TABLE clients ADD COLUMN IF NOT EXISTS client_type text NOT NULL DEFAULT 'public';
ALTER TABLE clients ADD COLUMN IF NOT EXISTS first_party boolean NOT NULL DEFAULT false;
ALTER TABLE clients ADD COLUMN IF NOT EXISTS grant_types text NOT NULL
    DEFAULT '["authorization_code","refresh_token"]';
ALTER TABLE clients ADD COLUMN IF NOT EXISTS scopes text NOT NULL
    DEFAULT '["openid","profile","email","offline_access"]';
ALTER TABLE clients ADD COLUMN IF NOT EXISTS logout_ends_sessions boolean NOT NULL DEFAULT false;
ALTER TABLE clients ADD COLUMN IF NOT EXISTS secret_hash bytea NULL;
ALTER TABLE clients ADD COLUMN IF NOT EXISTS secret_created_at timestamptz NULL;
UPDATE clients SET first_party = true WHERE client_id = 'default';

CREATE TABLE IF NOT EXISTS authorization_codes (
    code_hash             bytea       PRIMARY KEY,
    client_id             text        NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    user_id               uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri          text        NOT NULL,
    code_challenge        text        NOT NULL DEFAULT '',
    code_challenge_method text        NOT NULL DEFAULT '',
    nonce                 text        NOT NULL DEFAULT '',
    scope                 text        NOT NULL DEFAULT '[]',
    auth_time             timestamptz NOT NULL,
    sso_session_id        uuid        NULL,
    amr                   text        NOT NULL DEFAULT '[]',
    created_at            timestamptz NOT NULL,
    expires_at            timestamptz NOT NULL,
    used_at               timestamptz NULL,
    session_id            uuid        NULL,
    reused_at             timestamptz NULL
);
CREATE INDEX IF NOT EXISTS authorization_codes_expires_at_idx ON authorization_codes (expires_at);
CREATE INDEX IF NOT EXISTS authorization_codes_client_id_idx ON authorization_codes (client_id);
CREATE INDEX IF NOT EXISTS authorization_codes_user_id_idx ON authorization_codes (user_id);

CREATE TABLE IF NOT EXISTS consents (
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  text        NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    scopes     text        NOT NULL DEFAULT '[]',
    granted_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, client_id)
);
CREATE INDEX IF NOT EXISTS consents_client_id_idx ON consents (client_id);

-- +goose Down
DROP TABLE IF EXISTS consents;
DROP TABLE IF EXISTS authorization_codes;
ALTER TABLE clients DROP COLUMN IF EXISTS secret_created_at;
ALTER TABLE clients DROP COLUMN IF EXISTS secret_hash;
ALTER TABLE clients DROP COLUMN IF EXISTS logout_ends_sessions;
ALTER TABLE clients DROP COLUMN IF EXISTS scopes;
ALTER TABLE clients DROP COLUMN IF EXISTS grant_types;
ALTER TABLE clients DROP COLUMN IF EXISTS first_party;
ALTER TABLE clients DROP COLUMN IF EXISTS client_type;
ALTER TABLE clients DROP COLUMN IF EXISTS post_logout_redirect_uris;
ALTER TABLE clients DROP COLUMN IF EXISTS redirect_uris;
