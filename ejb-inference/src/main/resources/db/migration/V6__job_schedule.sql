-- One row per scheduled run of a job, claimed by the first replica that inserts it: the primary key makes each
-- scheduled time run exactly once however many replicas share this database.
CREATE TABLE job_schedule_run (
    job           text        NOT NULL,
    scheduled_for timestamptz NOT NULL,
    claimed_by    text        NOT NULL,
    claimed_at    timestamptz NOT NULL DEFAULT now(),
    execution_id  bigint,
    catch_up      boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (job, scheduled_for)
);
