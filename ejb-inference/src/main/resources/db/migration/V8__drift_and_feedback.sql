-- Input statistics for drift checks, the drift reports, and labelled feedback for retraining. docs/jobs.md

-- Per model version and input feature: the reference window's bin edges (deciles of its first rows) and counts.
CREATE TABLE drift_reference (
    model_name    VARCHAR(128) NOT NULL,
    model_version VARCHAR(64)  NOT NULL,
    feature       VARCHAR(160) NOT NULL,
    edges         DOUBLE PRECISION[] NOT NULL,
    counts        BIGINT[] NOT NULL,
    row_count     BIGINT NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    server_name   VARCHAR(128),
    PRIMARY KEY (model_name, model_version, feature)
);

-- Counts per reference bin of the rows served in one minute, summed over every server.
CREATE TABLE input_histogram (
    model_name    VARCHAR(128) NOT NULL,
    model_version VARCHAR(64)  NOT NULL,
    window_start  TIMESTAMP WITH TIME ZONE NOT NULL,
    feature       VARCHAR(160) NOT NULL,
    counts        BIGINT[] NOT NULL,
    PRIMARY KEY (model_name, model_version, window_start, feature)
);
CREATE INDEX input_histogram_window ON input_histogram (window_start);

CREATE TABLE drift_report (
    id                     BIGSERIAL PRIMARY KEY,
    checked_at             TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    model_name             VARCHAR(128) NOT NULL,
    model_version          VARCHAR(64)  NOT NULL,
    window_start           TIMESTAMP WITH TIME ZONE NOT NULL,
    window_end             TIMESTAMP WITH TIME ZONE NOT NULL,
    window_rows            BIGINT NOT NULL,
    reference_rows         BIGINT NOT NULL,
    max_psi                DOUBLE PRECISION NOT NULL,
    threshold              DOUBLE PRECISION NOT NULL,
    drifted                BOOLEAN NOT NULL,
    features               TEXT NOT NULL,
    execution_id           BIGINT,
    retrain_execution_id   BIGINT
);
CREATE INDEX drift_report_model ON drift_report (model_name, checked_at DESC);

-- One labelled example: the inputs of one row (OIP tensors, JSON) and its class label.
CREATE TABLE feedback (
    id            BIGSERIAL PRIMARY KEY,
    received_at   TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    model_name    VARCHAR(128) NOT NULL,
    model_version VARCHAR(64),
    request_id    VARCHAR(128),
    inputs        TEXT NOT NULL,
    label         INTEGER NOT NULL,
    key_hash      VARCHAR(64)
);
CREATE INDEX feedback_model ON feedback (model_name, id);
