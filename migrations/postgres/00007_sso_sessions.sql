-- The browser's sign-in on the hosted pages is a session of kind "sso".
-- ID tokens need when the person signed in (auth_time) and how (amr, a
-- JSON array of RFC 8176 method names such as ["pwd"]); both are kept on
-- the session row.

-- +goose Up
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS auth_time timestamptz NULL;
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS amr text NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE sessions DROP COLUMN IF EXISTS amr;
ALTER TABLE sessions DROP COLUMN IF EXISTS auth_time;
