-- Tessera's initial schema for SQLite. Same tables and facts as the Postgres
-- migration. STRICT tables; uuids are TEXT in canonical form; booleans are
-- INTEGER 0/1; timestamps are TEXT in one fixed-width UTC layout,
-- YYYY-MM-DDTHH:MM:SS.ffffffZ (always 27 characters), so that SQL text
-- comparisons and ORDER BY agree with time order.

-- +goose Up
CREATE TABLE IF NOT EXISTS users (
    id                  TEXT    PRIMARY KEY,
    email               TEXT    NOT NULL,
    email_normalized    TEXT    NOT NULL,
    username            TEXT    NULL,
    username_normalized TEXT    NULL,
    password_hash       TEXT    NOT NULL DEFAULT '',
    is_active           INTEGER NOT NULL DEFAULT 1,
    is_admin            INTEGER NOT NULL DEFAULT 0,
    email_verified_at   TEXT    NULL,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    last_login_at       TEXT    NULL,
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    locked_until        TEXT    NULL,
    password_changed_at TEXT    NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS users_email_normalized_key ON users (email_normalized);
-- NULLs are distinct: any number of users may have no username.
CREATE UNIQUE INDEX IF NOT EXISTS users_username_normalized_key ON users (username_normalized);

-- Lists are JSON arrays of strings; TTLs are seconds, 0 = server default.
CREATE TABLE IF NOT EXISTS clients (
    client_id          TEXT    PRIMARY KEY,
    name               TEXT    NOT NULL,
    allowed_delivery   TEXT    NOT NULL DEFAULT '[]',
    access_ttl_seconds INTEGER NOT NULL DEFAULT 0,
    idle_ttl_seconds   INTEGER NOT NULL DEFAULT 0,
    max_ttl_seconds    INTEGER NOT NULL DEFAULT 0,
    cors_origins       TEXT    NOT NULL DEFAULT '[]',
    audiences          TEXT    NOT NULL DEFAULT '[]',
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL
) STRICT;
-- strftime's %f is SS.SSS; three more zeros give the 6-digit layout.
INSERT INTO clients (client_id, name, allowed_delivery, access_ttl_seconds, idle_ttl_seconds,
                     max_ttl_seconds, cors_origins, audiences, created_at, updated_at)
VALUES ('default', 'Default', '["body","cookie","session","token"]', 0, 0, 0, '[]', '[]',
        strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'), strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
ON CONFLICT (client_id) DO NOTHING;

-- One row per device login; refreshing updates it in place.
CREATE TABLE IF NOT EXISTS sessions (
    id              TEXT    PRIMARY KEY,
    user_id         TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id       TEXT    NOT NULL REFERENCES clients (client_id),
    kind            TEXT    NOT NULL,
    device_name     TEXT    NOT NULL DEFAULT '',
    user_agent      TEXT    NOT NULL DEFAULT '',
    ip              TEXT    NOT NULL DEFAULT '',
    created_at      TEXT    NOT NULL,
    last_used_at    TEXT    NOT NULL,
    idle_expires_at TEXT    NOT NULL,
    expires_at      TEXT    NOT NULL,
    revoked_at      TEXT    NULL,
    revoked_reason  TEXT    NOT NULL DEFAULT '',
    generation      INTEGER NOT NULL DEFAULT 0,
    nonce           BLOB    NOT NULL,
    rotated_at      TEXT    NOT NULL,
    secret_hash     BLOB    NULL
) STRICT;
CREATE INDEX IF NOT EXISTS sessions_user_id_idx ON sessions (user_id, created_at);
CREATE INDEX IF NOT EXISTS sessions_revoked_at_idx ON sessions (revoked_at, id);
CREATE UNIQUE INDEX IF NOT EXISTS sessions_secret_hash_key ON sessions (secret_hash)
    WHERE secret_hash IS NOT NULL;

-- The classic token: one per user, stored as SHA-256 only.
CREATE TABLE IF NOT EXISTS auth_tokens (
    user_id      TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    key_hash     BLOB NOT NULL,
    nonce        BLOB NOT NULL,
    prefix       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS auth_tokens_key_hash_key ON auth_tokens (key_hash);

-- E-mail verification and password reset tokens, stored as hashes only.
CREATE TABLE IF NOT EXISTS one_time_tokens (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    token_hash BLOB NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS one_time_tokens_token_hash_key ON one_time_tokens (token_hash);
CREATE INDEX IF NOT EXISTS one_time_tokens_user_purpose_idx ON one_time_tokens (user_id, purpose);

-- No foreign keys: events outlive the users and sessions they mention.
CREATE TABLE IF NOT EXISTS audit_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    event      TEXT    NOT NULL,
    actor_id   TEXT    NULL,
    user_id    TEXT    NULL,
    session_id TEXT    NULL,
    ip         TEXT    NOT NULL DEFAULT '',
    user_agent TEXT    NOT NULL DEFAULT '',
    details    TEXT    NOT NULL DEFAULT '{}',
    created_at TEXT    NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS audit_events_user_id_idx ON audit_events (user_id, id);
CREATE INDEX IF NOT EXISTS audit_events_created_at_idx ON audit_events (created_at);

-- +goose Down
DROP TABLE IF EXISTS audit_events;
DROP TABLE IF EXISTS one_time_tokens;
DROP TABLE IF EXISTS auth_tokens;
DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS clients;
DROP TABLE IF EXISTS users;
