-- +goose Up
-- Brute-force counters per account and per client IP, shared by replicas.
CREATE TABLE IF NOT EXISTS login_throttle (
    key          TEXT    PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start TEXT    NOT NULL
) STRICT;

-- +goose Down
DROP TABLE IF EXISTS login_throttle;
