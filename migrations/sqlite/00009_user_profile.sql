-- Users gain what accounts brought from elsewhere carry: a first and a last
-- name (OpenID's given_name and family_name), the id the account had in the
-- system it was imported from (external_id, unique when set, so a second
-- import updates instead of duplicating) and its groups (a JSON array of
-- role names, carried in access tokens' roles claim beside "admin"). goose
-- records the version, so the ADD COLUMNs run once per database.

-- +goose Up
ALTER TABLE users ADD COLUMN first_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN last_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN external_id TEXT NULL;
ALTER TABLE users ADD COLUMN groups TEXT NOT NULL DEFAULT '[]';
CREATE UNIQUE INDEX IF NOT EXISTS users_external_id_key ON users (external_id);

-- +goose Down
DROP INDEX IF EXISTS users_external_id_key;
ALTER TABLE users DROP COLUMN groups;
ALTER TABLE users DROP COLUMN external_id;
ALTER TABLE users DROP COLUMN last_name;
ALTER TABLE users DROP COLUMN first_name;
