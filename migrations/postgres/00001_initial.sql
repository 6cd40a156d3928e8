-- Tessera's initial schema for PostgreSQL (and Postgres-compatible engines:
-- no triggers, no server-side functions). Timestamps are timestamptz; the
-- application writes them in UTC, truncated to microseconds.

-- +goose Up
CREATE TABLE IF NOT EXISTS users (
    id                  uuid        PRIMARY KEY,
    email               text        NOT NULL,
    email_normalized    text        NOT NULL,
    username            text        NULL,
    username_normalized text        NULL,
    password_hash       text        NOT NULL DEFAULT '',
    is_active           boolean     NOT NULL DEFAULT true,
    is_admin            boolean     NOT NULL DEFAULT false,
    email_verified_at   timestamptz NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    last_login_at       timestamptz NULL,
    failed_logins       integer     NOT NULL DEFAULT 0,
    locked_until        timestamptz NULL,
    password_changed_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS users_email_normalized_key ON users (email_normalized);
-- NULLs are distinct: any number of users may have no username.
CREATE UNIQUE INDEX IF NOT EXISTS users_username_normalized_key ON users (username_normalized);

-- Lists are JSON arrays of strings; TTLs are seconds, 0 = server default.
CREATE TABLE IF NOT EXISTS clients (
    client_id          text        PRIMARY KEY,
    name               text        NOT NULL,
    allowed_delivery   text        NOT NULL DEFAULT '[]',
    access_ttl_seconds bigint      NOT NULL DEFAULT 0,
    idle_ttl_seconds   bigint      NOT NULL DEFAULT 0,
    max_ttl_seconds    bigint      NOT NULL DEFAULT 0,
    cors_origins       text        NOT NULL DEFAULT '[]',
    audiences          text        NOT NULL DEFAULT '[]',
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);
INSERT INTO clients (client_id, name, allowed_delivery, access_ttl_seconds, idle_ttl_seconds,
                     max_ttl_seconds, cors_origins, audiences, created_at, updated_at)
VALUES ('default', 'Default', '["body","cookie","session","token"]', 0, 0, 0, '[]', '[]',
        now(), now())
ON CONFLICT (client_id) DO NOTHING;

-- One row per device login; refreshing updates it in place.
CREATE TABLE IF NOT EXISTS sessions (
    id              uuid        PRIMARY KEY,
    user_id         uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id       text        NOT NULL REFERENCES clients (client_id),
    kind            text        NOT NULL,
    device_name     text        NOT NULL DEFAULT '',
    user_agent      text        NOT NULL DEFAULT '',
    ip              text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    last_used_at    timestamptz NOT NULL,
    idle_expires_at timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz NULL,
    revoked_reason  text        NOT NULL DEFAULT '',
    generation      bigint      NOT NULL DEFAULT 0,
    nonce           bytea       NOT NULL,
    rotated_at      timestamptz NOT NULL,
    secret_hash     bytea       NULL
);
CREATE INDEX IF NOT EXISTS sessions_user_id_idx ON sessions (user_id, created_at);
CREATE INDEX IF NOT EXISTS sessions_revoked_at_idx ON sessions (revoked_at, id);
CREATE UNIQUE INDEX IF NOT EXISTS sessions_secret_hash_key ON sessions (secret_hash)
    WHERE secret_hash IS NOT NULL;

-- The classic token: one per user, stored as SHA-256 only.
CREATE TABLE IF NOT EXISTS auth_tokens (
    user_id      uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    key_hash     bytea       NOT NULL,
    nonce        bytea       NOT NULL,
    prefix       text        NOT NULL,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS auth_tokens_key_hash_key ON auth_tokens (key_hash);

-- E-mail verification and password reset tokens, stored as hashes only.
CREATE TABLE IF NOT EXISTS one_time_tokens (
    id         uuid        PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text        NOT NULL,
    token_hash bytea       NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz NULL,
    created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS one_time_tokens_token_hash_key ON one_time_tokens (token_hash);
CREATE INDEX IF NOT EXISTS one_time_tokens_user_purpose_idx ON one_time_tokens (user_id, purpose);

-- No foreign keys: events outlive the users and sessions they mention.
CREATE TABLE IF NOT EXISTS audit_events (
    id         bigserial   PRIMARY KEY,
    event      text        NOT NULL,
    actor_id   uuid        NULL,
    user_id    uuid        NULL,
    session_id uuid        NULL,
    ip         text        NOT NULL DEFAULT '',
    user_agent text        NOT NULL DEFAULT '',
    details    text        NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_events_user_id_idx ON audit_events (user_id, id);
CREATE INDEX IF NOT EXISTS audit_events_created_at_idx ON audit_events (created_at);

-- +goose Down
DROP TABLE IF EXISTS audit_events;
DROP TABLE IF EXISTS one_time_tokens;
DROP TABLE IF EXISTS auth_tokens;
DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS clients;
DROP TABLE IF EXISTS users;
