-- Second factors. mfa_totp holds one authenticator-app secret per user,
-- sealed with AES-GCM under a key derived from the server secret (the
-- database never holds it in the clear), and the last time step accepted,
-- so a code works once. mfa_recovery_codes keeps HMACs of the ten recovery
-- codes, each usable once. mfa_challenges is the pending login between a
-- correct password and its second factor: the mfa_token's SHA-256, what the
-- login was for (client, delivery, device), the attempts made, its expiry
-- and when it was used. sessions.mfa_at is when a second factor was last
-- proven on a session (step-up); clients.require_mfa refuses sessions of a
-- client to users without one.

-- +goose Up
CREATE TABLE IF NOT EXISTS mfa_totp (
    user_id      uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_enc   bytea       NOT NULL,
    last_step    bigint      NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL,
    confirmed_at timestamptz NULL
);

CREATE TABLE IF NOT EXISTS mfa_recovery_codes (
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  bytea       NOT NULL,
    created_at timestamptz NOT NULL,
    used_at    timestamptz NULL,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE IF NOT EXISTS mfa_challenges (
    id          uuid        PRIMARY KEY,
    token_hash  bytea       NOT NULL,
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id   text        NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    delivery    text        NOT NULL,
    device_name text        NOT NULL DEFAULT '',
    user_agent  text        NOT NULL DEFAULT '',
    ip          text        NOT NULL DEFAULT '',
    amr         text        NOT NULL DEFAULT '[]',
    attempts    integer     NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS mfa_challenges_token_hash_key ON mfa_challenges (token_hash);
CREATE INDEX IF NOT EXISTS mfa_challenges_expires_at_idx ON mfa_challenges (expires_at);

ALTER TABLE sessions ADD COLUMN IF NOT EXISTS mfa_at timestamptz NULL;
ALTER TABLE clients ADD COLUMN IF NOT EXISTS require_mfa boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE clients DROP COLUMN IF EXISTS require_mfa;
ALTER TABLE sessions DROP COLUMN IF EXISTS mfa_at;
DROP INDEX IF EXISTS mfa_challenges_expires_at_idx;
DROP INDEX IF EXISTS mfa_challenges_token_hash_key;
DROP TABLE IF EXISTS mfa_challenges;
DROP TABLE IF EXISTS mfa_recovery_codes;
DROP TABLE IF EXISTS mfa_totp;
