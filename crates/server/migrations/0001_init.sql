-- pathtrace store, portable between SQLite and PostgreSQL (through sqlx's Any driver):
-- TEXT and BIGINT only; booleans are 0/1; times are epoch milliseconds.

CREATE TABLE snapshots (
    version    BIGINT PRIMARY KEY,
    digest     TEXT   NOT NULL,
    model      TEXT   NOT NULL,
    created_ms BIGINT NOT NULL
);

CREATE TABLE tokens (
    token        TEXT   PRIMARY KEY,
    username     TEXT   NOT NULL,
    created_ms   BIGINT NOT NULL,
    last_used_ms BIGINT NOT NULL
);

CREATE TABLE tasks (
    id             TEXT   PRIMARY KEY,
    seq            BIGINT NOT NULL,
    service_type   TEXT   NOT NULL,
    progress       TEXT   NOT NULL,
    is_error       BIGINT NOT NULL,
    failure_reason TEXT,
    error_code     TEXT,
    start_ms       BIGINT NOT NULL,
    end_ms         BIGINT,
    last_update_ms BIGINT NOT NULL,
    result_url     TEXT
);

CREATE TABLE analyses (
    id               TEXT   PRIMARY KEY,
    seq              BIGINT NOT NULL,
    task_id          TEXT   NOT NULL,
    source_ip        TEXT   NOT NULL,
    dest_ip          TEXT   NOT NULL,
    source_port      TEXT,
    dest_port        TEXT,
    protocol         TEXT,
    periodic_refresh BIGINT NOT NULL,
    control_path     BIGINT,
    inclusions       TEXT   NOT NULL,
    status           TEXT   NOT NULL,
    failure_reason   TEXT,
    create_ms        BIGINT NOT NULL,
    last_update_ms   BIGINT NOT NULL,
    result           TEXT,
    snapshot_version BIGINT NOT NULL
);

CREATE INDEX analyses_by_seq ON analyses (seq);
CREATE INDEX analyses_by_status ON analyses (status);
