-- +goose Up
-- Brute-force counters per account and per client IP, shared by replicas.
CREATE TABLE IF NOT EXISTS login_throttle (
    key          text        PRIMARY KEY,
    failures     integer     NOT NULL,
    window_start timestamptz NOT NULL
);

-- +goose Down
DROP TABLE IF EXISTS login_throttle;
