-- The prediction audit trail: one row per inference request, written in batches off the request path.
-- received_at and the *_us columns are exact to the microsecond: drift detection and feedback labels join on
-- request_id and time.
CREATE TABLE prediction_audit (
    id             BIGSERIAL PRIMARY KEY,
    received_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    request_id     VARCHAR(128) NOT NULL,
    api            VARCHAR(16)  NOT NULL,
    model_name     VARCHAR(128) NOT NULL,
    model_version  VARCHAR(64),
    key_hash       CHAR(64),
    client_address VARCHAR(64),
    outcome        VARCHAR(16)  NOT NULL,
    http_status    SMALLINT     NOT NULL,
    latency_us     BIGINT       NOT NULL,
    queue_us       BIGINT,
    compute_us     BIGINT,
    batch_rows     INTEGER,
    input_sha256   CHAR(64),
    output_sha256  CHAR(64),
    input_sample   TEXT,
    output_sample  TEXT,
    server_name    VARCHAR(255) NOT NULL
);
CREATE INDEX prediction_audit_received ON prediction_audit (received_at);
CREATE INDEX prediction_audit_model_received ON prediction_audit (model_name, received_at);
CREATE INDEX prediction_audit_request ON prediction_audit (request_id);
