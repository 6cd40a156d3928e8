-- Users gain what accounts brought from elsewhere carry: a first and a last
-- name (OpenID's given_name and family_name), the id the account had in the
-- system it was imported from (external_id, unique when set, so a second
-- import updates instead of duplicating) and its groups (a JSON array of
-- role names, carried in access tokens' roles claim beside "admin").

-- +goose Up
ALTER TABLE users ADD COLUMN IF NOT EXISTS first_name text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN IF NOT EXISTS last_name text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN IF NOT EXISTS external_id text NULL;
ALTER TABLE users ADD COLUMN IF NOT EXISTS groups text NOT NULL DEFAULT '[]';
CREATE UNIQUE INDEX IF NOT EXISTS users_external_id_key ON users (external_id);

-- +goose Down
DROP INDEX IF EXISTS users_external_id_key;
ALTER TABLE users DROP COLUMN IF EXISTS groups;
ALTER TABLE users DROP COLUMN IF EXISTS external_id;
ALTER TABLE users DROP COLUMN IF EXISTS last_name;
ALTER TABLE users DROP COLUMN IF EXISTS first_name;
