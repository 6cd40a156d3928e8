-- The address a one-time token proves: the user's own for verify_email, the
-- new one for change_email (applied when the token is used), NULL for
-- reset_password. goose records the version, so the ADD COLUMN (which
-- SQLite cannot guard with IF NOT EXISTS) runs once per database.

-- +goose Up
ALTER TABLE one_time_tokens ADD COLUMN email TEXT NULL;

-- +goose Down
ALTER TABLE one_time_tokens DROP COLUMN email;
