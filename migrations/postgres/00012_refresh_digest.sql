-- A JWT session keeps the SHA-256 of its current refresh token's MAC
-- (refresh_digest), so one conditional UPDATE can check the presented
-- token, rotate the session and return it with its user. Sessions created
-- before this column have it NULL and keep the nonce-derived tokens they
-- were issued until they end.

-- +goose Up
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS refresh_digest bytea NULL;

-- +goose Down
ALTER TABLE sessions DROP COLUMN IF EXISTS refresh_digest;
