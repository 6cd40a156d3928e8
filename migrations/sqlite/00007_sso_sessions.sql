-- The browser's sign-in on the hosted pages is a session of kind "sso".
-- ID tokens need when the person signed in (auth_time) and how (amr, a
-- JSON array of RFC 8176 method names such as ["pwd"]); both are kept on
-- the session row. goose records the version, so the ADD COLUMNs (which
-- SQLite cannot guard with IF NOT EXISTS) run once per database.

-- +goose Up
ALTER TABLE sessions ADD COLUMN auth_time TEXT NULL;
ALTER TABLE sessions ADD COLUMN amr TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE sessions DROP COLUMN amr;
ALTER TABLE sessions DROP COLUMN auth_time;
