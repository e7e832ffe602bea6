-- The maintenance job's health report, one row per run; GET /api/v1/jobs/maintenance/report reads the latest.
CREATE TABLE maintenance_report (
    id           BIGSERIAL PRIMARY KEY,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    execution_id BIGINT NOT NULL,
    report       TEXT NOT NULL
);
