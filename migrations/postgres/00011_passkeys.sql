-- Passkeys (WebAuthn credentials) and the challenges of their ceremonies.
--
-- A passkey row keeps what verifying an assertion needs: the credential id
-- (unique across all users), the COSE public key, the signature counter
-- last seen (sign_count, checked so that a cloned authenticator replaying
-- a lower counter is refused), the backup flags (backup_eligible never
-- changes for a credential; backup_state may), whether it was made with
-- user verification, the authenticator's attachment and transports (a
-- JSON array), and the name its owner gave it.
--
-- A challenge is kept as the SHA-256 of its value (challenge_hash), with
-- the ceremony's session data (JSON), its purpose, the user it is bound to
-- (none for a discoverable sign-in) and its expiry. It works once: finishing
-- a ceremony deletes the row it reads. Expired rows are pruned.

-- +goose Up
CREATE TABLE IF NOT EXISTS passkeys (
    id              uuid        PRIMARY KEY,
    user_id         uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id   bytea       NOT NULL,
    public_key      bytea       NOT NULL,
    attestation     text        NOT NULL DEFAULT '',
    aaguid          bytea       NULL,
    sign_count      bigint      NOT NULL DEFAULT 0,
    transports      text        NOT NULL DEFAULT '[]',
    attachment      text        NOT NULL DEFAULT '',
    backup_eligible boolean     NOT NULL DEFAULT false,
    backup_state    boolean     NOT NULL DEFAULT false,
    user_verified   boolean     NOT NULL DEFAULT false,
    name            text        NOT NULL,
    created_at      timestamptz NOT NULL,
    last_used_at    timestamptz NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS passkeys_credential_id_key ON passkeys (credential_id);
CREATE INDEX IF NOT EXISTS passkeys_user_id_idx ON passkeys (user_id);

CREATE TABLE IF NOT EXISTS webauthn_challenges (
    challenge_hash bytea       PRIMARY KEY,
    purpose        text        NOT NULL,
    user_id        uuid        NULL REFERENCES users (id) ON DELETE CASCADE,
    session_data   text        NOT NULL,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS webauthn_challenges_expires_at_idx ON webauthn_challenges (expires_at);
CREATE INDEX IF NOT EXISTS webauthn_challenges_user_id_idx ON webauthn_challenges (user_id);

-- +goose Down
DROP TABLE IF EXISTS webauthn_challenges;
DROP TABLE IF EXISTS passkeys;
