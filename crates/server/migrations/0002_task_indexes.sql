-- Tasks are found by the analysis they report on (progress) and numbered by seq.
CREATE INDEX tasks_by_progress ON tasks (progress);
CREATE INDEX tasks_by_seq ON tasks (seq);
