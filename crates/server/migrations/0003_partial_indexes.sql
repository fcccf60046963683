-- Rows are mostly written already finished (a creation and its completion
-- committed together): index only what is still running. Both SQLite and
-- PostgreSQL use a partial index when the query's WHERE implies its own.
DROP INDEX analyses_by_status;
CREATE INDEX analyses_in_progress ON analyses (seq) WHERE status = 'INPROGRESS';
DROP INDEX tasks_by_progress;
CREATE INDEX tasks_running_by_progress ON tasks (progress) WHERE end_ms IS NULL;
