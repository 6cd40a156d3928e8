-- A JWT session keeps the SHA-256 of its current refresh token's MAC
-- (refresh_digest), so one conditional UPDATE can check the presented
-- token, rotate the session and return it with its user. Sessions created
-- before this column have it NULL and keep the nonce-derived tokens they
-- were issued until they end. goose records the version, so the ADD COLUMN
-- runs once per database.

-- +goose Up
ALTER TABLE sessions ADD COLUMN refresh_digest BLOB NULL;

-- +goose Down
ALTER TABLE sessions DROP COLUMN refresh_digest;
