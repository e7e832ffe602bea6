-- Rollouts (issue 35, docs/rollouts.md): a candidate version's traffic raised step by step from live figures, promoted or
-- rolled back by itself. At most one active (running or paused) rollout per model.
CREATE TABLE rollout (
    id              BIGSERIAL PRIMARY KEY,
    model_name      VARCHAR(128) NOT NULL,
    baseline        VARCHAR(64)  NOT NULL,
    candidate       VARCHAR(64)  NOT NULL,
    steps           TEXT         NOT NULL,
    step_seconds    INTEGER      NOT NULL CHECK (step_seconds BETWEEN 1 AND 86400),
    guard           TEXT         NOT NULL,
    state           VARCHAR(16)  NOT NULL CHECK (state IN ('RUNNING', 'PAUSED', 'PROMOTED', 'ROLLED_BACK', 'ABORTED')),
    step_index      INTEGER      NOT NULL,
    step_started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    history         TEXT         NOT NULL,
    reason          TEXT,
    created_by      VARCHAR(128) NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    lock_version    BIGINT       NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX rollout_one_active ON rollout (model_name) WHERE state IN ('RUNNING', 'PAUSED');
