-- Second factors. mfa_totp holds one authenticator-app secret per user,
-- sealed with AES-GCM under a key derived from the server secret (the
-- database never holds it in the clear), and the last time step accepted,
-- so a code works once. mfa_recovery_codes keeps HMACs of the ten recovery
-- codes, each usable once. mfa_challenges is the pending login between a
-- correct password and its second factor: the mfa_token's SHA-256, what the
-- login was for (client, delivery, device), the attempts made, its expiry
-- and when it was used. sessions.mfa_at is when a second factor was last
-- proven on a session (step-up); clients.require_mfa refuses sessions of a
-- client to users without one. goose records the version, so the ADD
-- COLUMNs (which SQLite cannot guard with IF NOT EXISTS) run once per
-- database.

-- +goose Up
CREATE TABLE IF NOT EXISTS mfa_totp (
    user_id      TEXT    PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_enc   BLOB    NOT NULL,
    last_step    INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT    NOT NULL,
    confirmed_at TEXT    NULL
) STRICT;

CREATE TABLE IF NOT EXISTS mfa_recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  BLOB NOT NULL,
    created_at TEXT NOT NULL,
    used_at    TEXT NULL,
    PRIMARY KEY (user_id, code_hash)
) STRICT;

CREATE TABLE IF NOT EXISTS mfa_challenges (
    id          TEXT    PRIMARY KEY,
    token_hash  BLOB    NOT NULL,
    user_id     TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id   TEXT    NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    delivery    TEXT    NOT NULL,
    device_name TEXT    NOT NULL DEFAULT '',
    user_agent  TEXT    NOT NULL DEFAULT '',
    ip          TEXT    NOT NULL DEFAULT '',
    amr         TEXT    NOT NULL DEFAULT '[]',
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    used_at     TEXT    NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS mfa_challenges_token_hash_key ON mfa_challenges (token_hash);
CREATE INDEX IF NOT EXISTS mfa_challenges_expires_at_idx ON mfa_challenges (expires_at);

ALTER TABLE sessions ADD COLUMN mfa_at TEXT NULL;
ALTER TABLE clients ADD COLUMN require_mfa INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE clients DROP COLUMN require_mfa;
ALTER TABLE sessions DROP COLUMN mfa_at;
DROP INDEX IF EXISTS mfa_challenges_expires_at_idx;
DROP INDEX IF EXISTS mfa_challenges_token_hash_key;
DROP TABLE IF EXISTS mfa_challenges;
DROP TABLE IF EXISTS mfa_recovery_codes;
DROP TABLE IF EXISTS mfa_totp;
