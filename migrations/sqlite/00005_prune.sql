-- What pruning and deletions need. A deleted user's or client's sessions
-- leave a tombstone, so the revocation feed keeps naming them until their
-- last access token has expired; the feed reads tombstones beside revoked
-- sessions in the same (revoked_at, id) order. The two indexes let the
-- hourly prune find expired one-time tokens and passed throttle windows
-- without a full scan.

-- +goose Up
CREATE TABLE IF NOT EXISTS session_tombstones (
    id                 TEXT    PRIMARY KEY,
    revoked_at         TEXT    NOT NULL,
    access_ttl_seconds INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX IF NOT EXISTS session_tombstones_revoked_at_idx ON session_tombstones (revoked_at, id);
CREATE INDEX IF NOT EXISTS one_time_tokens_expires_at_idx ON one_time_tokens (expires_at);
CREATE INDEX IF NOT EXISTS login_throttle_window_start_idx ON login_throttle (window_start);

-- +goose Down
DROP INDEX IF EXISTS login_throttle_window_start_idx;
DROP INDEX IF EXISTS one_time_tokens_expires_at_idx;
DROP TABLE IF EXISTS session_tombstones;
