-- Job leases (scale-out): an INPROGRESS analysis is a job; the replica running
-- it holds a lease (owner, until epoch ms) and renews it while it works. A
-- lease that ran out (its replica died) lets any replica claim the job again;
-- attempts counts the starts, so a job that kills its workers ends FAILED.
ALTER TABLE analyses ADD COLUMN lease_owner TEXT;
ALTER TABLE analyses ADD COLUMN lease_until BIGINT;
ALTER TABLE analyses ADD COLUMN attempts BIGINT NOT NULL DEFAULT 1;
