-- Every attempt to load a model version into libtorch, kept for operators and for the registry that follows.
CREATE TABLE model_load (
    id            BIGSERIAL PRIMARY KEY,
    model_name    VARCHAR(128) NOT NULL,
    model_version VARCHAR(64)  NOT NULL,
    artifact_sha256 CHAR(64)   NOT NULL,
    artifact_bytes BIGINT      NOT NULL,
    device        VARCHAR(32)  NOT NULL,
    optimized     BOOLEAN      NOT NULL,
    outcome       VARCHAR(16)  NOT NULL CHECK (outcome IN ('READY', 'FAILED')),
    error_text    TEXT,
    load_millis   BIGINT       NOT NULL,
    server_name   VARCHAR(255) NOT NULL,
    loaded_at     TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX model_load_by_model ON model_load (model_name, model_version, loaded_at DESC);
