-- Passkeys (WebAuthn credentials) and the challenges of their ceremonies;
-- the same tables and facts as the Postgres migration (see there).
--
-- A passkey row keeps what verifying an assertion needs: the credential id
-- (unique across all users), the COSE public key, the signature counter
-- last seen, the backup flags, whether it was made with user verification,
-- the attachment and transports (a JSON array), and its name. A challenge
-- is kept as the SHA-256 of its value, works once and is pruned once
-- expired.

-- +goose Up
CREATE TABLE IF NOT EXISTS passkeys (
    id              TEXT    PRIMARY KEY,
    user_id         TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id   BLOB    NOT NULL,
    public_key      BLOB    NOT NULL,
    attestation     TEXT    NOT NULL DEFAULT '',
    aaguid          BLOB    NULL,
    sign_count      INTEGER NOT NULL DEFAULT 0,
    transports      TEXT    NOT NULL DEFAULT '[]',
    attachment      TEXT    NOT NULL DEFAULT '',
    backup_eligible INTEGER NOT NULL DEFAULT 0,
    backup_state    INTEGER NOT NULL DEFAULT 0,
    user_verified   INTEGER NOT NULL DEFAULT 0,
    name            TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    last_used_at    TEXT    NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS passkeys_credential_id_key ON passkeys (credential_id);
CREATE INDEX IF NOT EXISTS passkeys_user_id_idx ON passkeys (user_id);

CREATE TABLE IF NOT EXISTS webauthn_challenges (
    challenge_hash BLOB PRIMARY KEY,
    purpose        TEXT NOT NULL,
    user_id        TEXT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_data   TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS webauthn_challenges_expires_at_idx ON webauthn_challenges (expires_at);
CREATE INDEX IF NOT EXISTS webauthn_challenges_user_id_idx ON webauthn_challenges (user_id);

-- +goose Down
DROP TABLE IF EXISTS webauthn_challenges;
DROP TABLE IF EXISTS passkeys;
