-- Periodic refresh: when an analysis is next due (NULL: never), the earlier
-- analysis of the same flow (previousFlowAnalysisId), and every run kept.
ALTER TABLE analyses ADD COLUMN previous_id TEXT;
ALTER TABLE analyses ADD COLUMN next_refresh_ms BIGINT;
CREATE INDEX analyses_refresh_due ON analyses (next_refresh_ms) WHERE next_refresh_ms IS NOT NULL;
-- The analyses of one flow, newest first (previousFlowAnalysisId after a restart).
CREATE INDEX analyses_by_flow ON analyses (source_ip, dest_ip, seq);

CREATE TABLE analysis_runs (
    analysis_id      TEXT   NOT NULL,
    run              BIGINT NOT NULL,
    end_ms           BIGINT NOT NULL,
    status           TEXT   NOT NULL,
    failure_reason   TEXT,
    snapshot_version BIGINT NOT NULL,
    result           TEXT   NOT NULL,
    PRIMARY KEY (analysis_id, run)
);
