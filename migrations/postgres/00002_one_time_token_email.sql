-- The address a one-time token proves: the user's own for verify_email, the
-- new one for change_email (applied when the token is used), NULL for
-- reset_password.

-- +goose Up
ALTER TABLE one_time_tokens ADD COLUMN IF NOT EXISTS email text NULL;

-- +goose Down
ALTER TABLE one_time_tokens DROP COLUMN IF EXISTS email;
